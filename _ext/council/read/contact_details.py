"""The ways to reach a resident: メールアドレス and 電話番号.

An address is found also as ``(at)``, ``[at]``, ＠ or アットマーク and without a
dot; a telephone number with hyphens, brackets, dots, slashes, spaces or +81,
also split over a line. Each detector yields the spans it finds in folded text
(:mod:`council.read.folded_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from council.read.folded_text import Span, preceded_by


_LOCAL = r"[A-Za-z0-9][A-Za-z0-9._%+-]*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DOT = r"(?:[ ]?\.[ ]?|[ ]?[(\[][ ]?dot[ ]?[)\]][ ]?|[ ]dot[ ])"
_WORD_DOT = r"(?:[ ]?[(\[][ ]?(?i:dot)[ ]?[)\]][ ]?|[ ](?:dot|DOT)[ ])"
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9_.%+-]){_LOCAL}"
    rf"(?:[ ]?@[ ]?{_LABEL}(?:{_DOT}{_LABEL})*"  # @, the domain may lack a dot
    rf"|[ ]?[(\[][ ]?(?i:at)[ ]?[)\]][ ]?{_LABEL}(?:{_DOT}{_LABEL})*"  # (at) [at]
    rf"|[ ]?[(\[「]?[ ]?(?:アットマ-ク|アット|あっと|[★☆◆■●])[ ]?[)\]」]?[ ]?{_LABEL}(?:{_DOT}{_LABEL})+"
    # a bare "at" only with a spelt-out dot, or as "AT": English prose has "look at example.com"
    rf"|[ ](?:at|AT)[ ]{_LABEL}(?:{_WORD_DOT}{_LABEL})+"
    rf"|[ ]AT[ ]{_LABEL}(?:{_DOT}{_LABEL})+)"
)


# Every form of an address has one of these; text without any is skipped.
_EMAIL_HINT = re.compile(r"@|[(\[ ](?:at|AT|At)[)\] ]|アット|あっと|[★☆◆■●]")


#: The site's own trace fingerprints (``confirmed_against: CL_B_08@e68b5f638e40``,
#: council.rules.suspect): a need ID, "@" and 12 hex digits, never an address.
_FINGERPRINT = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+@[0-9a-f]{12}")


def emails(text: str) -> Iterator[Span]:
    if not _EMAIL_HINT.search(text):
        return
    for m in _EMAIL.finditer(text):
        if _FINGERPRINT.fullmatch(m.group().strip()):
            continue
        yield m.start(), m.end() - (len(m.group()) - len(m.group().rstrip(" ")))


# Separators between the groups of a telephone number: a hyphen, dot or
# slash (with spaces or a line break around), spaces, or a line break.
_PSEP = r"(?:[ \t]*[-./][ \t]*(?:\n[ \t]*)?|[ \t]*\n[ \t]*[-./]?[ \t]*|[ \t]+)"
_PHONE = re.compile(
    rf"\(0\d{{1,4}}\)[ \t]*\d{{1,4}}(?:{_PSEP})?\d{{3,4}}(?![0-9A-Za-z_]|[-./]\d)"  # (03)1234-5678
    rf"|0\d{{1,4}}[ \t]*\([ \t]*\d{{1,4}}[ \t]*\)[ \t]*\d{{3,4}}(?![0-9A-Za-z_]|[-./]\d)"  # 03(1234)5678
    rf"|0\d{{1,4}}{_PSEP}\d{{1,4}}{_PSEP}\d{{3,4}}(?![0-9A-Za-z_]|[-./]\d)"  # 03-1234-5678, 03.1234.5678
    r"|(?P<run>0\d{9,10})(?![0-9A-Za-z_]|[-./]\d)"
    r"|\+81[-. ]?\(?0?\)?\d{1,4}\)?[-. ]?\d{1,4}[-. ]?\d{3,4}(?![0-9A-Za-z_]|[-./]\d)"
)
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def phones(text: str) -> Iterator[Span]:
    for m in _PHONE.finditer(text):
        if preceded_by(text, m.start(), "0123456789_.,/+-"):
            continue
        # a bare run of digits after letters is an identifier, unless the letters say TEL/FAX
        if m.group("run") and preceded_by(text, m.start(), _LETTERS) \
                and not text[max(0, m.start() - 3):m.start()].upper() in ("TEL", "FAX"):
            continue
        digits = re.sub(r"\D", "", m.group())
        if digits.startswith("81") and m.group().startswith("+"):
            digits = "0" + digits[2:].lstrip("0")
        if len(digits) in (10, 11):
            yield m.span()
