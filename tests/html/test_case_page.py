"""The reader-first case page (issue 14): reading order, semantic markup,
names instead of IDs, provenance without file names, collapsed notes."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

CASES = ["2018-fureai", "2019-jiritsu", "2019-sasaeai", "2025-hogo-inji"]


def _page(site_html: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((site_html / "cases" / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def _order(article, selectors: list[str]) -> list[int]:
    elements = list(article.descendants)
    return [elements.index(article.select_one(s)) for s in selectors]


@pytest.mark.parametrize("name", CASES)
def test_case_page_reads_in_the_agreed_order(site_html, name):
    article = _page(site_html, name).find("article")
    positions = _order(article, [
        "nav.council-breadcrumb", "p.council-caption", "h1", "dl.council-case-summary",
        "div.council-downloads", "nav.council-contents", "div.council-overview", "ol.council-measures",
        "section#council-notes", "details.council-reviewer",
    ])
    assert positions == sorted(positions)


@pytest.mark.parametrize("name", CASES)
def test_case_page_has_no_layout_tables_and_no_bare_id_links(site_html, name):
    article = _page(site_html, name).find("article")
    # the only tables are the reviewer's matrices, collapsed
    assert all(t.find_parent("details", class_="council-reviewer") for t in article.find_all("table"))
    for link in article.select("ol.council-measures a"):
        text = link.get_text()
        if "council-need-id" in link.get("class", []):
            # its own permalink: the whole ID in the URL and the title, its own part shown
            own = link["href"].removeprefix("#")
            assert link.find_parent(id=own) is not None and own.endswith(text), (own, text)
            assert link["title"] == f"ID: {own}"
            continue
        assert not text.replace("_", "").isalnum() or not text.isascii(), text


def test_case_summary_lists_provenance_fields_verbatim_and_no_file_name(site_html):
    soup = _page(site_html, "2019-jiritsu")
    summary = soup.select_one("dl.council-case-summary")
    rows = {dt.get_text(): dt.find_next_sibling("dd").get_text(" ", strip=True) for dt in summary.find_all("dt")}
    assert list(rows) == ["委託先", "扱う個人情報", "記録媒体", "期間", "担当部課", "根拠規定", "審議機関・手続", "資料番号"]
    # read from the attachments the document cites, so tagged as the site's reading
    assert rows["資料番号"] == "資料61 ［推定］"
    assert rows["記録媒体"] == (
        "紙及び電磁的媒体(委託先のパソコン及び生活困窮者自立支援統計システム※) ※…自立相談支援事業を実施するにあたり、"
        "国が定める帳票類の入力、出力及び集計等を処理する機能を有しているシステム")
    assert rows["扱う個人情報"].startswith("業務委託 1: 《自立相談支援事業の利用者に係る情報項目》")
    text = soup.find("article").get_text()
    assert "000_bad3504de82e16e0.txt" not in text
    source = soup.select_one("div.council-downloads a[href$='.txt']")
    assert source.get_text().startswith("原典の抽出テキスト")
    assert (site_html / "sources" / "000_bad3504de82e16e0.txt").is_file()


def test_measure_item_links_name_clause_and_checklist_item(site_html):
    soup = _page(site_html, "2025-hogo-inji")
    item = soup.find(id="SG_2025_HOGO_INJI_E1_WO_01")
    assert item.find_parent("ol", class_="council-measures") is not None
    rows = [p.get_text() for p in item.select("ul.council-trace-links p")]
    assert rows[0].startswith("チェックリスト: WO-01 契約にあたり、")
    assert rows[1].startswith("特記事項: 第1項 ")
    toggle = item.select_one("details.council-target-texts")
    assert toggle.summary.get_text() == "本文（チェックリスト項目と特記事項の条項）"
    assert "総務省「クラウドサービス提供における情報セキュリティ対策ガイドライン」" in toggle.get_text()
    permalink = item.select_one("a.council-need-id")
    assert permalink["href"] == "#SG_2025_HOGO_INJI_E1_WO_01"
    # the part of the ID new on this page, breaking only at underscores
    assert "<span>E1_<wbr/>WO_<wbr/>01</span>" in str(permalink).replace("<wbr>", "<wbr/>")
    assert permalink["title"] == "ID: SG_2025_HOGO_INJI_E1_WO_01"


def test_estimates_are_tagged_only_where_they_apply(site_html):
    fureai = _page(site_html, "2018-fureai")
    assert fureai.select("ol.council-measures .council-tag-estimated")  # grouping: 推定
    assert fureai.select_one("p.council-estimates") is not None
    hogo = _page(site_html, "2025-hogo-inji")
    assert hogo.select("ol.council-measures .council-tag") == []


def test_editorial_notes_and_reviewer_material_are_collapsed(site_html):
    soup = _page(site_html, "2019-jiritsu")
    notes = soup.select("section#council-notes > details.council-note")
    assert [d.summary.get_text() for d in notes] == ["原典からの表記の修正", "特記事項の表記", "本サイトによる対応付け", "資料番号"]
    assert all(not d.has_attr("open") for d in notes)
    link = soup.select_one("p.council-estimates a")
    assert link["href"] == "#council-note-3" and link.get_text() == "注記「本サイトによる対応付け」"
    region = soup.select_one("details.council-reviewer div.council-scroll-region[tabindex='0'][role='region']")
    assert region is not None and region.find("table") is not None
