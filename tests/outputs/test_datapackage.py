"""datapackage.json validates with Frictionless; the JSON-LD catalogue names every download."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup
from frictionless import Package

from council.views import traceability as tr
from council.outputs.exports import write_csv
from council.directives.licence import LICENCES
from council.latex.documents import latex_documents_for
from council.outputs.opendata import catalog_jsonld, column_type, datapackage, parse_column_docs

from helpers import REPO

PDL = LICENCES["PDL1.0"]


def test_published_datapackage_validates_and_describes_every_csv(site):
    package = json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    csvs = sorted(p.relative_to(site).as_posix() for p in (site / "exports").glob("*.csv"))
    assert sorted(r["path"] for r in package["resources"]) == csvs
    assert package["licenses"] == [{"name": "PDL-1.0", "path": PDL.url, "title": "公共データ利用規約（第1.0版）"}]
    for resource in package["resources"]:
        assert resource["licenses"] == package["licenses"]
        assert resource["title"]
        # every column is described in Japanese (from docs/open-data.md)
        undescribed = [f["name"] for f in resource["schema"]["fields"] if not f.get("description")]
        assert undescribed == [], resource["name"]
    report = Package(str(site / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_field_types_follow_the_cell_values(tmp_path):
    table = tr.Table(name="figures", title="集計", headers=("区分", "項目数", "割合"),
                     rows=(("組織的", 3, 0.5), ("人的", 2, 1), ("合計", "", "")))
    assert [column_type(r[i] for r in table.rows) for i in range(3)] == ["string", "integer", "number"]
    (tmp_path / "exports").mkdir()
    write_csv(table, tmp_path / "exports" / "figures.csv")
    package = datapackage([table], PDL, title="t")
    (tmp_path / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    assert Package(str(tmp_path / "datapackage.json")).validate().valid
    # a number written as text would be caught
    (tmp_path / "exports" / "figures.csv").write_text("\ufeff区分,項目数,割合\n組織的,3件,50%\n", encoding="utf-8")
    assert not Package(str(tmp_path / "datapackage.json")).validate().valid


def test_column_descriptions_are_read_from_the_open_data_guide():
    docs = parse_column_docs(
        "### `exports/<案件>-trace.csv` / `.xlsx`（対策）\n\n| 列 | 内容 |\n| --- | --- |\n"
        "| 情報保護対策 | 対策の **ID** |\n| 氏名、住所 | 「○」 |\n| （案件 ID ごとの列） | 案件の列 |\n"
        "| （旧版）の番号 | 古い版での番号 |\n\n## 次の節\n\n| 列 | 内容 |\n| x | y |\n"
    )
    assert len(docs) == 1 and docs[0].file_pattern.fullmatch("case-2018-fureai-trace")
    assert not docs[0].file_pattern.fullmatch("clause-case")
    assert docs[0].describe("情報保護対策") == "対策の ID"
    assert docs[0].describe("住所") == "「○」"
    assert docs[0].describe("ED_A の番号") == "古い版での番号"
    assert docs[0].describe("CASE_2018_FUREAI") == "案件の列"


def test_open_data_page_carries_a_catalogue_naming_every_download(site):
    page = BeautifulSoup((site / "docs" / "open-data.html").read_text(encoding="utf-8"), "html.parser")
    scripts = page.head.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    catalogue = json.loads(scripts[0].string)
    assert catalogue["@type"] == "DataCatalog" and catalogue["license"] == PDL.url
    downloads = {
        d["contentUrl"]: (d["encodingFormat"], d["license"])
        for dataset in catalogue["dataset"] for d in dataset["distribution"]
    }
    files = sorted(p.relative_to(site).as_posix() for p in (site / "exports").iterdir())
    files += ["needs.json", "datapackage.json"]
    # the PDFs council-build adds after the HTML (one per LaTeX document)
    files += [f"pdf/{Path(entry[1]).stem}.pdf" for entry in latex_documents_for(REPO, "t", "a")]
    assert {"pdf/council-reference.pdf", "pdf/council-fy2019.pdf", "pdf/2018-fureai.pdf"} <= set(files)
    assert sorted(downloads) == sorted("https://example.jp/" + f for f in files)
    formats = {Path(url).suffix: fmt for url, (fmt, _) in downloads.items()}
    assert formats == {
        ".csv": "text/csv",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".json": "application/json",
        ".pdf": "application/pdf",
    }
    assert {licence for _, licence in downloads.values()} == {PDL.url}


def test_json_ld_cannot_close_its_script_element():
    table = tr.Table(name="x", title="</script><script>alert(1)</script>", headers=("a",), rows=())
    from council.outputs.opendata import jsonld_script

    text = jsonld_script(catalog_jsonld([table], PDL, title="t", base_url="https://example.jp/", page_url="p"))
    assert "</script>" not in text[len('<script type="application/ld+json">'):-len("</script>")]
