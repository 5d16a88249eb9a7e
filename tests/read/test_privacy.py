"""Privacy lint: positive and negative examples, masking, the allow-list."""

from __future__ import annotations

from pathlib import Path

import pytest

from council.read.personal_data import find_personal_data, mask
from council.read.privacy import message
from council.read.privacy_allowlist import Allowed, load_allowlist

POSITIVE = [
    ("問合せ 03-1234-5678 まで", "電話番号"),
    ("携帯 090-1234-5678", "電話番号"),
    ("電話 03(1234)5678", "電話番号"),
    ("０３－１２３４－５６７８", "電話番号"),
    ("連絡先 0312345678", "電話番号"),
    ("+81-3-1234-5678", "電話番号"),
    ("taro.yamada@example.jp に送る", "メールアドレス"),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "メールアドレス"),
    ("番号 123456789018", "個人番号"),
    ("番号 1234-5678-9018", "個人番号"),
    ("番号 １２３４　５６７８　９０１８", "個人番号"),
    ("〒160-8484 新宿区歌舞伎町1-4-1 山田太郎様", "住所と氏名"),
    ("新宿区歌舞伎町一丁目4番1号 山田 花子さん", "住所と氏名"),
]

NEGATIVE = [
    "電話番号、メールアドレス、住所、氏名、生年月日",  # field names, not data
    "個人番号（マイナンバー）を取り扱わない",
    "2019年4月1日から2020年3月31日まで(次年度以降も、同様の業務委託を行う。)",
    "start: 2020-04-01",
    "条例第14条第1項、要綱第3条第1項第3号",
    "CL_B_13 CHK_CO_04 SG_2020_TEST_E1_CO_01",
    "チェックリスト様式",
    "約 12,345 件、1,234,567 円",
    "契約番号 123456789012（検査用数字が合わない 12 桁）",
    "source: 003_0cb8053224550498.txt",
    "新宿区歌舞伎町一丁目4番1号（区役所本庁舎）",
]


@pytest.mark.parametrize(("text", "kind"), POSITIVE)
def test_personal_data_is_found(text, kind):
    findings = find_personal_data(text)
    assert [f.kind for f in findings] == [kind]


@pytest.mark.parametrize("text", NEGATIVE)
def test_ordinary_text_passes(text):
    assert find_personal_data(text) == []


def test_line_numbers_and_mask_never_echo_the_value():
    text = "一行目\n二行目\n電話は 03-1234-5678 です\n"
    [finding] = find_personal_data(text)
    assert finding.lineno == 3
    assert finding.masked == "0*-****-****"
    assert "1234" not in message(finding) and "5678" not in message(finding)
    assert message(finding).startswith("個人情報と思われる電話番号（0*-****-****）があります。")


def test_mask_keeps_only_the_first_character_and_separators():
    assert mask("taro@example.jp") == "t***@*******.**"
    assert mask("123456789012") == "1***********"


def test_allowed_value_passes_and_others_do_not():
    allowed = [Allowed(value="03-3209-1111", reason="区の代表電話（公開）", reviewer="事務局")]
    assert find_personal_data("代表 03-3209-1111", allowed) == []
    # Full-width spelling of an allowed value is the same value.
    assert find_personal_data("代表 ０３－３２０９－１１１１", allowed) == []
    assert [f.kind for f in find_personal_data("代表 03-3209-1112", allowed)] == ["電話番号"]


def test_allowlist_entries_need_reason_and_reviewer(tmp_path: Path):
    path = tmp_path / "privacy-allowlist.toml"
    path.write_text(
        '[[allow]]\nvalue = "03-3209-1111"\nreason = "区の代表電話"\nreviewer = "事務局"\n'
        '[[allow]]\nvalue = "info@example.jp"\nreason = ""\n',
        encoding="utf-8",
    )
    entries, problems = load_allowlist(path)
    assert [e.value for e in entries] == ["03-3209-1111"]
    assert problems == [
        "privacy-allowlist.toml の 2 番目の項目に reason、reviewer がありません"
        "（値・公開情報である理由・確認者が必要です）"
    ]


def test_missing_allowlist_is_empty(tmp_path: Path):
    assert load_allowlist(tmp_path / "none.toml") == ([], [])


def test_check_digit_of_personal_number():
    from council.read.personal_numbers import mod11_check_digit, valid_personal_number, valid_resident_code

    # weights 2..7 from the lowest digit: 1*2 = 2, 11 - 2 = 9
    assert mod11_check_digit("00000000001") == 9
    # a remainder of 0 or 1 gives 0: 3*2 + 1*6 = 12, remainder 1
    assert mod11_check_digit("10000000003") == 0
    assert valid_personal_number("555500001110") and not valid_personal_number("555500001111")
    assert valid_personal_number("5555-0000-1110")
    assert valid_resident_code("55550000112") and not valid_resident_code("55550000113")


def test_finding_split_over_lines_reports_its_first_line():
    [finding] = find_personal_data("一行目\n電話 03-5555-\n0123 まで\n")
    assert (finding.lineno, finding.kind, finding.masked) == (2, "電話番号", "0*-****- ****")


def test_every_new_kind_is_masked_in_the_message():
    text = "山田太郎（45歳）\n生年月日：昭和50年1月2日\n宛名番号 5555001\n住民票コード 55550000112"
    findings = find_personal_data(text)
    assert [(f.lineno, f.kind) for f in findings] == [
        (1, "氏名と年齢"), (2, "生年月日"), (3, "宛名番号"), (4, "住民票コード"),
    ]
    for finding in findings:
        assert finding.value not in message(finding)
    assert [f.masked for f in findings] == ["山********", "昭********", "5******", "5**********"]
