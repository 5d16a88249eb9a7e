"""The validation rules as pure functions over need records."""

from __future__ import annotations

from pathlib import Path

import pytest

from council.model.content_model import load_model
from council.rules.validation import Problem, check_all
from helpers import REPO


@pytest.fixture(scope="module")
def model():
    return load_model(REPO / "ubproject.toml")


def need(id_: str, type_: str, line: int, **fields) -> dict:
    return {"id": id_, "type": type_, "docname": "cases/x", "lineno": line, **fields}


def project(*needs: dict) -> dict[str, dict]:
    base = [
        need("ED_B", "edition", 1, label="21項版"),
        need("CL_B_13", "clause", 2, number=13, heading="指定", part_of=["ED_B"]),
        need("CHK_CO_04", "checkitem", 3, actor="受託者", aspect="運用", category="組織的", number=4),
        need("CHK_CO_05", "checkitem", 4, actor="受託者", aspect="運用", category="組織的", number=5),
    ]
    return {n["id"]: n for n in [*base, *needs]}


CASE = need(
    "CASE_2020_T", "case", 10, council="情報公開・個人情報保護審議会", procedure=["報告"],
    legal_basis=["条例第14条第1項"], department="総務部", business="事業", purpose="目的",
    subjects="対象者", fiscal_year=2020, form="チェックリスト", source="x.txt",
)
DEV = need(
    "DEV_2020_T_1", "development", 20, part_of=["CASE_2020_T"], holder="総務課",
    registered_business="業務", data_items="氏名", computer="サーバ", reason="理由",
    scope="内容", period="2020年度", start="2020-04-01",
)
SG = need(
    "SG_2020_T_D1_CO_01", "safeguard", 30, part_of=["DEV_2020_T_1"], actor="受託者",
    aspect="運用", number=1, grouping="原典", satisfies=["CHK_CO_04"], binds=["CL_B_13"],
)


def test_exemption_marks_a_checklist_item_as_not_applicable(model):
    dev = {**DEV, "terms": ["ED_B"]}
    na = need(
        "NA_2020_T_D1_CO_05", "exemption", 40, part_of=["DEV_2020_T_1"], actor="受託者",
        aspect="運用", reason="紙媒体を扱わないため", waives=["CHK_CO_05"],
    )
    assert check_all(project(CASE, dev, SG, na), model) == []


def test_unmarked_item_without_exemption(model):
    dev = {**DEV, "terms": ["ED_B"]}
    assert check_all(project(CASE, dev, SG), model) == [
        Problem(
            "cases/x", 20, "checklist_item_unmarked",
            "案件 CASE_2020_T はチェックリスト様式ですが、DEV_2020_T_1 はチェックリスト項目 1 件"
            "（CHK_CO_05）を対策（○）とも対策不要（－）とも示していません",
        )
    ]


def test_clause_bound_without_edition_on_the_development(model):
    case = {**CASE, "form": "記述"}
    assert check_all(project(case, DEV, SG), model) == [
        Problem(
            "cases/x", 30, "edition_missing",
            "情報保護対策 SG_2020_T_D1_CO_01 は条項 CL_B_13 に結び付いていますが、"
            "DEV_2020_T_1 に適用する特記事項の版 (terms) がありません",
        )
    ]


def test_entrustment_without_terms_is_a_missing_link(model):
    case = {**CASE, "form": "記述"}
    ent = need(
        "ENT_2020_T_1", "entrustment", 20, part_of=["CASE_2020_T"], holder="総務課",
        registered_business="業務", contractor="株式会社A", data_items="氏名", media="紙",
        reason="理由", scope="内容", period="2020年度", start="2020-04-01",
    )
    sg = {**SG, "id": "SG_2020_T_E1_CO_01", "part_of": ["ENT_2020_T_1"]}
    problems = check_all(project(case, ent, sg), model)
    assert Problem(
        "cases/x", 20, "missing_link",
        "業務委託 ENT_2020_T_1 に「適用する特記事項の版」へのリンク 'terms' がありません",
    ) in problems


@pytest.mark.parametrize(
    ("value", "ok"),
    [("2020-04-01", True), ("2025-09", True), ("2020-13-01", False), ("令和2年4月", False), ("2020-04-32", False)],
)
def test_start_date_format(model, value, ok):
    case = {**CASE, "form": "記述"}
    dev = {**DEV, "terms": ["ED_B"], "start": value}
    codes = [p.code for p in check_all(project(case, dev, SG), model)
             # the form only: a date in another fiscal year is its own rule
             if p.code != "fiscal_year_mismatch"]
    assert (codes == []) is ok, codes
