"""The case comparison page: static without a script, a choice of cases with it."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser


def _headers(page) -> list[str]:
    return [t.strip() for t in page.locator("#council-compare-result thead th").all_inner_texts()]


def test_compare_without_script_shows_the_newest_cases(browser, site_url, built_site):
    context = browser.new_context(locale="ja-JP", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "traceability/compare.html")
        headers = _headers(page)
        data = json.loads((built_site / "exports" / "compare.json").read_text(encoding="utf-8"))
        assert headers == ["チェックリスト項目", *(c["header"] for c in data["cases"][:4])]
        assert page.locator(".council-compare-default").is_visible()
        assert page.locator("a[href$='checkitem-case.xlsx']").count() == 1
    finally:
        context.close()


def test_compare_chosen_cases_filtered_by_year(visit, built_site):
    data = json.loads((built_site / "exports" / "compare.json").read_text(encoding="utf-8"))
    in_2019 = [c for c in data["cases"] if c["year"] == 2019]
    assert len(in_2019) >= 2
    page = visit.open("traceability/compare.html?year=2019")
    page.wait_for_selector("form.council-compare-form")
    # Only the cases of the year are offered.
    offered = page.locator("form.council-compare-form input[name=case]")
    assert sorted(offered.evaluate_all("els => els.map(e => e.value)")) == sorted(c["id"] for c in in_2019)
    for case in in_2019[:2]:
        page.check(f"#council-compare-{case['id']}")
    page.click("form.council-compare-form button[type=submit]")
    page.wait_for_url("**case=*")
    page.wait_for_function("document.querySelectorAll('#council-compare-result thead th').length === 3")
    assert _headers(page) == ["チェックリスト項目", *(c["header"] for c in in_2019[:2])]
    first = in_2019[0]
    cells = page.locator("#council-compare-result tbody tr").nth(1).locator("td").all_inner_texts()
    assert cells[0] == data["statuses"][first["status"][0]]
    assert not page.locator(".council-compare-default").is_visible()
    assert visit.errors == [] and visit.external == []


CROSS_PAGES = ["traceability/clause-case.html", "traceability/checkitem-case.html",
               "traceability/data-case.html", "traceability/compare.html", "traceability/downloads.html"]


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("path", CROSS_PAGES)
def test_cross_case_pages_pass_axe_and_fit_a_phone(visit, path, width):
    from test_pages import SERIOUS, run_axe

    page = visit.open(path, width=width, height=812)
    # Open every closed list, so that its content is checked too.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in run_axe(page)
                  if v["impact"] in SERIOUS]
    assert violations == []
    if width == 375:
        assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
