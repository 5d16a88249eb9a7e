"""Japanese full-text search (Pagefind) finds the right cases in the browser."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

#: query → the case page it must find, and whether that page must come first.
QUERIES = [
    ("個人情報", "cases/2025-hogo-inji.html", False),
    ("再委託", "cases/2025-hogo-inji.html", False),
    ("受託事業者", "cases/2019-jiritsu.html", False),
    ("社会福祉法人新宿区社会福祉協議会", "cases/2019-jiritsu.html", True),
    ("株式会社エンパブリック", "cases/2019-sasaeai.html", True),
    ("福祉部生活福祉課", "cases/2025-hogo-inji.html", True),
    ("地域包括ケア推進課", "cases/2018-fureai.html", False),
    ("生活困窮者自立支援事業", "cases/2019-jiritsu.html", True),
    ("封入封緘", "cases/2025-hogo-inji.html", True),
]


def result_paths(page) -> list[str]:
    """The result pages in order, once the search has finished and every shown result loaded."""
    page.wait_for_function(
        """() => {
          const message = document.querySelector('.pagefind-ui__message');
          if (!message || message.textContent.includes('検索しています')) return false;
          if (message.textContent.includes('ありません')) return true;
          const shown = document.querySelectorAll('.pagefind-ui__result').length;
          const loaded = document.querySelectorAll('.pagefind-ui__result-link').length;
          return shown > 0 && loaded === shown;
        }"""
    )
    links = page.eval_on_selector_all(
        ".pagefind-ui__result-link", "els => els.map(e => new URL(e.href).pathname)"
    )
    return [link.lstrip("/") for link in links]


def all_result_paths(page) -> list[str]:
    """Every result, in order: the UI shows five and a button that loads more."""
    paths = result_paths(page)
    more = page.locator("button.pagefind-ui__button")
    while more.count() and more.first.is_visible():
        more.first.click()
        page.wait_for_function(f"document.querySelectorAll('.pagefind-ui__result').length > {len(paths)}")
        paths = result_paths(page)
    return paths


@pytest.mark.parametrize(("query", "expected", "first"), QUERIES)
def test_query_finds_case(visit, query, expected, first):
    """A word every case uses (個人情報) finds each of them, perhaps past the first five
    results; a department, contractor or business finds its case first."""
    page = visit.open("search.html")
    page.locator(".pagefind-ui__search-input").fill(query)
    paths = result_paths(page) if first else all_result_paths(page)
    assert expected in paths, f"{query}: {paths}"
    if first:
        assert paths[0] == expected, f"{query}: {paths}"
    # Case pages outrank the lists that merely link to them.
    assert not any(p.startswith("browse/") for p in paths[: paths.index(expected)]), paths


def test_compound_words_find_every_case_that_uses_them(visit):
    page = visit.open("search.html?q=" + "受託事業者")
    paths = result_paths(page)
    cases = [p for p in paths if p.startswith("cases/") and p != "cases/"]
    assert len(cases) >= 3, paths


def test_nonsense_finds_nothing(visit):
    page = visit.open("search.html")
    page.locator(".pagefind-ui__search-input").fill("存在しない語句ゾゾゾ")
    page.wait_for_selector(".pagefind-ui__message")
    page.wait_for_function("document.querySelector('.pagefind-ui__message').textContent.includes('ありません')")
    assert page.locator(".pagefind-ui__result-link").count() == 0


def test_sidebar_box_sends_words_to_search_page(visit):
    page = visit.open("cases/2019-jiritsu.html")
    box = page.locator("form.sidebar-search-container input[name=q]")
    box.fill("株式会社エンパブリック")
    box.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    assert result_paths(page)[0] == "cases/2019-sasaeai.html"


FACETS = {"開始年度", "担当部課", "委託先", "審議機関", "手続", "根拠規定"}


def facet_names(page) -> set[str]:
    return {name.strip() for name in page.locator(".pagefind-ui__filter-name").all_inner_texts()}


def test_every_facet_shown_with_the_first_results(visit):
    """Pagefind UI lists the facets that its first search returns, and a search
    that finished before every filter chunk had loaded returned only the loaded
    ones: 2 of the 6 facets in 1 page load of 40, and so until the next search.
    Here that order is forced: the first filter chunk loads at once, the search
    index after 0.75 s, the other filter chunks after 1.5 s. The first results
    must still come with all six facets."""
    held: dict[str, list] = {"index": [], "filter": []}
    released: set[str] = set()
    first_filter: list[str] = []

    def hold(route) -> None:
        kind = "filter" if route.request.url.endswith(".pf_filter") else "index"
        if kind == "filter" and not first_filter:
            first_filter.append(route.request.url)
            route.fallback()
        elif kind in released:
            route.fallback()
        else:
            held[kind].append(route)

    visit.context.route("**/pagefind/*/*.pf_*", hold)
    page = visit.open("search.html?q=" + "受託事業者")
    for kind in ("index", "filter"):
        page.wait_for_timeout(750)
        released.add(kind)
        for route in held[kind]:
            route.fallback()
    assert first_filter and held["filter"], "Pagefind no longer loads its filters in chunks"
    result_paths(page)
    assert FACETS <= facet_names(page)


def test_facets_filter_by_fiscal_year(visit):
    page = visit.open("search.html?q=" + "受託事業者")
    result_paths(page)
    page.wait_for_function("document.querySelectorAll('.pagefind-ui__filter-name').length >= 6")
    assert FACETS <= facet_names(page)
    page.locator(".pagefind-ui__filter-name", has_text="開始年度").click()
    page.get_by_label("2018年度").check()
    page.wait_for_function(
        "[...document.querySelectorAll('.pagefind-ui__result-link')]"
        ".every(a => a.href.endsWith('cases/2018-fureai.html'))"
    )
    assert result_paths(page) == ["cases/2018-fureai.html"]


def test_a_case_is_indexed_by_its_text_not_its_reviewer_tables(visit):
    """The reviewer material under a case (its matrices, coverage table and
    downloads) repeats the checklist's and the clauses' words in every case:
    indexed, it made half of a case's index entry and of the index's time. A
    case is found by its own text, and its result shows that text."""
    page = visit.open("search.html")
    content = page.evaluate(
        """async () => {
          const pagefind = await import('./pagefind/pagefind.js');
          const search = await pagefind.search('封入封緘');
          for (const result of search.results) {
            const data = await result.data();
            if (data.url.endsWith('cases/2025-hogo-inji.html')) return data.content;
          }
          return null;
        }"""
    )
    assert content is not None, "封入封緘 no longer finds its case"
    assert "封入封緘" in content
    for reviewer_only in ("充足状況の集計", "情報保護対策 → チェックリスト項目 → 特記事項の条項"):
        assert reviewer_only not in content
