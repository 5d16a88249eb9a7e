"""Licence, canonical links, sitemap, Open Graph, 404 page and 更新日 in the built site."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from bs4 import BeautifulSoup

from council.directives.licence import LICENCES
from council.html.webmeta import commit_dates, sitemap_xml

from helpers import REPO

BASE = "https://example.jp/"
PDL = LICENCES["PDL1.0"]
CASE = "cases/2018-fureai.html"


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")


def pages(site: Path) -> list[str]:
    """Every page a reader sees (not sphinx-needs' permalink redirect)."""
    skip = ("_static/", "_images/", "_sources/", "pagefind/", "exports/", "permalink.html")
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith(skip))


def test_every_page_names_the_licence_in_its_footer(site):
    for page in pages(site):
        links = soup(site, page).select('footer a[rel="license"]')
        assert [(a["href"], a.get_text()) for a in links] == [(PDL.url, "公共データ利用規約（第1.0版）")], page


def test_case_page_carries_canonical_link_and_open_graph_tags(site):
    page = soup(site, CASE)
    assert page.find("link", rel="canonical")["href"] == BASE + CASE
    og = {m["property"]: m["content"] for m in page.find_all("meta", property=re.compile("^og:"))}
    assert og["og:title"] == "ふれあい入浴証管理システムの開発等について"
    assert og["og:url"] == BASE + CASE
    assert og["og:description"] == "事業: 新宿区ふれあい入浴事業 ／ 担当部課: 福祉部地域包括ケア推進課"


def test_sitemap_lists_every_page_under_the_base_url(site):
    root = ET.parse(site / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    expected = {BASE + p for p in pages(site)} - {BASE + "404.html", BASE + "search.html", BASE + "genindex.html"}
    assert set(locs) == expected
    assert locs == sorted(locs)


def test_a_japanese_404_page_is_built(site):
    page = soup(site, "404.html")
    assert page.find("h1").get_text() == "ページが見つかりません"
    # served at any depth: its links start at the site root
    assert page.select_one("article a[href='/index.html']").get_text() == "トップページ"


def test_page_shows_the_date_of_its_source_last_commit(site):
    stamp = subprocess.run(["git", "log", "-1", "--format=%ct", "--", "cases/2018-fureai.md"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.strip()
    day = dt.datetime.fromtimestamp(int(stamp), dt.timezone(dt.timedelta(hours=9))).date()
    updated = soup(site, CASE).select_one(".last-updated time")
    assert updated["datetime"] == day.isoformat()
    assert updated.get_text() == f"{day.year}年{day.month}月{day.day}日"


def test_every_page_links_the_feed_from_its_head(site):
    for page in pages(site):
        link = soup(site, page).head.find("link", rel="alternate", type="application/atom+xml")
        assert link is not None and link["href"].endswith("feed.xml"), page


def test_commit_dates_come_from_one_git_log(tmp_path):
    assert commit_dates(tmp_path) == {}  # no git: no dates, no failure
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.jp"]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "a.md").write_text("a")
    (tmp_path / "b.md").write_text("b")
    env = {"GIT_AUTHOR_DATE": "2020-04-01T00:00:00+09:00", "GIT_COMMITTER_DATE": "2020-04-01T00:00:00+09:00"}
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "1"], cwd=tmp_path, check=True, env={**env, "PATH": "/usr/bin:/bin"})
    (tmp_path / "b.md").write_text("b2")
    env = {"GIT_AUTHOR_DATE": "2021-05-02T00:00:00+09:00", "GIT_COMMITTER_DATE": "2021-05-02T00:00:00+09:00"}
    subprocess.run([*git, "commit", "-qam", "2"], cwd=tmp_path, check=True, env={**env, "PATH": "/usr/bin:/bin"})
    dates = commit_dates(tmp_path)
    assert dates == {"a.md": 1585666800, "b.md": 1619881200}


def test_sitemap_is_sorted_and_absolute():
    text = sitemap_xml("https://example.jp/", [("b.html", None), ("a.html", 1619881200)])
    assert text.splitlines()[2:4] == [
        "  <url><loc>https://example.jp/a.html</loc><lastmod>2021-05-02</lastmod></url>",
        "  <url><loc>https://example.jp/b.html</loc></url>",
    ]


def test_open_data_guide_states_the_configured_licence_as_provisional(site):
    article = soup(site, "docs/open-data.html").find("article")
    link = article.find("a", href=PDL.url)
    assert link.get_text() == "公共データ利用規約（第1.0版）"
    assert "クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）と互換" in link.parent.get_text()
    assert "この利用条件は、区が正式に定めるまでの仮の設定です（要確認）。" in article.get_text()


def test_an_unknown_licence_is_refused():
    from dataclasses import fields
    from types import SimpleNamespace

    import pytest
    from sphinx.errors import ConfigError

    from council.config import CouncilConfig, load

    values = {f"council_{spec.name}": spec.default for spec in fields(CouncilConfig)}
    values["council_licence"] = "MIT"
    with pytest.raises(ConfigError) as refused:
        load(SimpleNamespace(**values))
    assert str(refused.value) == "設定 council_licence の値 'MIT' は使えません（PDL1.0、CC-BY-4.0 のいずれかを指定してください）"
