"""The output scan: each kind of payload planted in a built site fails it, by file and line.

One clean build of the minimal project (HTML, needs.json, exports and the
Pagefind index: the theme's and the site's own scripts) passes the scan; each
test plants one payload into a copy of that output.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from council_publish import cli as publish

from council_publish import output_scan
from council_publish.search_index import build_search_index
from helpers import REPO, copy_project

TEMPLATE_TARGETS = ("docs/accessibility.md", "browse/index.md")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    src = copy_project("site-minimal", tmp_path_factory.mktemp("scan"))
    for page in TEMPLATE_TARGETS:
        (src / page).parent.mkdir(parents=True, exist_ok=True)
        (src / page).write_text("---\norphan: true\n---\n# 代わりの頁\n", encoding="utf-8")
    return src


@pytest.fixture(scope="module")
def clean_site(project, tmp_path_factory) -> Path:
    """A clean publication; the scan is its last step, so building it is the test."""
    output = tmp_path_factory.mktemp("clean") / "site"
    publish.build(project, output, [publish.build_html, build_search_index, output_scan.scan_output_step])
    return output / "html"


@pytest.fixture
def site(clean_site, tmp_path) -> Path:
    copy = tmp_path / "html"
    shutil.copytree(clean_site, copy)
    return copy


def scan(site: Path) -> list[str]:
    return [str(f) for f in output_scan.scan_site(site, REPO)]


def plant(page: Path, payload: str) -> int:
    """Insert *payload* before ``</body>``; the line it starts on."""
    text = page.read_text(encoding="utf-8")
    at = text.index("</body>")
    page.write_text(text[:at] + payload + "\n" + text[at:], encoding="utf-8")
    return text[:at].count("\n") + 1


def test_clean_build_passes_and_uses_the_theme_scripts(clean_site):
    assert output_scan.scan_site(clean_site, REPO) == []
    page = (clean_site / "cases" / "case.html").read_text(encoding="utf-8")
    # the scan had something to allow: the theme's inline script and static scripts
    assert 'document.body.dataset.theme = localStorage.getItem("theme") || "auto";' in page
    assert '<script src="../_static/scripts/furo.js' in page
    assert "pagefind/pagefind-ui.js" in (clean_site / "search.html").read_text(encoding="utf-8")
    assert (clean_site / "needs.json").is_file() and list(clean_site.rglob("*.xlsx"))


PAGE_PAYLOADS = [
    ('<a href="javascript:alert(1)">x</a>', "href に javascript: の URL があります（<a>）"),
    ('<a href=" JaVa&#x09;Script&colon;alert(1)">x</a>', "href に javascript: の URL があります（<a>）"),
    ('<img src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;">', "src に data: の URL があります（<img>）"),
    ('<form action="vbscript:msgbox(1)"></form>', "action に vbscript: の URL があります（<form>）"),
    ('<button formaction="javascript:alert(1)">x</button>', "formaction に javascript: の URL があります（<button>）"),
    ('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
     "xlink:href に javascript: の URL があります（<a>）"),
    ('<img src="x.png" onerror="alert(1)">', "イベント属性 onerror があります（<img>）"),
    ('<div ONMOUSEOVER="alert(1)">x</div>', "イベント属性 onmouseover があります（<div>）"),
    ("<script>alert(1)</script>", "テーマ・サイトのテンプレートにないインラインの <script> があります（alert(1)）"),
    ('<script>document.body.dataset.theme = localStorage.getItem("theme") || "auto"; alert(1)</script>',
     "テーマ・サイトのテンプレートにないインラインの <script> があります"
     "（document.body.dataset.theme = localStora）"),
    ('<script src="https://evil.example/x.js"></script>',
     "サイトの静的ファイル（_static/・pagefind/）ではないスクリプトを読み込みます: https://evil.example/x.js"),
    ('<script src="../_downloads/0a/x.js"></script>',
     "サイトの静的ファイル（_static/・pagefind/）ではないスクリプトを読み込みます: ../_downloads/0a/x.js"),
    ('<script src="../_static/../_downloads/x.js"></script>',
     "サイトの静的ファイル（_static/・pagefind/）ではないスクリプトを読み込みます: ../_static/../_downloads/x.js"),
    ('<meta http-equiv="Refresh" content="0; url=https://evil.example/">',
     '<meta http-equiv="refresh"> があります（別のページへの自動移動）'),
    ('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', "srcdoc 属性があります（<iframe>）"),
    ('<object data="../_downloads/0a/page.svg" type="image/svg+xml"></object>', "埋め込み要素 <object> があります"),
]


@pytest.mark.parametrize(("payload", "message"), PAGE_PAYLOADS, ids=[f"payload{i}" for i in range(len(PAGE_PAYLOADS))])
def test_planted_in_a_page(site, payload, message):
    line = plant(site / "cases" / "case.html", payload)
    found = scan(site)
    if payload.startswith("<iframe"):
        assert found == [f"cases/case.html:{line}: {message}", f"cases/case.html:{line}: 埋め込み要素 <iframe> があります"]
    else:
        assert found == [f"cases/case.html:{line}: {message}"]


def test_graphviz_object_of_the_site_is_allowed(site):
    (site / "_images").mkdir(exist_ok=True)
    (site / "_images" / "graph.svg").write_text("<svg><title>g</title></svg>", encoding="utf-8")
    plant(site / "cases" / "case.html",
          '<object data="../_images/graph.svg" type="image/svg+xml" class="graphviz"></object>')
    assert scan(site) == []


SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">
<script>alert(2)</script>
<a xlink:href="javascript:alert(3)"><text>x</text></a>
<set attributeName="href" to="javascript:alert(4)"/>
</svg>
"""


def test_planted_in_an_image_svg(site):
    (site / "_images").mkdir(exist_ok=True)
    (site / "_images" / "graphviz-x.svg").write_text(SVG, encoding="utf-8")
    assert scan(site) == [
        "_images/graphviz-x.svg:2: イベント属性 onload があります（<svg>）",
        "_images/graphviz-x.svg:3: テーマ・サイトのテンプレートにないインラインの <script> があります（alert(2)）",
        "_images/graphviz-x.svg:4: xlink:href に javascript: の URL があります（<a>）",
        "_images/graphviz-x.svg:5: <set> が href に javascript: の URL を書き込みます",
    ]


@pytest.mark.parametrize("name", ["page.html", "pic.svg", "Pic.SVG", "feed.xml", "page.xhtml"])
def test_html_and_svg_downloads_are_refused(site, name):
    (site / "_downloads" / "0a1b").mkdir(parents=True)
    (site / "_downloads" / "0a1b" / name).write_text("<p>無害でも不可</p>", encoding="utf-8")
    suffix = Path(name).suffix.lower()
    assert scan(site) == [
        f"_downloads/0a1b/{name}:1: ダウンロードに {suffix} のファイルは置けません（ブラウザが開くとサイトのページとして動くため）"
    ]


def test_harmless_download_passes(site):
    (site / "_downloads" / "0a1b").mkdir(parents=True)
    (site / "_downloads" / "0a1b" / "source.txt").write_text("<script>alert(1)</script>", encoding="utf-8")
    assert scan(site) == []


def test_planted_in_needs_json(site):
    data = json.loads((site / "needs.json").read_text(encoding="utf-8"))
    version = data["current_version"]
    needs = data["versions"][version]["needs"]
    need_id = sorted(needs)[0]
    needs[need_id]["url"] = "javascript:alert(1)"
    needs[need_id]["title"] = 'タイトル<img src=x onerror="alert(1)">'
    (site / "needs.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    prefix = f"needs.json: $.versions.{version}.needs.{need_id}"
    assert scan(site) == [
        f"{prefix}.title: イベント属性 onerror があります（<img>）",
        f"{prefix}.url: 値が javascript: の URL です",
    ]


def test_planted_in_a_csv_export(site):
    export = sorted(site.glob("exports/*.csv"))[0]
    text = export.read_text(encoding="utf-8-sig")
    rows = text.count("\n")
    export.write_text(text + '"=HYPERLINK(""javascript:alert(1)"", ""開く"")",x\n', encoding="utf-8-sig")
    assert scan(site) == [
        f"exports/{export.name}: {rows + 1} 行 1 列: 値に javascript:/vbscript: の URL があります"
    ]


def test_planted_in_an_xlsx_export(site):
    export = sorted(site.glob("exports/*.xlsx"))[0]
    with zipfile.ZipFile(export) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = next(name for name in members if name.startswith("xl/worksheets/sheet"))
    members[sheet] = members[sheet].replace(
        b"</sheetData>",
        b'<row r="999"><c r="A999" t="inlineStr"><is><t>vbscript:msgbox(1)</t></is></c></row></sheetData>',
    )
    with zipfile.ZipFile(export, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert scan(site) == [f"exports/{export.name}: {sheet} <t>: 値が vbscript: の URL です"]


def _plant_in_sheet(site: Path, fragment: bytes, plain: bool) -> tuple[str, str]:
    export = sorted(site.glob("exports/*.xlsx"))[0]
    with zipfile.ZipFile(export) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = next(name for name in members if name.startswith("xl/worksheets/sheet"))
    row = b'<row r="999">' + fragment + b"</row>" + (b"" if plain else b"<!-- not plain XML -->")
    members[sheet] = members[sheet].replace(b"</sheetData>", row + b"</sheetData>")
    with zipfile.ZipFile(export, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return export.name, sheet


SHEET_PLANTS = [
    # (the planted cell, the finding's place in plain XML, in other XML, its message)
    (b'<c r="A999" t="inlineStr"><is><t>vbscript:msgbox(1)</t></is></c>', "<t>", "<t>",
     "値が vbscript: の URL です"),
    (b'<c r="A999" t="inlineStr" x="&#106;avascript:alert(1)"><is><t>x</t></is></c>', "<c x>", "<c x>",
     "値が javascript: の URL です"),
    (b'<c r="A999" t="inlineStr"><is><t>&lt;img src=x onerror=alert(1)&gt;</t></is></c>', "<t>", "<t>",
     "イベント属性 onerror があります（<img>）"),
    (b'<c r="A999" t="inlineStr" y="a>b"><is><t>data:text/html,x</t></is></c>', "<t>", "<t>",
     "値が data: の URL です"),
    (b'<c r="A999" t="inlineStr"><is><t>x</t>javascript:alert(1)</is></c>', "</t> の後", "<is>",
     "値が javascript: の URL です"),
]


@pytest.mark.parametrize("plain", [True, False], ids=["plain-xml", "other-xml"])
@pytest.mark.parametrize(("fragment", "plain_place", "other_place", "message"), SHEET_PLANTS)
def test_planted_in_a_sheet_found_by_both_readers(site, fragment, plain_place, other_place, message, plain,
                                                   monkeypatch):
    """A workbook's XML is read by regular expressions when it is plain (no DOCTYPE,
    comment, CDATA or processing instruction: every '<' starts a tag), by expat
    otherwise; both find a payload wherever it stands, read as XML reads it. Read
    in small pieces, so that pieces are cut inside the sheet."""
    monkeypatch.setattr(output_scan, "_CHUNK", 64)
    name, sheet = _plant_in_sheet(site, fragment, plain)
    place = plain_place if plain else other_place
    assert scan(site) == [f"exports/{name}: {sheet} {place}: {message}"]


def test_a_sheet_that_is_not_well_formed_cannot_be_checked(site):
    name, _ = _plant_in_sheet(site, b'<c r="A999"><v>1</v>', True)
    assert scan(site) == [f"exports/{name}:1: 検査できない形式です（ExpatError）"]


def test_template_value_cannot_add_code(site):
    """sphinx-needs' permalink page: its {{ needs_file }} may only be a path."""
    page = site / "permalink.html"
    if not page.is_file():
        pytest.skip("sphinx-needs wrote no permalink page")
    text = page.read_text(encoding="utf-8")
    assert "loadJSON('needs.json'" in text
    page.write_text(text.replace("loadJSON('needs.json'", "loadJSON('needs.json'+alert(1)+''"), encoding="utf-8")
    found = scan(site)
    assert len(found) == 1
    assert found[0].startswith("permalink.html:")
    assert "テーマ・サイトのテンプレートにないインラインの <script> があります（function loadJSON" in found[0]


def test_the_step_fails_the_build_and_keeps_the_previous_site(project, tmp_path, capsys):
    output = tmp_path / "out" / "site"
    publish.build(project, output, [publish.build_html])
    before = (output / "html" / "cases" / "case.html").read_bytes()

    def plant_step(ctx):
        plant(ctx.html / "index.html", '<a href="javascript:alert(1)">x</a>')

    with pytest.raises(publish.BuildFailed) as failed:
        publish.build(project, output, [publish.build_html, plant_step, output_scan.scan_output_step])
    assert str(failed.value).startswith(
        "出力の検査: スクリプトを動かしうる内容があります: index.html:")
    assert str(failed.value).endswith(": href に javascript: の URL があります（<a>）")
    assert "council-output-scan: index.html:" in capsys.readouterr().err
    assert (output / "html" / "cases" / "case.html").read_bytes() == before


def test_the_scan_runs_with_the_search_index():
    """The index is made while the rest of the output is scanned; its folder is scanned once in place
    (tests/publish/test_checks.py)."""
    from council_publish.checks import WHILE_INDEXING

    assert output_scan.scan_output_step in WHILE_INDEXING
    assert publish.index_and_check_step in publish.STEPS


def test_planted_in_a_feed(site):
    (site / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        '<link href="javascript:alert(1)"/><content type="html">&lt;p&gt;本文&lt;/p&gt;'
        "&lt;script&gt;alert(2)&lt;/script&gt;</content></entry></feed>",
        encoding="utf-8",
    )
    assert scan(site) == [
        "feed.xml: <content>: テーマ・サイトのテンプレートにないインラインの <script> があります（alert(2)）",
        "feed.xml: <link href>: 値が javascript: の URL です",
    ]


def test_a_json_data_block_is_not_a_script() -> None:
    """The open-data page's JSON-LD is data; a "data block" holding code is still refused."""
    from council_publish.output_scan import scan_markup

    assert scan_markup('<script type="application/ld+json">{"@type": "DataCatalog"}</script>') == []
    assert scan_markup('<script type="application/ld+json">alert(1)</script>') == [
        (1, "テーマ・サイトのテンプレートにないインラインの <script> があります（alert(1)）")]


def test_root_relative_static_scripts_of_the_404_page_are_the_sites(tmp_path: Path) -> None:
    from council_publish.output_scan import _in_site_dirs

    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "doctools.js").write_text("", encoding="utf-8")
    allowed = _in_site_dirs(tmp_path, tmp_path / "404.html")
    assert allowed("/_static/doctools.js?v=1", "_static")
    assert not allowed("/_downloads/x.js", "_static")


def test_a_value_repeated_in_the_data_is_checked_once_and_reported_everywhere(tmp_path, monkeypatch):
    """The open data repeat a few values millions of times: each distinct value is
    checked once per scan, each occurrence still reported at its place."""
    checked: list[str] = []
    real = output_scan.scan_value
    monkeypatch.setattr(output_scan, "scan_value", lambda value: checked.append(value) or real(value))
    root = tmp_path / "html"
    root.mkdir()
    (root / "a.csv").write_text("名前,リンク\nx,javascript:alert(1)\ny,javascript:alert(1)\n", encoding="utf-8")
    (root / "b.json").write_text(json.dumps({"k": ["javascript:alert(1)", "x"]}), encoding="utf-8")
    found = [str(f) for f in output_scan.scan_site(root, REPO)]
    assert found == ["a.csv: 2 行 2 列: 値が javascript: の URL です", "a.csv: 3 行 2 列: 値が javascript: の URL です",
                     "b.json: $.k[0]: 値が javascript: の URL です"]
    assert sorted(checked) == sorted({"名前", "リンク", "x", "y", "javascript:alert(1)", "k"})
