"""The numbers and dates that single out a resident.

個人番号 (12 digits) and 住民票コード (11 digits) are found only with a valid
check digit or after their label, so that contract numbers and amounts pass;
宛名番号 after its label; 生年月日 after a label or before 生/生まれ. Each
detector yields the spans it finds in folded text (:mod:`council.read.folded_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from council.read.folded_text import HAN, LABEL_SEP, NUM, Span, fold, preceded_by


def mod11_check_digit(digits: str) -> int:
    """The check digit of 個人番号 (番号法施行令第8条, 総務省令第85号第5条).

    Weights 2..7 from the lowest digit, repeating; 11 − (sum mod 11), and 0
    when the remainder is 0 or 1.
    """
    total = sum(int(d) * (n % 6 + 2) for n, d in enumerate(reversed(digits)))
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def valid_personal_number(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    return len(digits) == 12 and mod11_check_digit(digits[:11]) == int(digits[11])


def valid_resident_code(number: str) -> bool:
    """住民票コード: ten digits and a check digit.

    Assumption (this site's reading, not checked against the 省令's text): the
    same modulus-11 scheme with weights 2..7 as the 個人番号.
    """
    digits = re.sub(r"\D", "", number)
    return len(digits) == 11 and mod11_check_digit(digits[:10]) == int(digits[10])


_NOT_BEFORE_NUMBER = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.,-"
_GROUP_SEP = r"(?:[- ]?|[- ]?\n[ \t]*)"
_TWELVE = re.compile(
    rf"\d{{4}}{_GROUP_SEP}\d{{4}}{_GROUP_SEP}\d{{4}}(?![0-9A-Za-z_,]|[.-]\d)"
)


def personal_numbers(text: str) -> Iterator[Span]:
    for m in _TWELVE.finditer(text):
        if preceded_by(text, m.start(), _NOT_BEFORE_NUMBER):
            continue
        after = text[m.end():m.end() + 2].lstrip()
        if after.startswith(("円", "万", "億")):  # an amount
            continue
        if valid_personal_number(m.group()):
            yield m.span()


_ELEVEN = re.compile(r"\d{11}(?![0-9A-Za-z_,]|[.-]\d)")
_RC_LABEL = re.compile(fold("住民票コード") + r"[^\n\d]{0,6}$")


def resident_codes(text: str) -> Iterator[Span]:
    for m in _ELEVEN.finditer(text):
        if preceded_by(text, m.start(), _NOT_BEFORE_NUMBER):
            continue
        labelled = bool(_RC_LABEL.search(text, max(0, m.start() - 12), m.start()))
        if labelled or (not m.group().startswith("0") and valid_resident_code(m.group())
                        and not text[m.end():m.end() + 1] == "円"):
            yield m.span()


_ADDRESSEE = re.compile(
    rf"宛名(?:番号|{fold('コード')}|ID)(?:{LABEL_SEP}|[ \t]*)[(]?[ ]?(?:第[ ]?)?(\d[\d-]{{2,}}\d)(?!\d)"
)


def addressee_numbers(text: str) -> Iterator[Span]:
    for m in _ADDRESSEE.finditer(text):
        yield m.span(1)


_ERA = r"(?:明治|大正|昭和|平成|令和|[MTSHR]\.?[ ]?)"
_DATE = (
    rf"(?:{_ERA}[ ]?(?:{NUM}|元)[ ]?(?:年|[./-])[ ]?{NUM}[ ]?(?:月|[./-])[ ]?{NUM}[ ]?日?"
    rf"|(?:18|19|20)\d{{2}}[ ]?(?:年|[./-])[ ]?(?:\([^)\n]{{1,8}}\)[ ]?)?\d{{1,2}}[ ]?(?:月|[./-])[ ]?\d{{1,2}}[ ]?日?)"
)
_BIRTH_LABELLED = re.compile(
    rf"(?:生年月日|誕生日|出生日|生年)(?:[(][^)\n]{{1,6}}[)])?(?:{LABEL_SEP}|[ \t]*)[(]?(?P<a>{_DATE})"
)
# A date before 生/生まれ, read backwards from it (a scan for dates
# everywhere would try every position of the text).
_BORN = re.compile(rf"(?:生まれ|生)(?![{HAN}])")
_DATE_BEFORE_BORN = re.compile(rf"[(]?{_DATE}[ ]?$")


def birth_dates(text: str) -> Iterator[Span]:
    for m in _BIRTH_LABELLED.finditer(text):
        yield m.span("a")
    for born in _BORN.finditer(text):
        lo = max(0, born.start() - 24)
        m = _DATE_BEFORE_BORN.search(text, lo, born.start())
        if m:
            yield m.start(), born.end()
