"""The real site: every source document, fully traced."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bs4 import BeautifulSoup

from helpers import REPO, warning_lines

from council_import.pages import read_dir

#: What the content pages define; the build must publish exactly that.
PAGE_NEEDS = read_dir(REPO / "cases")
CASES = {n.id: f"cases/{Path(n.path).stem}" for n in PAGE_NEEDS if n.type == "case"}


def of_type(needs: dict, need_type: str) -> dict:
    return {k: v for k, v in needs.items() if v["type"] == need_type}


def test_site_builds_without_warnings(site_app):
    assert warning_lines(site_app) == []
    assert site_app.statuscode == 0


def test_every_case_page_is_published(needs):
    assert len(CASES) >= 5
    cases = of_type(needs, "case")
    assert {k: v["docname"] for k, v in cases.items()} == CASES


def test_every_clause_edition_is_complete(needs):
    clauses = of_type(needs, "clause")
    per_edition = Counter(c["part_of"][0] for c in clauses.values())
    assert per_edition == {"ED_A": 19, "ED_B": 21, "ED_C": 21}
    # The FY2020 edition revises the 21-clause edition clause by clause.
    assert all(needs[f"CL_C_{n:02d}"]["revises"] == [f"CL_B_{n:02d}"] for n in range(1, 22))
    # Each 21-clause clause with a predecessor links to it; 15 and 16 are new.
    revised = {k: v["revises"] for k, v in clauses.items() if k.startswith("CL_B_")}
    assert revised["CL_B_10"] == ["CL_A_10"]
    assert revised["CL_B_17"] == ["CL_A_15"]
    assert revised["CL_B_15"] == revised["CL_B_16"] == []
    assert needs["CL_A_19"]["revises_back"] == ["CL_B_21"]


def test_checklist_has_every_item(needs):
    items = of_type(needs, "checkitem")
    groups = Counter((v["actor"], v["aspect"]) for v in items.values())
    assert groups == {("区", "運用"): 13, ("区", "システム"): 11, ("受託者", "運用"): 13, ("受託者", "システム"): 11}
    assert all(v["category"] for v in items.values())


def test_every_safeguard_is_traced_to_checkitem_and_clause(needs):
    safeguards = of_type(needs, "safeguard")
    assert len(safeguards) == sum(1 for n in PAGE_NEEDS if n.type == "safeguard")
    for sid, sg in safeguards.items():
        assert sg["satisfies"], sid
        assert sg["binds"], sid
        assert {needs[t]["type"] for t in sg["satisfies"]} == {"checkitem"}, sid
        assert {needs[t]["type"] for t in sg["binds"]} == {"clause"}, sid
        # The checklist item is for the same actor as the measure.
        assert {needs[t]["actor"] for t in sg["satisfies"]} == {sg["actor"]}, sid


def test_safeguards_per_work_item(needs):
    per_work = Counter(sg["part_of"][0] for sg in of_type(needs, "safeguard").values())
    assert per_work == Counter(n.links["part_of"][0] for n in PAGE_NEEDS if n.type == "safeguard")


def test_assumed_edition_is_flagged(needs, site_html):
    ent = needs["ENT_2025_HOGO_INJI_1"]
    # The newest edition a source prints (ED_C, FY2020) is assumed.
    assert ent["terms"] == ["ED_C"]
    assert ent["terms_assumed"] is True
    page = (site_html / "cases/2025-hogo-inji.html").read_text(encoding="utf-8")
    assert "本サイトによる推定" in page


def test_case_page_shows_safeguard_text_and_links(needs, site_html):
    html = (site_html / "cases/2018-fureai.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    text = soup.get_text()
    for sg in (v for v in needs.values() if v["type"] == "safeguard" and v["docname"] == "cases/2018-fureai"):
        assert sg["content"].splitlines()[0] in text
    # The first safeguard links to its checklist item and clause pages.
    hrefs = {a.get("href") for a in soup.find_all("a")}
    assert any(h and h.startswith("../clauses/checklist.html#CHK_WO_01") for h in hrefs)
    assert any(h and h.startswith("../clauses/edition-a.html#CL_A_01") for h in hrefs)


def test_clause_page_lists_safeguards_that_rely_on_it(needs, site_html):
    soup = BeautifulSoup((site_html / "clauses/edition-a.html").read_text(encoding="utf-8"), "html.parser")
    clause = soup.find(id="CL_A_01")
    assert clause is not None
    # the links name the case and the measure; their targets are the measures
    linked = {a.get("href", "") for a in clause.find_all("a")}
    for sid in needs["CL_A_01"]["binds_back"]:
        assert any(h.endswith(f"#{sid}") for h in linked), sid
