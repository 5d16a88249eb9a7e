"""Link integrity: the checker finds every broken internal link, the site has none."""

from __future__ import annotations

from pathlib import Path

from council_publish.linkcheck import BrokenLink, check_site, main

PAGE = """<!doctype html>
<html><head><link rel="stylesheet" href="{css}"></head>
<body>
<h1 id="top">t</h1>
{body}
</body></html>
"""


def write(path: Path, body: str, css: str = "_static/s.css") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAGE.format(body=body, css=css), encoding="utf-8")


def broken_site(root: Path) -> Path:
    (root / "_static").mkdir(parents=True)
    (root / "_static" / "s.css").write_text("", encoding="utf-8")
    (root / "pdf").mkdir()
    (root / "pdf" / "a.pdf").write_bytes(b"%PDF-1.5")
    write(root / "index.html", "\n".join([
        '<a href="cases/a.html#sec">ok</a>',
        '<a href="cases/a.html#nowhere">broken anchor</a>',
        '<a href="cases/missing.html">missing file</a>',
        '<a href="#top">ok</a>',
        '<a href="#gone">broken local anchor</a>',
        '<a href="https://example.org/x.html">external</a>',
        '<a href="mailto:x@example.org">mail</a>',
        '<img src="_images/none.png">',
        '<a href="pdf/a.pdf">ok pdf</a>',
        '<a href="cases/">ok directory index</a>',
        '<a href="cases/a%20b.html">escaped name</a>',
    ]))
    write(root / "cases" / "a.html", '<section id="sec"><a href="../index.html#top">up</a>'
          '<a href="../../outside.html">outside</a></section>', css="../_static/s.css")
    write(root / "cases" / "index.html", "", css="../_static/s.css")
    write(root / "cases" / "a b.html", "", css="../_static/nope.css")
    return root


def test_checker_finds_each_broken_link(tmp_path):
    site = broken_site(tmp_path / "site")
    assert check_site(site) == [
        BrokenLink("cases/a b.html", 2, "../_static/nope.css", "リンク先のファイルがありません"),
        BrokenLink("cases/a.html", 5, "../../outside.html", "サイトの外を指しています"),
        BrokenLink("index.html", 6, "cases/a.html#nowhere", "リンク先のアンカーがありません"),
        BrokenLink("index.html", 7, "cases/missing.html", "リンク先のファイルがありません"),
        BrokenLink("index.html", 9, "#gone", "リンク先のアンカーがありません"),
        BrokenLink("index.html", 12, "_images/none.png", "リンク先のファイルがありません"),
    ]


def test_command_fails_on_a_broken_site_and_names_page_and_line(tmp_path, capsys):
    site = broken_site(tmp_path / "site")
    assert main([str(site)]) == 1
    err = capsys.readouterr().err
    assert f"{site}/index.html:7: リンク先のファイルがありません: cases/missing.html" in err


def test_command_passes_a_clean_site(tmp_path, capsys):
    site = tmp_path / "site"
    write(site / "index.html", '<a href="#top">top</a>', css="#top")
    assert main([str(site)]) == 0
    assert "1 pages, 0 broken internal links" in capsys.readouterr().out


def test_a_link_repeated_across_pages_is_resolved_once_and_reported_at_each_place(tmp_path, monkeypatch):
    import council_publish.linkcheck as linkcheck

    site = tmp_path / "site"
    (site / "_static").mkdir(parents=True)
    (site / "_static" / "s.css").write_text("", encoding="utf-8")
    for name in ("a", "b"):
        write(site / "cases" / f"{name}.html", '<a href="../pdf/gone.pdf">1</a>\n<a href="../pdf/gone.pdf">2</a>',
              css="../_static/s.css")
    resolved = []
    real = linkcheck._target
    monkeypatch.setattr(linkcheck, "_target", lambda *args: resolved.append(args[1:3]) or real(*args))
    assert [(b.page, b.lineno) for b in check_site(site)] == [
        ("cases/a.html", 5), ("cases/a.html", 6), ("cases/b.html", 5), ("cases/b.html", 6)]
    assert resolved.count((site.resolve() / "cases", "../pdf/gone.pdf")) == 1


def test_links_into_a_folder_still_being_made_are_checked_later(tmp_path: Path) -> None:
    """The search page's links into the index (made while the site is checked) are kept,
    not reported, then checked once the folder is there."""
    from council_publish.linkcheck import LATER, check_later

    site = tmp_path / "site"
    site.mkdir()
    (site / "search.html").write_text(
        '<link href="pagefind/pagefind-ui.css"><script src="pagefind/pagefind-ui.js"></script>\n'
        '<a href="gone.html">x</a>', encoding="utf-8")
    links = check_site(site, later="pagefind")
    assert [(b.page, b.target, b.reason) for b in links] == [
        ("search.html", "pagefind/pagefind-ui.css", LATER),
        ("search.html", "pagefind/pagefind-ui.js", LATER),
        ("search.html", "gone.html", "リンク先のファイルがありません"),
    ]
    (site / "pagefind").mkdir()
    (site / "pagefind" / "pagefind-ui.js").write_text("", encoding="utf-8")
    assert [(b.page, b.target, b.reason) for b in check_later(site, [b for b in links if b.reason == LATER])] == [
        ("search.html", "pagefind/pagefind-ui.css", "リンク先のファイルがありません")]
    assert [b.target for b in check_site(site)] == ["pagefind/pagefind-ui.css", "gone.html"]


def test_a_link_is_judged_once_per_folder_and_a_link_into_its_own_page_once_per_page(tmp_path, monkeypatch):
    """Every case page repeats the same links: each (folder, URL) is judged once; a URL
    without a path points into its own page, so its verdict is not shared."""
    import council_publish.linkcheck as linkcheck

    site = tmp_path / "site"
    (site / "_static").mkdir(parents=True)
    (site / "_static" / "s.css").write_text("", encoding="utf-8")
    write(site / "clauses.html", '<p id="b10">x</p>')
    write(site / "cases" / "a.html", '<a href="../clauses.html#b10">1</a>\n<p id="own">a</p>\n<a href="#own">2</a>',
          css="../_static/s.css")
    write(site / "cases" / "b.html", '<a href="../clauses.html#b10">1</a>\n<a href="#own">2</a>\n'
          '<a href="../clauses.html#b11">3</a>', css="../_static/s.css")
    write(site / "cases" / "c.html", '<a href="../clauses.html#b11">3</a>', css="../_static/s.css")
    judged = []
    real = linkcheck._check_link
    monkeypatch.setattr(linkcheck, "_check_link", lambda *args: judged.append((args[1], args[3])) or real(*args))
    assert [(b.page, b.lineno, b.target, b.reason) for b in check_site(site)] == [
        ("cases/b.html", 6, "#own", "リンク先のアンカーがありません"),
        ("cases/b.html", 7, "../clauses.html#b11", "リンク先のアンカーがありません"),
        ("cases/c.html", 5, "../clauses.html#b11", "リンク先のアンカーがありません"),
    ]
    assert sorted(judged) == [
        ("cases/a.html", "#own"), ("cases/a.html", "../_static/s.css"), ("cases/a.html", "../clauses.html#b10"),
        ("cases/b.html", "#own"), ("cases/b.html", "../clauses.html#b11"),
        ("clauses.html", "_static/s.css")]
