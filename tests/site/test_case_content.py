"""Content rules of the published cases, read from their pages (no build):
the fiscal-year rule, reviewed links only, provenance, fingerprints, and the
mapping fixes of issue 16."""

from __future__ import annotations

import re

import pytest

from helpers import REPO

from council_import.confirm import _project_needs
from council_import.document import fiscal_year_of
from council_import.pages import read_dir
from council_import.parse import material_of, parse_document
from council.rules.suspect import suspect_links

NEEDS = {n.id: n for n in read_dir(REPO / "cases")}
CASES = sorted(i for i, n in NEEDS.items() if n.type == "case")


def _works(case_id: str):
    return [n for n in NEEDS.values() if n.type in ("entrustment", "development") and n.links.get("part_of") == [case_id]]


@pytest.mark.parametrize("case_id", CASES)
def test_fiscal_year_is_that_of_the_earliest_entrustment(case_id):
    works = _works(case_id)
    counted = [w for w in works if w.type == "entrustment"] or works
    year = min(fiscal_year_of(w.options["start"]) for w in counted)
    assert int(NEEDS[case_id].options["fiscal_year"]) == year
    # The year in the IDs of the case and of everything in it is that year.
    page = NEEDS[case_id].path
    for n in NEEDS.values():
        if n.path == page and n.type in ("case", "entrustment", "development", "safeguard", "exemption"):
            assert re.match(rf"^[A-Z]+_{year}_", n.id), n.id


def test_fureai_shows_both_years_where_they_differ():
    # Its development ran in FY2017 (平成30年2月〜3月), its entrustment from FY2018.
    text = (REPO / "cases" / "2018-fureai.md").read_text(encoding="utf-8")
    assert fiscal_year_of(NEEDS["DEV_2018_FUREAI_1"].options["start"]) == 2017
    assert "2017年度（平成29年度）に行われています" in text and "2018年度（平成30年度）" in text


def test_no_proposal_is_left_on_a_published_page():
    for path in sorted((REPO / "cases").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert "trace: 提案" not in text and "council-proposed" not in text, path.name


def _source_measures(case_id: str) -> int:
    """How many numbered measures the case's source document states."""
    source = (REPO / "sources" / NEEDS[case_id].options["source"]).read_text(encoding="utf-8")
    return sum(len(work.safeguards) for work in parse_document(source).works)


def test_the_fifth_case_has_its_measures_confirmed_on_its_own_edition():
    safeguards = [n for n in NEEDS.values() if n.type == "safeguard" and n.id.startswith("SG_2020_JIDO_")]
    # every measure of the source, none invented
    assert len(safeguards) == _source_measures("CASE_2020_JIDO") > 0
    assert all(n.options.get("trace") == "確認済" for n in safeguards)
    assert all(b.startswith("CL_C_") for n in safeguards for b in n.links["binds"])
    assert {NEEDS[w].links["terms"][0] for w in ("DEV_2020_JIDO_1", "ENT_2020_JIDO_1")} == {"ED_C"}
    content = " ".join(n.content for n in safeguards)
    assert "パ ターン" not in content


def test_fureai_mapping_fixes():
    assert "CL_A_11" not in NEEDS["SG_2018_FUREAI_D1_WO_05"].links["binds"]
    assert "CHK_CS_09" not in NEEDS["SG_2018_FUREAI_E1_CS_03"].links["satisfies"]
    # No other measure of fureai claims CS_09 either: it is not covered.
    fureai = [n for n in NEEDS.values() if n.type == "safeguard" and n.id.startswith("SG_2018_FUREAI_")]
    assert not any("CHK_CS_09" in n.links.get("satisfies", []) for n in fureai)


@pytest.mark.parametrize("case_id", CASES)
def test_material_number_is_the_documents_own_reference(case_id):
    case = NEEDS[case_id]
    material, inferred = material_of((REPO / "sources" / case.options["source"]).read_text(encoding="utf-8"))
    assert case.options.get("material", "") == material
    assert (case.options.get("material_inferred") == "true") == inferred
    # Meeting data is never invented: no source states it.
    assert not {"meeting", "meeting_date", "outcome"} & set(case.options)


def test_every_confirmed_trace_matches_the_current_texts():
    needs = _project_needs(REPO)
    confirmed = [n for n in needs.values() if n["type"] == "safeguard" and n.get("trace") != "提案"]
    assert confirmed and all(n.get("confirmed_against") for n in confirmed)
    assert suspect_links(needs) == {}


@pytest.mark.parametrize("case_id", CASES)
def test_each_work_item_has_exactly_the_measures_of_its_source(case_id):
    """Derived from the source document, not pinned: editing a case keeps this true or fails it."""
    source = (REPO / "sources" / NEEDS[case_id].options["source"]).read_text(encoding="utf-8")
    stated = {}
    for work in parse_document(source).works:
        stated.setdefault(work.kind, []).append(
            (sum(s.applies for s in work.safeguards), sum(not s.applies for s in work.safeguards)))
    published = {}
    for work in sorted(_works(case_id), key=lambda n: n.id):
        kids = [n for n in NEEDS.values() if n.links.get("part_of") == [work.id]]
        published.setdefault(work.type, []).append(
            (sum(n.type == "safeguard" for n in kids), sum(n.type == "exemption" for n in kids)))
    assert published == stated
