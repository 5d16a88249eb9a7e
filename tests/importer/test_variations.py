"""Documents of the family never seen: variations generated from the four sources."""

from __future__ import annotations

import re

import pytest

from importer_sources import source_text

from council_import import parse_document
from council_import.parse import NOT_GIVEN

JIRITSU = "000_bad3504de82e16e0.txt"
SASAEAI = "001_226f9b6f33957b40.txt"
FUREAI = "003_0cb8053224550498.txt"


def _summary(doc):
    """What must not change under harmless variations."""
    return [
        (w.kind, w.title, sorted(w.fields.items()), [(s.actor, s.aspect, s.number, s.text) for s in w.safeguards],
         [(c.number, c.heading, c.text) for c in (w.terms.clauses if w.terms else [])])
        for w in doc.works
    ]


def _blocks(text: str, start: str, end: str | None) -> tuple[str, str, str]:
    """Split *text* into (before, the block from *start* up to *end*, after)."""
    i = text.index(start)
    j = text.index(end, i) if end else len(text)
    return text[:i], text[i:j], text[j:]


def test_reordered_works_keep_their_own_fields_and_safeguards():
    text = source_text(JIRITSU)
    head, first, rest = _blocks(text, "件名 自立相談支援事業の実施", "件名 家計改善支援事業")
    second, tail = rest[: rest.index("\n(別紙)\n")], rest[rest.index("\n(別紙)\n") :]
    original = parse_document(text)
    swapped = parse_document(head + second + "\n" + first + tail)
    assert [w.title for w in swapped.works] == [w.title for w in reversed(original.works)]
    assert _summary(swapped) == list(reversed(_summary(original)))


def test_reordered_case_header_lines():
    text = source_text(FUREAI)
    dept = "（担当部課：福祉部地域包括ケア推進課）\n"
    moved = text.replace(dept, "", 1).replace("条例の根拠\n", dept + "\n条例の根拠\n", 1)
    doc = parse_document(moved)
    assert doc.department == "福祉部地域包括ケア推進課"
    assert doc.legal_basis == parse_document(text).legal_basis
    assert _summary(doc) == _summary(parse_document(text))


def test_missing_field_is_marked_not_given():
    text = source_text(SASAEAI)
    lines = [line for line in text.splitlines() if not line.startswith("委託理由\t")]
    doc = parse_document("\n".join(lines))
    work = doc.works[0]
    assert work.fields["reason"] == NOT_GIVEN
    assert work.missing == ["reason"]
    assert doc.missing == [(work.line, f"{work.title}: 委託理由／新規開発・追加・変更の理由")]


def test_extra_whitespace_changes_nothing():
    text = source_text(JIRITSU)
    noisy = "\n\n" + "\n".join(
        re.sub(r"\t", "  \t ", line) + "   " if line.strip() else line for line in text.splitlines()
    ).replace("\n\n", "\n\n\n")
    assert _summary(parse_document(noisy)) == _summary(parse_document(text))


def test_crlf_line_endings():
    text = source_text(FUREAI)
    assert _summary(parse_document(text.replace("\n", "\r\n"))) == _summary(parse_document(text))


def test_full_width_item_and_clause_numbers():
    text = source_text(JIRITSU)
    to_full = str.maketrans("0123456789", "０１２３４５６７８９")
    # item numbers in the measures (「 1 取扱責任者…」) and clause numbers (「- 1 乙は」「10 乙は」)
    wide = re.sub(r"(?<=[ >])([1-9])(?= [^\d])", lambda m: m.group(1).translate(to_full), text)
    wide = re.sub(r"(?m)^(- )?(\d{1,2})(?= 乙は| 甲は| 前項)", lambda m: (m.group(1) or "") + m.group(2).translate(to_full), wide)
    assert wide != text and "１ 取扱責任者" in wide and "\n１０ 乙は" in wide
    assert _summary(parse_document(wide)) == _summary(parse_document(text))


def test_half_width_digits_in_checklist_form_dates():
    text = source_text("002_e8f86ce15c3a39e6.txt").replace("令和7年9月下旬", "令和７年９月下旬")
    assert parse_document(text).works[0].fields["start"] == "2025-09"


def test_only_an_entrustment():
    text = source_text(FUREAI)
    head, dev, rest = _blocks(text, "件名 ふれあい入浴証管理システムの開発について", "件名 ふれあい入浴証管理システム保守")
    doc = parse_document(head + rest)
    assert [w.kind for w in doc.works] == ["entrustment"]
    assert len(doc.special_terms) == 1 and len(doc.works[0].terms.clauses) == 21
    assert doc.fiscal_year == 2018


def test_only_a_development():
    text = source_text(FUREAI)
    head, dev, rest = _blocks(text, "件名 ふれあい入浴証管理システムの開発について", "件名 ふれあい入浴証管理システム保守")
    doc = parse_document(head + dev)
    assert [w.kind for w in doc.works] == ["development"]
    work = doc.works[0]
    assert work.fields["computer"].startswith("情報システム課設置サーバ")
    assert len(work.terms.clauses) == 19
    assert [s.actor for s in work.safeguards] == [None] * 5  # the source does not say: inferred later


def test_both_kinds_get_their_own_special_terms():
    doc = parse_document(source_text(FUREAI))
    assert [(w.kind, len(w.terms.clauses)) for w in doc.works] == [("development", 19), ("entrustment", 21)]


def test_a_work_without_special_terms_is_assumed_and_flagged(run_import):
    text = source_text(FUREAI)
    head, dev, rest = _blocks(text, "件名 ふれあい入浴証管理システムの開発について", "\n特記事項\n")
    code, err, out = run_import(head + dev, slug="FUREAI")
    assert code == 0
    page = out.read_text(encoding="utf-8")
    # The latest known edition is assumed: ED_C, the one the FY2020 case prints.
    assert "terms: ED_C\nterms_assumed: true\n" in page
    assert "原典に特記事項の条文がないため、版 ED_C を推定で適用しました" in err


def test_checklist_not_applicable_rows_become_exemptions(run_import):
    text = source_text("002_e8f86ce15c3a39e6.txt")
    lines = text.splitlines()
    # mark the third row of the ward's operational checklist 「－」 (the legend's own sign)
    k = next(i for i, line in enumerate(lines) if line.startswith("\t○\t再委託先がある場合には") )
    lines[k] = lines[k].replace("\t○\t", "\t-\t", 1)
    code, err, out = run_import("\n".join(lines), slug="HOGO_INJI")
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert "id: NA_2025_HOGO_INJI_E1_WO_03\npart_of: ENT_2025_HOGO_INJI_1\nactor: 区\naspect: 運用\n" in page
    assert "waives: CHK_WO_03\n" in page
    assert "SG_2025_HOGO_INJI_E1_WO_03" not in page
    assert f"{k + 1}: 修正: 記号の統一: チェックリストの記号「-」を「－」として扱いました" in err
    assert "情報保護対策 47 件、対策不要 1 件" in err


@pytest.mark.parametrize(
    ("start", "year"), [("2018-02-01", 2017), ("2018-03", 2017), ("2018-04-01", 2018), ("2019-12-31", 2019)]
)
def test_fiscal_year_runs_from_april(start, year):
    from council_import.document import fiscal_year_of

    assert fiscal_year_of(start) == year


def test_development_only_case_takes_the_development_start_fiscal_year():
    text = source_text(FUREAI)
    head, dev, rest = _blocks(text, "件名 ふれあい入浴証管理システムの開発について", "件名 ふれあい入浴証管理システム保守")
    doc = parse_document(head + dev)
    # The development starts on 平成30年2月1日, in fiscal year 2017.
    assert [w.kind for w in doc.works] == ["development"]
    assert doc.fiscal_year == 2017
