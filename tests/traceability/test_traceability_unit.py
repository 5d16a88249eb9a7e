"""The traceability functions on small hand-made need dicts."""

from __future__ import annotations

import pytest

from council import traceability as tr


def need(need_id: str, need_type: str, **fields) -> dict:
    return {"id": need_id, "type": need_type, "title": fields.pop("title", need_id), **fields}


def project(form: str = "チェックリスト") -> dict[str, dict]:
    needs = [
        need("ED_A", "edition", label="旧版"),
        need("ED_B", "edition", label="新版", revises=["ED_A"]),
        need("CL_A_01", "clause", part_of=["ED_A"], number=1, heading="基本", content="乙は、守る。"),
        need("CL_A_02", "clause", part_of=["ED_A"], number=2, heading="廃止", content="古い条項。"),
        need("CL_B_01", "clause", part_of=["ED_B"], number=1, heading="基本", content="乙は、必ず守る。",
             revises=["CL_A_01"]),
        need("CL_B_02", "clause", part_of=["ED_B"], number=2, heading="新設", content="新しい条項。"),
        need("CHK_WO_01", "checkitem", actor="区", aspect="運用", number=1, category="組織的"),
        need("CHK_WS_01", "checkitem", actor="区", aspect="システム", number=1, category="技術的"),
        need("CHK_CO_01", "checkitem", actor="受託者", aspect="運用", number=1, category="組織的"),
        need("CASE_2020_A", "case", form=form, fiscal_year=2020),
        need("ENT_2020_A_1", "entrustment", part_of=["CASE_2020_A"], terms=["ED_B"],
             data_items="《提供する項目》 氏名、住所、口座番号、病歴(※1)、参加区分(在住、在勤) ※1…任意"),
        need("SG_2020_A_E1_WO_01", "safeguard", part_of=["ENT_2020_A_1"], actor="区", aspect="運用",
             number=1, satisfies=["CHK_WO_01"], binds=["CL_B_01"]),
        need("SG_2020_A_E1_CO_01", "safeguard", part_of=["ENT_2020_A_1"], actor="受託者", aspect="運用",
             number=2, satisfies=["CHK_WO_01"], binds=["CL_B_01", "CL_B_02"]),
        need("NA_2020_A_E1_WS_01", "exemption", part_of=["ENT_2020_A_1"], actor="区", aspect="システム",
             waives=["CHK_WS_01"], reason="システムを使用しないため"),
        need("CASE_2019_B", "case", form="記述", fiscal_year=2019),
        need("DEV_2019_B_1", "development", part_of=["CASE_2019_B"], terms=["ED_A"],
             data_items="資料1-2のとおり"),
        need("SG_2019_B_D1_CO_01", "safeguard", part_of=["DEV_2019_B_1"], actor="受託者", aspect="運用",
             number=1, satisfies=["CHK_CO_01"], binds=["CL_A_01"]),
    ]
    return {n["id"]: n for n in needs}


def test_coverage_states_and_figures():
    needs = project()
    cov = tr.coverage(needs, "CASE_2020_A")
    assert [(i.checkitem, i.status) for i in cov.items] == [
        ("CHK_WO_01", tr.COVERED), ("CHK_WS_01", tr.NOT_APPLICABLE), ("CHK_CO_01", tr.GAP),
    ]
    assert cov.status_of("CHK_WO_01").safeguards == ("SG_2020_A_E1_CO_01", "SG_2020_A_E1_WO_01")
    assert cov.status_of("CHK_WS_01").reasons == ("システムを使用しないため",)
    figures = cov.figures()
    assert (figures.total, figures.covered, figures.not_applicable, figures.gaps) == (3, 1, 1, 1)
    # Items marked not applicable leave the denominator.
    assert figures.ratio == "1/2" and figures.percent == "50%"
    assert cov.figures("組織的").ratio == "1/2"
    assert cov.figures("技術的").ratio == "0/0" and cov.figures("技術的").percent == "－"
    assert not cov.retrospective


def test_old_cases_are_a_retrospective_analysis():
    needs = project()
    cov = tr.coverage(needs, "CASE_2019_B")
    assert cov.retrospective
    assert cov.figures().ratio == "1/3"
    table = tr.coverage_table(needs, "CASE_2019_B")
    assert table.title.startswith(tr.RETROSPECTIVE_LABEL)
    assert tr.checkitem_case_table(needs).headers[5:] == ("CASE_2019_B（遡及・参考）", "CASE_2020_A")


def test_case_matrix_lists_each_safeguard_with_items_clauses_and_edition():
    table = tr.case_matrix(project(), "CASE_2020_A")
    assert table.name == "case-2020-a-trace"
    assert table.rows[0] == (
        "SG_2020_A_E1_CO_01", "ENT_2020_A_1", "受託者", "運用", "2", "SG_2020_A_E1_CO_01",
        "CHK_WO_01", "CL_B_01 基本, CL_B_02 新設", "ED_B 新版",
    )
    assert table.column("情報保護対策") == ["SG_2020_A_E1_CO_01", "SG_2020_A_E1_WO_01"]


def test_coverage_summary_per_category():
    table = tr.coverage_summary_table(project(), "CASE_2020_A")
    assert table.rows == (
        ("組織的安全管理措置", "2", "1", "0", "1", "1/2", "50%"),
        ("技術的安全管理措置", "1", "0", "1", "0", "0/0", "－"),
        ("合計（CASE_2020_A）", "3", "1", "1", "1", "1/2", "50%"),
    )


def test_clause_case_back_links():
    table = tr.clause_case_table(project())
    assert table.headers[4:] == ("CASE_2019_B", "CASE_2020_A", "案件数")
    rows = {row[0]: row for row in table.rows}
    assert rows["CL_B_01"][4:] == ("", "SG_2020_A_E1_CO_01, SG_2020_A_E1_WO_01", "1")
    assert rows["CL_A_01"][4:] == ("SG_2019_B_D1_CO_01", "", "1")
    assert rows["CL_A_02"][4:] == ("", "", "0")


def test_checkitem_case_heat_map():
    table = tr.checkitem_case_table(project())
    assert [row[5:] for row in table.rows] == [
        ("未対応", "対策あり"), ("未対応", "対策不要"), ("対策あり", "未対応"),
    ]
    assert table.status_columns == (5, 6)


@pytest.mark.parametrize(("text", "expected"), [
    ("氏名、住所、生年月日", {"氏名": ["氏名"], "住所": ["住所"], "生年月日": ["生年月日"]}),
    ("郵便番号、住所、氏名等", {"氏名": ["氏名等"], "住所": ["郵便番号", "住所"]}),
    ("電話番号、FAX番号、メールアドレス", {"電話番号": ["電話番号", "FAX番号"], "その他": ["メールアドレス"]}),
    ("住民番号、口座番号、障害の程度", {"住民番号": ["住民番号"], "口座情報": ["口座番号"], "要配慮": ["障害の程度"]}),
    # The items follow the heading 記録項目; the range of persons before it is no item.
    ("1 個人の範囲 区内在住の者 2 記録項目 氏名、性別", {"氏名": ["氏名"], "その他": ["性別"]}),
    # Commas inside brackets do not split an item; notes (※) are dropped.
    ("参加区分(在住、在勤)、メールアドレス(※1) ※1…申込者のみ", {"その他": ["参加区分(在住、在勤)", "メールアドレス"]}),
    ("資料61-5のとおり", {}),
])
def test_classify_data_items(text, expected):
    assert tr.classify_data_items(text) == expected


def test_data_matrices():
    needs = project()
    case_rows = {row[0]: row[1:] for row in tr.data_case_table(needs).rows}
    assert case_rows["口座情報"] == ("", "ENT_2020_A_1")
    assert case_rows["要配慮"] == ("", "ENT_2020_A_1")
    assert case_rows["生年月日"] == ("", "")
    assert case_rows["項目の記載なし（別資料）"] == ("DEV_2019_B_1", "")
    work = {row[0]: row for row in tr.data_work_table(needs).rows}
    assert work["DEV_2019_B_1"][11] == "項目の記載なし（資料1-2のとおり）"
    assert work["ENT_2020_A_1"][3:10] == ("○", "○", "", "", "", "○", "○")


def test_edition_diff_added_removed_reworded():
    needs = project()
    diffs = tr.edition_diff(needs, "ED_A", "ED_B")
    assert [(d.status, d.old, d.new) for d in diffs] == [
        (tr.REWORDED, "CL_A_01", "CL_B_01"),
        (tr.ADDED, None, "CL_B_02"),
        (tr.REMOVED, "CL_A_02", None),
    ]
    assert diffs[0].segments == (("equal", "乙は、"), ("insert", "必ず"), ("equal", "守る。"))
    assert tr.marked_text(diffs[0].segments) == "乙は、〔＋必ず〕守る。"
    table = tr.edition_diff_table(needs, "ED_A", "ED_B")
    assert table.name == "edition-diff-ed-a-ed-b"
    assert [row[5] for row in table.rows] == ["文言の変更", "追加", "削除"]
    assert tr.edition_pairs(needs) == [("ED_A", "ED_B")]


def test_text_segments_marks_deleted_and_inserted_characters():
    assert tr.text_segments("第1から第17項", "第1から第19項") == (
        ("equal", "第1から第1"), ("delete", "7"), ("insert", "9"), ("equal", "項"),
    )


def test_all_tables_have_unique_names():
    names = [t.name for t in tr.all_tables(project())]
    assert len(names) == len(set(names))
    assert "case-2019-b-coverage-summary" in names


def test_case_graph_links_case_work_safeguards_items_and_clauses():
    from council.graph import case_dot

    dot = case_dot(project(), "CASE_2020_A")
    assert '"CASE_2020_A" -> "ENT_2020_A_1";' in dot
    assert '"ENT_2020_A_1" -> "SG_2020_A_E1_CO_01";' in dot
    assert '"SG_2020_A_E1_CO_01" -> "CHK_WO_01";' in dot
    assert '"SG_2020_A_E1_CO_01" -> "CL_B_02" [color="#7B68AE"];' in dot
    assert '"NA_2020_A_E1_WS_01" -> "CHK_WS_01" [style=dashed];' in dot
    # Line breaks in labels are Graphviz escapes, not literal backslashes.
    assert 'label="CL_B_02\\n新設"' in dot
    assert "CASE_2019_B" not in dot
