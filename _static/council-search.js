// Start Pagefind's search UI on the search page; the words sent by the
// sidebar search box (?q=...) are searched at once.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("council-search");
  if (!root || typeof PagefindUI === "undefined") {
    return;
  }
  var ui = new PagefindUI({
    element: "#council-search",
    bundlePath: new URL(root.dataset.bundle, document.baseURI).href,
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
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
});
