"""Every page type in the browser: accessibility (axe-core), no request off
the site, phone width, Japanese interface, links from a safeguard and back."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

#: One page of each type a reader meets.
PAGE_TYPES = {
    "top": "index.html",
    "case": "cases/2025-hogo-inji.html",
    "clause edition": "clauses/edition-b.html",
    "checklist": "clauses/checklist.html",
    "browse": "browse/department.html",
    "search": "search.html?q=再委託",
    "docs": "docs/accessibility.html",
}

#: Interface text of Sphinx, furo and sphinx-needs that must not reach readers in English.
ENGLISH_UI = re.compile(
    r"Back to top|Skip to content|\bContents\b|On this page|\bNext\b|\bPrevious\b|Made with"
    r"|Copyright|\bSearch\b|Link to this|Toggle|\bExpand\b|\bMenu\b|Light mode|Dark mode|View this page"
)

SERIOUS = {"serious", "critical"}


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def run_axe(page) -> list[dict]:
    page.add_script_tag(content=_axe_source())
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return result["violations"]


def settle(page, path: str) -> None:
    if path.startswith("search.html"):
        page.wait_for_selector(".pagefind-ui__result-link")


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_axe_finds_no_serious_violation(visit, kind):
    path = PAGE_TYPES[kind]
    page = visit.open(path)
    settle(page, path)
    violations = [v for v in run_axe(page) if v["impact"] in SERIOUS]
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert summary == [], json.dumps(summary, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_works_without_the_outside_world(visit, kind):
    path = PAGE_TYPES[kind]
    page = visit.open(path)
    settle(page, path)
    page.wait_for_load_state("networkidle")
    assert page.locator("article h1").first.is_visible()
    assert visit.external == []
    assert visit.errors == []


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_interface_is_japanese(visit, kind):
    path = PAGE_TYPES[kind]
    page = visit.open(path)
    settle(page, path)
    assert page.get_attribute("html", "lang") == "ja"
    labels = page.evaluate(
        "() => [...document.querySelectorAll('[aria-label],[title],[placeholder]')]"
        ".map(e => [e.getAttribute('aria-label'), e.getAttribute('title'), e.getAttribute('placeholder')].join(' '))"
    )
    shown = page.evaluate("() => document.body.innerText")
    found = sorted(set(ENGLISH_UI.findall(shown + "\n" + "\n".join(labels))))
    assert found == []


@pytest.mark.parametrize("kind", ["case", "top", "checklist", "search"])
def test_phone_width_has_no_horizontal_scroll(visit, kind):
    path = PAGE_TYPES[kind]
    page = visit.open(path, width=375, height=812)
    settle(page, path)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the phone"


def test_keyboard_reaches_content_first(visit):
    page = visit.open("cases/2019-jiritsu.html")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]")
    assert focused == ["本文へ移動", "#furo-main-content"]
    page.keyboard.press("Enter")
    assert page.url.endswith("#furo-main-content")


def test_safeguard_to_checklist_item_and_clause_and_back(visit):
    case = "cases/2025-hogo-inji.html"
    safeguard = "SG_2025_HOGO_INJI_E1_WO_01"
    page = visit.open(f"{case}#{safeguard}")
    need = page.locator(f"table#{safeguard}")
    for link_class, target_page in (("satisfies", "clauses/checklist.html"), ("binds", "clauses/edition-c.html")):
        link = need.locator(f"span.{link_class} a").first
        target_id = link.inner_text().strip()
        link.click()
        page.wait_for_url(f"**/{target_page}#{target_id}")
        target = page.locator(f"table#{target_id}")
        assert target.is_visible()
        back = target.locator(f"a[href$='{case}#{safeguard}']")
        assert back.count() == 1, f"{target_id} does not link back to {safeguard}"
        back.click()
        page.wait_for_url(f"**/{case}#{safeguard}")
        assert need.is_visible()


SHOT_PAGES = {k: v for k, v in PAGE_TYPES.items()}


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots(visit, tmp_path_factory, width):
    """Screenshots of the main page types for people to look at
    (into ``$COUNCIL_SCREENSHOTS`` when set)."""
    target = Path(os.environ.get("COUNCIL_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    target.mkdir(parents=True, exist_ok=True)
    for kind, path in SHOT_PAGES.items():
        page = visit.open(path, width=width, height=900)
        settle(page, path)
        name = f"{kind.replace(' ', '-')}-{width}.png"
        page.screenshot(path=str(target / name), full_page=False)
        assert (target / name).stat().st_size > 10_000
        page.close()
