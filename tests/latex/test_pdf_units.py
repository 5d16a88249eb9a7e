"""The PDF step's parts that need no site build: dates, cache keys, a failed LaTeX run."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from council_publish import pdf_jobs
from council_publish.pipeline import BuildFailed
from council.latex.dates import date_label, fiscal_year_label, wareki_year


@pytest.mark.parametrize(("year", "label"), [
    (2018, "平成30年度（2018年度）"),
    (2019, "令和元年度（2019年度）"),  # April 2019 was still 平成31年
    (2020, "令和2年度（2020年度）"),
    (2025, "令和7年度（2025年度）"),
    (1989, "平成元年度（1989年度）"),
])
def test_fiscal_year_label(year: int, label: str) -> None:
    assert fiscal_year_label(year) == label


def test_dates_in_wareki_and_seireki() -> None:
    assert date_label("2019-04-30") == "平成31年4月30日（2019年4月30日）"
    assert date_label("2019-05-01") == "令和元年5月1日（2019年5月1日）"
    assert date_label("2025-11-20") == "令和7年11月20日（2025年11月20日）"
    assert date_label("令和元年度第4回") == "令和元年度第4回"  # not a date: unchanged
    assert wareki_year(1989, 1, 7) == "昭和64年"


def _latex_dir(tmp_path: Path, body: str) -> Path:
    latex = tmp_path / "latex"
    latex.mkdir()
    (latex / "sphinx.sty").write_text("% support\n")
    # as Sphinx writes it for Japanese (upLaTeX, dvipdfmx)
    (latex / "latexmkjarc").write_text("$latex = 'uplatex -kanji=utf8 %O %S';\n$dvipdf = 'dvipdfmx %O -o %D %S';\n")
    (latex / "figure-1.pdf").write_bytes(b"%PDF-1.4 one")
    (latex / "doc.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n"
        "\\label{\\detokenize{cases/one::doc}}\nfirst page\n"
        "\\label{\\detokenize{cases/two::doc}}\n" + body + "\n\\end{document}\n",
        encoding="utf-8",
    )
    return latex


def test_cache_key_follows_every_input(tmp_path: Path) -> None:
    latex = _latex_dir(tmp_path, "\\includegraphics{figure-1.pdf}")
    tex = latex / "doc.tex"

    def key() -> str:
        return pdf_jobs.cache_key(tex, pdf_jobs.support_digest(latex), pdf_jobs.LATEXMK)

    first = key()
    assert key() == first
    (latex / "figure-1.pdf").write_bytes(b"%PDF-1.4 two")
    assert key() != first
    second = key()
    (latex / "sphinx.sty").write_text("% changed\n")
    assert key() != second
    third = key()
    tex.write_text(tex.read_text() + "%\n")
    assert key() != third


def test_source_date_is_the_newest_page() -> None:
    tex = "% council-source-date-epoch: 100\nx\n% council-source-date-epoch: 300\n"
    assert pdf_jobs.source_date(tex) == "300"
    assert pdf_jobs.source_date("no date") is None


def test_failed_latex_run_keeps_its_log_and_names_page_and_line(tmp_path: Path) -> None:
    latex = _latex_dir(tmp_path, "\\undefinedcommandhere")
    logs = tmp_path / "logs"
    with pytest.raises(BuildFailed) as failure:
        pdf_jobs.compile_all(latex, dict(os.environ), cache=tmp_path / "cache", logs=logs)
    message = str(failure.value)
    assert "\n" not in message
    assert message.startswith("LaTeX: doc.tex:6: Undefined control sequence. (page cases/two); log: ")
    assert (logs / "doc.log").is_file() and (logs / "doc.latexmk.log").is_file()
    assert not list((tmp_path / "cache").glob("*.pdf"))


def test_unchanged_input_comes_from_the_cache(tmp_path: Path) -> None:
    latex = _latex_dir(tmp_path, "second page")
    cache = tmp_path / "cache"
    first = pdf_jobs.compile_all(latex, dict(os.environ), cache=cache, logs=tmp_path / "logs")
    assert [(r.name, r.cached) for r in first] == [("doc", False)]
    (latex / "doc.pdf").unlink()
    again = pdf_jobs.compile_all(latex, dict(os.environ), cache=cache, logs=tmp_path / "logs")
    assert [(r.name, r.cached) for r in again] == [("doc", True)]
    [cached] = cache.glob("*.pdf")
    assert (latex / "doc.pdf").read_bytes() == cached.read_bytes()
    # not copied: the cache entry's bytes, which the cache never writes again in place
    assert (latex / "doc.pdf").stat().st_ino == cached.stat().st_ino
    kept = cached.read_bytes()
    pdf_jobs._store(_other_pdf(tmp_path), cached)
    assert (latex / "doc.pdf").read_bytes() == kept != cached.read_bytes()


def _other_pdf(tmp_path: Path) -> Path:
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.5 other")
    return other


def test_a_placed_file_is_a_link_where_the_file_system_allows_and_a_copy_otherwise(tmp_path: Path,
                                                                                  monkeypatch) -> None:
    source = tmp_path / "a.pdf"
    source.write_bytes(b"%PDF-1.5 a")
    target = tmp_path / "site" / "a.pdf"
    target.parent.mkdir()
    target.write_bytes(b"an older file")
    pdf_jobs.place(source, target)
    assert target.read_bytes() == b"%PDF-1.5 a" and target.stat().st_ino == source.stat().st_ino

    def refused(*args: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refused)
    copied = tmp_path / "site" / "b.pdf"
    pdf_jobs.place(source, copied)
    assert copied.read_bytes() == b"%PDF-1.5 a" and copied.stat().st_ino != source.stat().st_ino


def test_the_publication_date_is_the_wards_date_in_japan() -> None:
    """A commit at 20:00 UTC is already the next day in Tokyo (the 更新履歴's date)."""
    from council.latex.dates import publication_date

    assert publication_date(1764446400) == "令和7年11月30日（2025年11月30日）"  # 2025-11-29T20:00Z


def test_print_columns_follow_their_content() -> None:
    """Long text gets the room; IDs, states and numbers keep their line; the columns fit the line."""
    from docutils import nodes

    from council.latex.print_tables import TEXT_WIDTH_PT, content_widths

    long_text = "乙は、第1項から第19項までに掲げる事項に違反し、又は怠ったことにより甲に損害を与えたときは、その損害を賠償する。"
    rows = [["CL_A_19", "19", "損害の賠償", "文言の変更", long_text * 2]] * 3
    table = nodes.table()
    group = nodes.tgroup(cols=5)
    table += group
    group += [nodes.colspec(colwidth=1) for _ in range(5)]
    head, body = nodes.thead(), nodes.tbody()
    group += [head, body]
    for part, cells in ((head, ["条項", "番号", "見出し", "変更", "変更箇所"]), *((body, r) for r in rows)):
        row = nodes.row()
        row += [nodes.entry("", nodes.paragraph("", text)) for text in cells]
        part += row
    content_widths(table)
    widths = [spec["colwidth"] for spec in group.findall(nodes.colspec)]
    assert "colwidths-given" in table["classes"]
    assert widths[4] > 2 * max(widths[:4])  # the text column
    padding = 12  # tenths of an em at 10 pt: 2 × 6 pt
    # CL_A_19 (3.9 em) and 文言の変更 (5 em) unbroken
    assert widths[0] - padding >= 38 and widths[3] - padding >= 50
    assert widths[1] - padding < 30  # a number column takes no more than it needs
    assert abs(sum(widths) - 10 * TEXT_WIDTH_PT / 10) <= 5  # the line, at 10 pt


def test_japanese_text_copies_as_written(tmp_path: Path) -> None:
    """upLaTeX + dvipdfmx embed Harano Aji with no ToUnicode map; the map added after
    (council_publish.tounicode) makes every font copyable, and the glyph upLaTeX sets
    for 鍵 copies as 鍵, not 鍵 + a variation selector (U+E0100) as in Adobe's map."""
    latex = _latex_dir(tmp_path, "")
    (latex / "doc.tex").write_text(
        "\\documentclass[uplatex,dvipdfmx]{ujarticle}\n\\usepackage[haranoaji]{pxchfon}\n"
        "\\pagestyle{empty}\\begin{document}\n鍵付きカバン等を使用する。\\textbf{第10項　再委託の禁止}\n\\end{document}\n",
        encoding="utf-8")
    pdf_jobs.compile_all(latex, dict(os.environ), cache=tmp_path / "cache", logs=tmp_path / "logs")
    fonts = subprocess.run(["pdffonts", str(latex / "doc.pdf")], capture_output=True, text=True, check=True)
    rows = [line.split() for line in fonts.stdout.splitlines()[2:]]
    assert any("HaranoAji" in row[0] for row in rows), fonts.stdout
    assert all(row[-3] == "yes" for row in rows), fonts.stdout  # the "uni" column
    text = subprocess.run(["pdftotext", str(latex / "doc.pdf"), "-"], capture_output=True, text=True, check=True)
    assert "".join(text.stdout.split()) == "鍵付きカバン等を使用する。第10項再委託の禁止"


def _shared_preamble_dir(tmp_path: Path, bodies: dict[str, str]) -> Path:
    """Documents whose preamble ends at the mark the site's LaTeX documents carry."""
    from council.latex.documents import PREAMBLE_END

    latex = _latex_dir(tmp_path, "")
    (latex / "doc.tex").unlink()
    for name, body in bodies.items():
        (latex / f"{name}.tex").write_text(
            "\\documentclass[dvipdfmx]{article}\n\\usepackage{hyperref}\n" + PREAMBLE_END + "\n"
            f"\\hypersetup{{pdftitle={{{name}}}}}\n\\begin{{document}}\n{body}\n\\end{{document}}\n",
            encoding="utf-8")
    return latex


def _format_used(log: Path) -> str | None:
    """The format a LaTeX run started from, as its log's first line names it
    (the name it was made under, then the date)."""
    match = re.search(r"\(preloaded format=(\S+) ", log.read_text(encoding="utf-8", errors="replace"))
    return match.group(1) if match else None


def test_documents_sharing_a_preamble_start_from_one_format(tmp_path: Path) -> None:
    """The shared preamble is read once into a format (council_publish.latex_formats),
    kept in the cache for the next publish, and removed when no preamble uses it."""
    from council_publish import latex_formats

    latex = _shared_preamble_dir(tmp_path, {"one": "alpha", "two": "beta"})
    cache = tmp_path / "cache"
    pdf_jobs.compile_all(latex, dict(os.environ), cache=cache, logs=tmp_path / "logs")
    [fmt] = cache.glob(f"{latex_formats.PREFIX}*.fmt")
    assert {_format_used(latex / "one.log"), _format_used(latex / "two.log")} == {fmt.stem}
    for name in ("one", "two"):
        info = subprocess.run(["pdfinfo", str(latex / f"{name}.pdf")], capture_output=True, text=True).stdout
        assert re.search(rf"^Title:\s+{name}$", info, re.MULTILINE), info  # the document's own part is read
        text = subprocess.run(["pdftotext", str(latex / f"{name}.pdf"), "-"], capture_output=True, text=True)
        assert text.stdout.split() == [{"one": "alpha", "two": "beta"}[name], "1"]
    made = fmt.stat().st_mtime_ns
    # one document edited: compiled alone, from the format of the last publish
    (latex / "two.tex").write_text((latex / "two.tex").read_text().replace("beta", "gamma"))
    again = pdf_jobs.compile_all(latex, dict(os.environ), cache=cache, logs=tmp_path / "logs")
    assert sorted((r.name, r.how) for r in again) == [("one", "cached"), ("two", "compiled")]
    assert _format_used(latex / "two.log") == fmt.stem and fmt.stat().st_mtime_ns == made
    # the preamble changed: a new format; the old one leaves the cache
    for name in ("one", "two"):
        tex = latex / f"{name}.tex"
        tex.write_text(tex.read_text().replace("\\usepackage{hyperref}", "\\usepackage{hyperref}\\usepackage{color}"))
    pdf_jobs.compile_all(latex, dict(os.environ), cache=cache, logs=tmp_path / "logs")
    [new] = cache.glob(f"{latex_formats.PREFIX}*.fmt")
    assert new != fmt and _format_used(latex / "one.log") == new.stem


def test_a_damaged_format_falls_back_to_the_whole_preamble(tmp_path: Path) -> None:
    """A format upLaTeX cannot load (say, from another TeX version) does not fail the
    publish: the document is compiled again as it is."""
    from council_publish import latex_formats

    latex = _shared_preamble_dir(tmp_path, {"one": "alpha", "two": "beta"})
    cache = tmp_path / "cache"
    pdf_jobs.compile_all(latex, dict(os.environ), cache=cache, logs=tmp_path / "logs")
    [fmt] = cache.glob(f"{latex_formats.PREFIX}*.fmt")
    fmt.write_bytes(b"not a format")
    for pdf in cache.glob("*.pdf"):
        pdf.unlink()
    results = pdf_jobs.compile_all(latex, dict(os.environ), cache=cache, logs=tmp_path / "logs")
    assert sorted((r.name, r.how) for r in results) == [("one", "compiled"), ("two", "compiled")]
    assert _format_used(latex / "one.log") == "uplatex"  # the engine's own format
    text = subprocess.run(["pdftotext", str(latex / "one.pdf"), "-"], capture_output=True, text=True)
    assert text.stdout.split() == ["alpha", "1"]


def _writer(latex: Path, script: str) -> subprocess.Popen:
    """A stand-in for ``sphinx-build -b latex``: a process that writes into *latex*."""
    import sys

    return subprocess.Popen([sys.executable, "-c", script], cwd=latex)


def test_documents_compile_while_the_next_are_written(tmp_path: Path) -> None:
    """Each document listed as whole is compiled at once; the writer is still
    writing the next (council_publish.pdf_jobs, WRITTEN_FILE)."""
    latex = _shared_preamble_dir(tmp_path, {"one": "alpha", "two": "beta"})
    (latex / "two.tex").rename(tmp_path / "two.tex")
    (latex / "one.tex").rename(tmp_path / "one.tex")
    seen = tmp_path / "one-compiled-before-two-written"
    script = (
        "import pathlib, shutil, time\n"
        f"src, latex = pathlib.Path({str(tmp_path)!r}), pathlib.Path({str(latex)!r})\n"
        "for name in ('one', 'two'):\n"
        "    shutil.copy(src / f'{name}.tex', latex)\n"
        "    with open(latex / 'written.txt', 'a') as f: f.write(f'{name}.tex\\n')\n"
        "    if name == 'one':\n"
        "        for _ in range(600):\n"  # until one.pdf exists, at most a minute
        "            if (latex / 'one.pdf').exists():\n"
        f"                pathlib.Path({str(seen)!r}).touch()\n"
        "                break\n"
        "            time.sleep(0.1)\n"
    )
    writer = _writer(latex, script)
    results = pdf_jobs.compile_all(latex, dict(os.environ), cache=tmp_path / "cache", logs=tmp_path / "logs",
                                   writer=writer)
    assert sorted((r.name, r.how) for r in results) == [("one", "compiled"), ("two", "compiled")]
    assert seen.is_file()  # one.pdf was there before the writer wrote two.tex
    assert writer.returncode == 0


def test_a_failed_writer_fails_the_step(tmp_path: Path) -> None:
    latex = _shared_preamble_dir(tmp_path, {"one": "alpha"})
    (latex / "written.txt").write_text("one.tex\n")
    writer = _writer(latex, "raise SystemExit(2)")
    with pytest.raises(BuildFailed, match=r"^sphinx-build -b latex failed \(exit status 2\)$"):
        pdf_jobs.compile_all(latex, dict(os.environ), cache=tmp_path / "cache", logs=tmp_path / "logs",
                             writer=writer)


def test_a_document_waits_for_its_figures(tmp_path: Path) -> None:
    """A document naming a figure not yet copied (Sphinx copies figures after the
    last document) is compiled once the writer has finished."""
    latex = _shared_preamble_dir(tmp_path, {"one": "\\IfFileExists{figure-2.pdf}{with figure}{without}"})
    (latex / "one.tex").write_text((latex / "one.tex").read_text().replace(
        "\\end{document}", "% \\includegraphics{figure-2.pdf}\n\\end{document}"))
    (latex / "written.txt").write_text("one.tex\n")
    script = ("import time, pathlib\ntime.sleep(2)\n"
              "pathlib.Path('figure-2.pdf').write_bytes(pathlib.Path('figure-1.pdf').read_bytes())\n")
    writer = _writer(latex, script)
    pdf_jobs.compile_all(latex, dict(os.environ), cache=tmp_path / "cache", logs=tmp_path / "logs", writer=writer)
    text = subprocess.run(["pdftotext", str(latex / "one.pdf"), "-"], capture_output=True, text=True)
    assert text.stdout.split()[:2] == ["with", "ﬁgure"]


def test_a_document_changed_after_it_was_listed_is_compiled_again(tmp_path: Path) -> None:
    """Were a document listed before its last write, its PDF would show a part of it:
    the step compares each compiled input with the final one."""
    latex = _shared_preamble_dir(tmp_path, {"one": "alpha"})
    (latex / "written.txt").write_text("one.tex\n")
    script = ("import time, pathlib\n"
              "for _ in range(600):\n"
              "    if pathlib.Path('one.pdf').exists(): break\n"
              "    time.sleep(0.1)\n"
              "tex = pathlib.Path('one.tex')\n"
              "tex.write_text(tex.read_text().replace('alpha', 'omega'))\n")
    writer = _writer(latex, script)
    results = pdf_jobs.compile_all(latex, dict(os.environ), cache=tmp_path / "cache", logs=tmp_path / "logs",
                                   writer=writer)
    assert [(r.name, r.how) for r in results] == [("one", "compiled")]
    text = subprocess.run(["pdftotext", str(latex / "one.pdf"), "-"], capture_output=True, text=True)
    assert text.stdout.split() == ["omega", "1"]
    assert len(list((tmp_path / "cache").glob("*.pdf"))) == 1  # the first PDF left the cache


def test_the_published_pdfs_are_the_latex_directorys_own(tmp_path: Path) -> None:
    """publish_pdfs puts each compiled PDF into the site without copying its bytes."""
    from council_publish.pipeline import BuildContext
    from council_publish.sphinx_steps import publish_pdfs

    ctx = BuildContext(source=tmp_path / "src", staging=tmp_path / "staging", env={})
    latex = ctx.staging / "latex"
    latex.mkdir(parents=True)
    for name in ("2025-a", "2025"):
        (latex / f"{name}.tex").write_text("x", encoding="utf-8")
        (latex / f"{name}.pdf").write_bytes(f"%PDF-1.5 {name}".encode())
    publish_pdfs(ctx)
    for name in ("2025-a", "2025"):
        published = ctx.html / "pdf" / f"{name}.pdf"
        assert published.read_bytes() == f"%PDF-1.5 {name}".encode()
        assert published.stat().st_ino == (latex / f"{name}.pdf").stat().st_ino
