"""The build refuses broken traceability: one broken project per rule.

Each project under ``tests/roots/test-broken-*`` differs from the valid
``test-site-minimal`` in one place; the build must fail (status 1 with
warnings as errors) with exactly the expected message at the file and line.
"""

from __future__ import annotations

import pytest

from helpers import warning_lines

SG = "<srcdir>/cases/case.md:38"
ENT = "<srcdir>/cases/case.md:21"
CASE = "<srcdir>/cases/case.md:3"

EXPECTED = {
    "broken-safeguard-without-checkitem": [
        f"{SG}: WARNING: 情報保護対策 SG_2020_TEST_E1_CO_01 に「チェックリスト項目」へのリンク "
        "'satisfies' がありません [council.safeguard_without_checkitem]",
    ],
    "broken-safeguard-without-clause": [
        f"{SG}: WARNING: 情報保護対策 SG_2020_TEST_E1_CO_01 に「特記事項の条項」へのリンク "
        "'binds' がありません [council.safeguard_without_clause]",
    ],
    "broken-dead-link": [
        f"{SG}: WARNING: Need 'SG_2020_TEST_E1_CO_01' has unknown outgoing link 'CL_B_99' "
        "in field 'binds' [needs.link_outgoing]",
    ],
    "broken-wrong-link-type": [
        f"{SG}: WARNING: Need 'SG_2020_TEST_E1_CO_01' link 'CL_B_13' in field 'satisfies': "
        "target need type 'clause' is not one of 'checkitem' (or a type inheriting from it), "
        "as need type 'safeguard' declares it [needs.link_target_type]",
    ],
    "broken-duplicate-id": [
        "<srcdir>/cases/case.md:52: WARNING: Need could not be created: A need with ID "
        "'SG_2020_TEST_E1_CO_01' already exists (defined at cases/case:38). [needs.create_need]",
    ],
    "broken-id-regex": [
        f"{SG}: WARNING: Need could not be created: Given ID 'sg-2020-test-1' does not match "
        "configured regex '^[A-Z][A-Z0-9_]*$' [needs.create_need]",
        # The safeguard was refused, so its entrustment is left without one.
        f"{ENT}: WARNING: 業務委託 ENT_2020_TEST_1 に情報保護対策 (safeguard) がありません "
        "[council.work_without_safeguard]",
    ],
    "broken-id-scheme": [
        f"{SG}: WARNING: 情報保護対策の ID 'SG_2020_TEST_1' が ID 体系 "
        "^SG_[0-9]{4}_[A-Z0-9]+(_[A-Z0-9]+)*_[ED][0-9]+_[WC][OS]_[0-9]{2}$ に合いません "
        "[council.id_scheme]",
    ],
    "broken-missing-field": [
        f"{ENT}: WARNING: 業務委託 ENT_2020_TEST_1 に必須フィールド 'contractor'（委託先）が"
        "ありません [council.missing_field]",
    ],
    "broken-enum-value": [
        f"{SG}: WARNING: 情報保護対策 SG_2020_TEST_E1_CO_01 のフィールド 'actor'（実施主体）の値 "
        "'委託者' は許されません（許される値: 区、受託者） [council.invalid_value]",
    ],
    "broken-edition-mismatch": [
        f"{SG}: WARNING: 情報保護対策 SG_2020_TEST_E1_CO_01 は条項 CL_A_13（版 ED_A）に結び付いて"
        "いますが、ENT_2020_TEST_1 が適用する特記事項の版は ED_B です [council.edition_mismatch]",
    ],
    "broken-case-without-work": [
        f"{CASE}: WARNING: 案件 CASE_2020_TEST に業務委託 (entrustment) も開発・変更 "
        "(development) もありません [council.case_without_work]",
    ],
    "broken-work-without-safeguard": [
        f"{ENT}: WARNING: 業務委託 ENT_2020_TEST_1 に情報保護対策 (safeguard) がありません "
        "[council.work_without_safeguard]",
    ],
    "broken-checklist-unmarked": [
        f"{ENT}: WARNING: 案件 CASE_2020_TEST はチェックリスト様式ですが、ENT_2020_TEST_1 は"
        "チェックリスト項目 47 件（"
        + "、".join(
            [f"CHK_CO_{n:02d}" for n in range(1, 14) if n != 4]
            + [f"CHK_CS_{n:02d}" for n in range(1, 12)]
            + [f"CHK_WO_{n:02d}" for n in range(1, 14)]
            + [f"CHK_WS_{n:02d}" for n in range(1, 12)]
        )
        + "）を対策（○）とも対策不要（－）とも示していません [council.checklist_item_unmarked]",
    ],
}


def test_valid_project_builds_without_warnings(build_project):
    app = build_project("site-minimal")
    assert warning_lines(app) == []
    assert app.statuscode == 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_project_fails_with_message(build_project, name):
    app = build_project(name)
    assert warning_lines(app) == EXPECTED[name]
    assert app.statuscode == 1
