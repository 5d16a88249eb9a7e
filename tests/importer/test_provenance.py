"""資料番号 from the document's own references; page breaks inside a word;
actors of a development's measures read from the same text elsewhere."""

from __future__ import annotations

from importer_sources import source_text

from council_import.parse import material_of, parse_document

JIDO = "004_1fc9dd2fc24b308b.txt"


def test_a_stated_material_number_is_taken_as_stated():
    text = "\n資料22-1\n\n情報公開・個人情報保護審議会 諮問・報告事項\n…資料22-1-1のとおり"
    assert material_of(text) == ("資料22-1", False)
    assert material_of("（資料 ２３）\n本文") == ("資料23", False)


def test_attachment_references_imply_the_material_number():
    assert material_of("個人情報の流れは、資料22-1-1及び資料22-1-2のとおり") == ("資料22-1", True)
    assert material_of("資料61-1参照。資料61-2参照。資料61-5のとおり") == ("資料61", True)
    assert material_of("個人情報の流れは資料23-1のとおり") == ("資料23", True)


def test_no_reference_no_material_number():
    assert material_of("参考22-1参照。資料を添付") == ("", False)
    assert material_of("資料23-1及び資料61-2のとおり") == ("", False)  # two documents: nothing to infer


def test_every_source_gets_its_material_number_or_none():
    found = {name: material_of(source_text(name)) for name in (
        "000_bad3504de82e16e0.txt", "001_226f9b6f33957b40.txt", "002_e8f86ce15c3a39e6.txt",
        "003_0cb8053224550498.txt", JIDO)}
    assert found == {
        "000_bad3504de82e16e0.txt": ("資料61", True),
        "001_226f9b6f33957b40.txt": ("資料23", True),
        "002_e8f86ce15c3a39e6.txt": ("資料26", True),
        "003_0cb8053224550498.txt": ("", False),
        JIDO: ("資料22-1", True),
    }


def test_imported_page_carries_the_material_number(run_import):
    code, err, out = run_import(source_text(JIDO), slug="JIDO", name=JIDO)
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert "\nmaterial: 資料22-1\nmaterial_inferred: true\n" in page


def test_a_page_break_inside_a_word_is_joined_and_recorded(run_import):
    code, err, out = run_import(source_text(JIDO), slug="JIDO", name=JIDO)
    assert code == 0, err
    assert (
        f"<tmp>/{JIDO}:39: 修正: 改ページ: 開発等を委託する場合における個人情報保護対策: "
        "「最新のパ ターンフ」の改ページによる区切りを除去"
    ) in err
    page = out.read_text(encoding="utf-8")
    assert page.count("パ ターン") == 1  # only in the record of the fix
    assert "\nウイルス感染等がないよう、ウイルス対策ソフトウェアの導入及び最新のパターンファイルを適用させる。\n" in page
    assert "- PDF の改ページで語の途中に生じた区切り（空白）を除きました。" in page


def test_a_page_break_between_items_stays_a_break():
    doc = parse_document(source_text("000_bad3504de82e16e0.txt"))
    texts = [sg.text for w in doc.works for sg in w.safeguards]
    assert any(t.startswith("委託先が使用するパソコン・サーバは") for t in texts)


def test_development_measures_take_the_actor_of_the_same_text(run_import):
    code, err, out = run_import(source_text(JIDO), slug="JIDO", name=JIDO)
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    # The development's list repeats the ward's list of the entrustment (区が行う対策).
    for n in (1, 2, 3, 4, 5):
        assert f"id: SG_2020_JIDO_D1_WS_0{n}\n" in page
    assert "SG_2020_JIDO_D1_C" not in page


def test_the_review_of_the_fifth_case_is_learnt(tmp_path, capsys):
    """Imported unseen (its own page removed), 004's proposals avoid the wrong
    links the review of issue 16 found: the top proposal is the reviewed one."""
    import shutil

    from helpers import REPO

    from council_import.cli import main
    from council_import.pages import read_needs

    project = tmp_path / "site"
    shutil.copytree(REPO / "clauses", project / "clauses")
    shutil.copytree(REPO / "cases", project / "cases")
    curated = {n.id: n for n in read_needs((project / "cases" / "2020-jido.md").read_text(encoding="utf-8"))}
    (project / "cases" / "2020-jido.md").unlink()
    src = tmp_path / JIDO
    src.write_text(source_text(JIDO), encoding="utf-8")
    out = tmp_path / "out.md"
    assert main([str(src), "--slug", "JIDO", "--output", str(out), "--project", str(project)]) == 0
    mine = {n.id: n for n in read_needs(out.read_text(encoding="utf-8"))}
    # The clearly wrong proposals are gone.
    assert mine["SG_2020_JIDO_E1_CO_02"].links["satisfies"] != ["CHK_CO_07"]
    assert mine["SG_2020_JIDO_E1_WO_02"].links["satisfies"] != ["CHK_WO_07"]
    assert mine["SG_2020_JIDO_E1_CO_03"].links["satisfies"] != ["CHK_CO_03"]
    for sg in ("SG_2020_JIDO_E1_WS_03", "SG_2020_JIDO_E1_CS_02", "SG_2020_JIDO_D1_WS_03"):
        assert mine[sg].links["binds"] != ["CL_C_18"], sg
    assert mine["SG_2020_JIDO_E1_CS_03"].links["binds"] != ["CL_C_14"]
    # And most proposals are the reviewed links.
    safeguards = [i for i, n in curated.items() if n.type == "safeguard"]
    items = sum(mine[i].links["satisfies"][0] in curated[i].links["satisfies"] for i in safeguards)
    clauses = sum(mine[i].links["binds"][0] in curated[i].links["binds"] for i in safeguards)
    assert items >= 0.8 * len(safeguards) and clauses >= 0.8 * len(safeguards), (items, clauses)


def test_a_certification_in_brackets_is_split_from_the_contractor(run_import):
    code, err, out = run_import(source_text(JIDO), slug="JIDO", name=JIDO)
    assert code == 0, err
    assert "\ncontractor: 株式会社電算\ncertification: ISMS 認証取得済\n" in out.read_text(encoding="utf-8")
    # A plan in brackets is not a certification (hogo-inji: 「未定(プライバシーマーク取得事業者と…予定)」).
    code, err, out = run_import(source_text("002_e8f86ce15c3a39e6.txt"), slug="HOGO_INJI", name="002.txt", extra=["--force"])
    assert code == 0, err
    assert "\ncontractor: 未定(プライバシーマーク取得事業者と随意契約を予定)\n" in out.read_text(encoding="utf-8")
