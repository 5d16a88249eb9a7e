// Start Pagefind's search UI on the search page; the words sent by the
// sidebar search box (?q=...) are searched at once.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("council-search");
  if (!root || typeof PagefindUI === "undefined") {
    return;
  }
  var bundle = new URL(root.dataset.bundle, document.baseURI).href;
  var ui = new PagefindUI({
    element: "#council-search",
    bundlePath: bundle,
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    translations: {
      placeholder: "検索する語を入力",
      clear_search: "クリア",
      load_more: "さらに表示",
      search_label: "サイト内を検索",
      filters_label: "絞り込み",
      zero_results: "「[SEARCH_TERM]」に一致するページはありません",
      many_results: "「[SEARCH_TERM]」に一致するページ: [COUNT] 件",
      one_result: "「[SEARCH_TERM]」に一致するページ: [COUNT] 件",
      alt_search: "「[SEARCH_TERM]」に一致するページはありません。「[DIFFERENT_TERM]」の結果を表示しています",
      search_suggestion: "「[SEARCH_TERM]」に一致するページはありません。別の語で検索してください",
      searching: "「[SEARCH_TERM]」を検索しています…",
    },
  });
  // Pagefind UI (1.5) lists the filters that the first search returns, and a
  // search that finishes before every filter chunk has loaded returns only some
  // of them: only some of the 6 facets (10 of 150 loads on a busy machine), until the next search.
  // The UI imports this same module, so loading the filters here first, before
  // any search, makes the first search see all of them.
  var filtersLoaded = import(bundle + "pagefind.js")
    .then(function (pagefind) {
      return pagefind.filters();
    })
    .catch(function () {});
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    filtersLoaded.then(function () {
      ui.triggerSearch(query);
    });
  }
});
