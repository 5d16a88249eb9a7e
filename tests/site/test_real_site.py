"""The real site: all four source documents, fully traced."""

from __future__ import annotations

from collections import Counter

from bs4 import BeautifulSoup

from helpers import warning_lines

CASES = {
    "CASE_2019_JIRITSU": "cases/2019-jiritsu",
    "CASE_2019_SASAEAI": "cases/2019-sasaeai",
    "CASE_2025_HOGO_INJI": "cases/2025-hogo-inji",
    "CASE_2018_FUREAI": "cases/2018-fureai",
}


def of_type(needs: dict, need_type: str) -> dict:
    return {k: v for k, v in needs.items() if v["type"] == need_type}


def test_site_builds_without_warnings(site_app):
    assert warning_lines(site_app) == []
    assert site_app.statuscode == 0


def test_all_four_cases_are_published(needs):
    cases = of_type(needs, "case")
    assert {k: v["docname"] for k, v in cases.items()} == CASES


def test_both_clause_editions_are_complete(needs):
    clauses = of_type(needs, "clause")
    per_edition = Counter(c["part_of"][0] for c in clauses.values())
    assert per_edition == {"ED_A": 19, "ED_B": 21}
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
    assert len(safeguards) == 44 + 25 + 48 + 13
    for sid, sg in safeguards.items():
        assert sg["satisfies"], sid
        assert sg["binds"], sid
        assert {needs[t]["type"] for t in sg["satisfies"]} == {"checkitem"}, sid
        assert {needs[t]["type"] for t in sg["binds"]} == {"clause"}, sid
        # The checklist item is for the same actor as the measure.
        assert {needs[t]["actor"] for t in sg["satisfies"]} == {sg["actor"]}, sid


def test_safeguards_per_work_item(needs):
    per_work = Counter(sg["part_of"][0] for sg in of_type(needs, "safeguard").values())
    assert per_work == {
        "ENT_2019_JIRITSU_1": 22,
        "ENT_2019_JIRITSU_2": 22,
        "ENT_2019_SASAEAI_1": 25,
        "ENT_2025_HOGO_INJI_1": 48,
        "DEV_2018_FUREAI_1": 5,
        "ENT_2018_FUREAI_1": 8,
    }


def test_assumed_edition_is_flagged(needs, site_html):
    ent = needs["ENT_2025_HOGO_INJI_1"]
    assert ent["terms"] == ["ED_B"]
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
