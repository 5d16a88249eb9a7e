"""The traceability functions on small hand-made need dicts."""

from __future__ import annotations

import pytest

from council.views import traceability as tr


def need(need_id: str, need_type: str, **fields) -> dict:
    return {"id": need_id, "type": need_type, "title": fields.pop("title", need_id), **fields}


def project(form: str = "チェックリスト") -> dict[str, dict]:
    needs = [
        need("ED_A", "edition", label="旧版"),
        need("ED_B", "edition", label="新版", revises=["ED_A"]),
        need("CL_A_01", "clause", part_of=["ED_A"], number=1, heading="基本", content="乙は、守る。"),
        need("CL_A_03", "clause", part_of=["ED_A"], number=3, heading="持ち出し", content="持ち出さない。"),
        need("CL_A_02", "clause", part_of=["ED_A"], number=2, heading="廃止", content="古い条項。"),
        need("CL_B_01", "clause", part_of=["ED_B"], number=1, heading="基本", content="乙は、必ず守る。",
             revises=["CL_A_01"]),
        need("CL_B_02", "clause", part_of=["ED_B"], number=2, heading="新設", content="新しい条項。"),
        need("CL_B_03", "clause", part_of=["ED_B"], number=3, heading="持出し", content="持ち出さない。",
             revises=["CL_A_03"]),
        need("CHK_WO_01", "checkitem", actor="区", aspect="運用", number=1, category="組織的",
             title="契約にあたり…", content="契約にあたり、特記事項を付す。"),
        need("CHK_WS_01", "checkitem", actor="区", aspect="システム", number=1, category="技術的"),
        need("CHK_CO_01", "checkitem", actor="受託者", aspect="運用", number=1, category="組織的"),
        need("CASE_2020_A", "case", form=form, fiscal_year=2020, title="案件A", department="福祉部"),
        need("ENT_2020_A_1", "entrustment", part_of=["CASE_2020_A"], terms=["ED_B"],
             data_items="《提供する項目》 氏名、住所、口座番号、病歴(※1)、参加区分(在住、在勤) ※1…任意"),
        need("SG_2020_A_E1_WO_01", "safeguard", part_of=["ENT_2020_A_1"], actor="区", aspect="運用",
             number=1, satisfies=["CHK_WO_01"], binds=["CL_B_01"]),
        need("SG_2020_A_E1_CO_01", "safeguard", part_of=["ENT_2020_A_1"], actor="受託者", aspect="運用",
             number=2, satisfies=["CHK_WO_01"], binds=["CL_B_01", "CL_B_02"], content="名簿を提出させる。"),
        need("NA_2020_A_E1_WS_01", "exemption", part_of=["ENT_2020_A_1"], actor="区", aspect="システム",
             waives=["CHK_WS_01"], reason="システムを使用しないため"),
        need("CASE_2019_B", "case", form="記述", fiscal_year=2019, title="案件B"),
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
    assert tr.checkitem_case_table(needs).headers[5:] == ("案件B（CASE_2019_B、遡及・参考）", "案件A（CASE_2020_A）")


def test_case_matrix_lists_each_safeguard_with_items_clauses_and_edition():
    table = tr.case_matrix(project(), "CASE_2020_A")
    assert table.name == "case-2020-a-trace"
    assert table.text_rows()[0] == [
        "SG_2020_A_E1_CO_01", "ENT_2020_A_1", "受託者", "運用", 2, "SG_2020_A_E1_CO_01",
        "CHK_WO_01", "CL_B_01 基本, CL_B_02 新設", "ED_B 新版",
    ]
    # Cells carry the need IDs themselves (no string to parse back).
    assert [r.id for r in table.rows[0][7]] == ["CL_B_01", "CL_B_02"]
    assert [str(c) for c in table.column("情報保護対策")] == ["SG_2020_A_E1_CO_01", "SG_2020_A_E1_WO_01"]


def test_coverage_summary_per_category():
    table = tr.coverage_summary_table(project(), "CASE_2020_A")
    assert table.text_rows() == [
        ["組織的安全管理措置", 2, 1, 0, 1, "1/2", 0.5],
        ["技術的安全管理措置", 1, 0, 1, 0, "0/0", "－"],
        ["合計（CASE_2020_A）", 3, 1, 1, 1, "1/2", 0.5],
    ]
    assert str(table.rows[0][6]) == "50%"
    assert table.note == ""


def test_retrospective_coverage_exports_carry_the_caveat():
    needs = project()
    for table in (tr.coverage_table(needs, "CASE_2019_B"), tr.coverage_summary_table(needs, "CASE_2019_B")):
        assert table.headers[-1] == "分析の種類"
        assert {row[-1] for row in table.text_rows()} == {tr.RETROSPECTIVE_LABEL}
        assert table.note.startswith(tr.RETROSPECTIVE_LABEL)
    assert "分析の種類" not in tr.coverage_table(needs, "CASE_2020_A").headers


def test_clause_case_back_links():
    table = tr.clause_case_table(project())
    # The grid's case columns are headed by the case titles.
    assert table.headers[4:] == ("案件B（CASE_2019_B、遡及・参考）", "案件A（CASE_2020_A）", "案件数")
    rows = {row[0]: row[4:] for row in table.text_rows()}
    assert rows["CL_B_01"] == ["", "SG_2020_A_E1_CO_01, SG_2020_A_E1_WO_01", 1]
    assert rows["CL_A_01"] == ["SG_2019_B_D1_CO_01", "", 1]
    assert rows["CL_A_02"] == ["", "", 0]


def test_checkitem_case_heat_map():
    table = tr.checkitem_case_table(project())
    assert [row[5:] for row in table.text_rows()] == [
        ["未対応", "対策あり"], ["未対応", "対策不要"], ["対策あり", "未対応"],
    ]
    assert table.rows[0][6] == tr.Status(tr.COVERED)
    # The whole checklist text, never the title cut with 「…」.
    assert table.text_rows()[0][4] == "契約にあたり、特記事項を付す。"


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
    case_rows = {row[0]: row[1:] for row in tr.data_case_table(needs).text_rows()}
    assert case_rows["口座情報"] == ["", "ENT_2020_A_1"]
    assert case_rows["要配慮"] == ["", "ENT_2020_A_1"]
    assert case_rows["生年月日"] == ["", ""]
    assert case_rows["項目の記載なし（別資料）"] == ["DEV_2019_B_1", ""]
    work = {row[0]: row for row in tr.data_work_table(needs).text_rows()}
    assert work["DEV_2019_B_1"][11] == "項目の記載なし（資料1-2のとおり）"
    assert work["ENT_2020_A_1"][3:10] == ["○", "○", "", "", "", "○", "○"]


def test_edition_diff_added_removed_reworded():
    needs = project()
    diffs = tr.edition_diff(needs, "ED_A", "ED_B")
    assert [(d.status, d.old, d.new) for d in diffs] == [
        (tr.REWORDED, "CL_A_01", "CL_B_01"),
        (tr.ADDED, None, "CL_B_02"),
        (tr.RETITLED, "CL_A_03", "CL_B_03"),
        (tr.REMOVED, "CL_A_02", None),
    ]
    # A heading change is shown even when the body is the same (持ち出し→持出し).
    assert tr.marked_text(diffs[2].heading) == "持〔－ち〕出し"
    assert diffs[0].heading == ()
    assert diffs[0].segments == (("equal", "乙は、"), ("insert", "必ず"), ("equal", "守る。"))
    assert tr.marked_text(diffs[0].segments) == "乙は、〔＋必ず〕守る。"
    table = tr.edition_diff_table(needs, "ED_A", "ED_B")
    assert table.name == "edition-diff-ed-a-ed-b"
    assert [row[6] for row in table.rows] == ["文言の変更", "追加", "見出しのみの変更", "削除"]
    assert [str(row[5]) for row in table.rows] == ["", "", "持〔－ち〕出し", ""]
    assert table.headers[5] == "見出しの変更（〔－削除〕〔＋追加〕）"
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
    from council.views.graph import case_dot

    dot = case_dot(project(), "CASE_2020_A")
    assert '"CASE_2020_A" -> "ENT_2020_A_1";' in dot
    assert '"ENT_2020_A_1" -> "SG_2020_A_E1_CO_01";' in dot
    assert '"SG_2020_A_E1_CO_01" -> "CHK_WO_01";' in dot
    assert '"SG_2020_A_E1_CO_01" -> "CL_B_02" [color="#7B68AE"];' in dot
    assert '"NA_2020_A_E1_WS_01" -> "CHK_WS_01" [style=dashed];' in dot
    # Line breaks in labels are Graphviz escapes, not literal backslashes.
    assert 'label="CL_B_02\\n新設"' in dot
    assert "CASE_2019_B" not in dot


def test_index_is_a_snapshot_and_plain_mappings_are_never_stale():
    needs = project()
    assert [w["id"] for w in tr.works(needs, "CASE_2020_A")] == ["ENT_2020_A_1"]
    # A need added to the same dict: the old module-level cache returned the old children.
    needs["DEV_2020_A_1"] = need("DEV_2020_A_1", "development", part_of=["CASE_2020_A"])
    assert [w["id"] for w in tr.works(needs, "CASE_2020_A")] == ["DEV_2020_A_1", "ENT_2020_A_1"]
    snapshot = tr.index(needs)
    assert tr.index(snapshot) is snapshot
    needs["ENT_2020_A_2"] = need("ENT_2020_A_2", "entrustment", part_of=["CASE_2020_A"])
    assert len(tr.works(snapshot, "CASE_2020_A")) == 2  # built once per build, by design
    assert len(tr.works(needs, "CASE_2020_A")) == 3


def test_cross_case_summaries_have_aggregate_columns_only():
    needs = project()
    clause = tr.clause_summary_table(needs)
    assert clause.headers == ("条項", "版", "番号", "見出し", "対象案件数", "依拠する案件数", "割合", "最新年度",
                              "2019年度", "2020年度", "依拠する案件")
    rows = {r[0]: r for r in clause.text_rows()}
    # CL_B_01: one case of the one case whose contract uses edition B, in 2020.
    assert rows["CL_B_01"][4:] == [1, 1, 1.0, 2020, 0, 1, "CASE_2020_A"]
    assert rows["CL_A_02"][4:] == [1, 0, 0.0, "", 0, 0, ""]
    first = {str(r[0]): r for r in clause.rows}["CL_B_01"]
    # The row is named by its edition, number and heading; the ID stays the link target.
    assert (first[0][0].id, first[0][0].label) == ("CL_B_01", "ED_B 第1項 基本")
    assert [(r.id, r.label) for r in first[-1]] == [("CASE_2020_A", "案件A")]
    assert clause.strip == (8, 9) and clause.expand == 10

    items = {str(r[0]): r for r in tr.checkitem_summary_table(needs).text_rows()}
    # CHK_WS_01: waived by A, open in B -> share of the one case it applies to.
    assert items["CHK_WS_01"][5:10] == [1, 1, 0, 0.0, ""]
    assert items["CHK_WO_01"][4] == "契約にあたり、特記事項を付す。"
    data = {r[0]: r for r in tr.data_summary_table(needs).text_rows()}
    assert data["氏名"][1:] == [1, 0.5, 2020, 0, 1, "CASE_2020_A"]
    assert data["項目の記載なし（別資料）"][1:4] == [1, 0.5, 2019]


def test_long_format_has_one_row_per_safeguard_item_and_clause():
    table = tr.trace_long_table(project())
    assert table.headers[:6] == ("案件", "案件名", "開始年度", "担当部課", "業務委託・開発", "情報保護対策")
    rows = [r for r in table.text_rows() if r[5] == "SG_2020_A_E1_CO_01"]
    assert [(r[10], r[12], r[13]) for r in rows] == [
        ("CHK_WO_01", "CL_B_01", "第1項 基本"), ("CHK_WO_01", "CL_B_02", "第2項 新設")]
    assert rows[0][:4] == ["CASE_2020_A", "案件A", 2020, "福祉部"]
    assert rows[0][9] == "名簿を提出させる。" and rows[0][11] == "契約にあたり、特記事項を付す。"
    old = next(r for r in table.text_rows() if r[0] == "CASE_2019_B")
    assert old[-1] == tr.RETROSPECTIVE_LABEL


def test_relying_cases_by_fiscal_year():
    needs = project()
    groups = tr.relying_cases(needs, "CHK_WO_01", "satisfies")
    assert [(year, [(r.case["id"], [s["id"] for s in r.safeguards]) for r in cases]) for year, cases in groups] == [
        (2020, [("CASE_2020_A", ["SG_2020_A_E1_CO_01", "SG_2020_A_E1_WO_01"])]),
    ]
    assert [year for year, _ in tr.relying_cases(needs, "CL_A_01", "binds")] == [2019]
    assert tr.relying_cases(needs, "CL_A_02", "binds") == []


def test_export_tables_are_made_one_at_a_time_and_let_go():
    """At 1,000 cases every table together weighs about as much as the needs: the build
    writes each one and lets it go, so a table yielded earlier is freed by the next."""
    import gc
    import weakref

    from council.outputs.exports import export_tables

    stream = iter(export_tables(project()))
    previous = weakref.ref(next(stream))
    count = 1
    for table in stream:
        gc.collect()
        assert previous() is None, f"table {count} is still held when table {count + 1} is made"
        previous = weakref.ref(table)
        count += 1
        del table
    assert count == len({t.name for t in tr.all_tables(project())}) > 5
    assert tr.case_matrix_name("CASE_2019_B") == tr.case_matrix(project(), "CASE_2019_B").name
