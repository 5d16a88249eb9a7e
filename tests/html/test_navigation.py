"""The sidebar does not list every page of a large section on every page.

Furo's own navigation lists every case on every page (per-page work that
grows with the site); ``council.html.navigation`` leaves out the entries of a page
that has more than ``council_navigation_max_children`` sub-pages, except the
current page and its ancestors.
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup


def _sidebar_links(page: Path) -> list[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    tree = soup.select_one(".sidebar-tree")
    assert tree is not None
    return [a.get_text(strip=True) for a in tree.find_all("a")]


def test_small_sections_are_listed_in_full(build_project) -> None:
    app = build_project("site-minimal")
    links = _sidebar_links(Path(app.outdir) / "cases" / "case.html")
    assert "特記事項 19項版（版 A）" in " ".join(links) or any("19項版" in link for link in links)
    assert any("チェックリスト" in link for link in links)


def test_large_sections_show_only_the_current_page(build_project) -> None:
    app = build_project("site-minimal", confoverrides={"council_navigation_max_children": 2})
    out = Path(app.outdir)
    on_case = _sidebar_links(out / "cases" / "case.html")
    assert any("特記事項とチェックリスト" in link for link in on_case)
    assert not any("19項版" in link for link in on_case)
    on_edition_a = _sidebar_links(out / "clauses" / "edition-a.html")
    assert any("19項版" in link for link in on_edition_a)
    assert not any("21項版" in link for link in on_edition_a)
    assert not any("チェックリスト" == link for link in on_edition_a)


def test_the_current_page_is_marked(build_project) -> None:
    app = build_project("site-minimal")
    soup = BeautifulSoup((Path(app.outdir) / "clauses" / "edition-a.html").read_text(encoding="utf-8"), "html.parser")
    current = soup.select(".sidebar-tree li.current-page > a")
    assert [a.get_text(strip=True) for a in current] == [soup.select_one("h1").get_text(strip=True).rstrip("¶#")]
