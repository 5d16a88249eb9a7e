"""Personal data in text: the kinds the privacy lint finds, and the search.

:func:`find_personal_data` is a pure function over text. The kinds it finds
(:data:`KINDS`), also written with full-width digits and separators or split
over a line, are detected by kind in :mod:`council.read.personal_numbers`
(個人番号, 住民票コード, 宛名番号, 生年月日), :mod:`council.read.contact_details`
(メールアドレス, 電話番号) and :mod:`council.read.names_and_addresses` (氏名と年齢,
住所と氏名, 氏名, 住所). A finding carries its kind and line; shown, its
value is masked (:func:`mask`).

Why not a PII library: the usual ones (Presidio, GiNZA's named entities) need
language models of hundreds of megabytes, do not know the Japanese
identifiers with their check digits (個人番号, 住民票コード) or labels (宛名番号),
and give no reason an author can act on. Rules over the text are deterministic,
fast and reviewable; their accuracy is measured on the labelled corpus of the
tests (``council-privacy-eval``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from council.read.contact_details import emails, phones
from council.read.folded_text import Span, fold
from council.read.names_and_addresses import (
    addresses_with_names,
    labelled_addresses,
    labelled_names,
    names_with_age,
)
from council.read.personal_numbers import addressee_numbers, birth_dates, personal_numbers, resident_codes
from council.read.privacy_allowlist import Allowed

# The kinds, in the order they claim text: a span taken by an earlier kind is
# not reported again by a later one (a 12-digit number with a valid check
# digit is a 個人番号, not also a telephone number).
PERSONAL_NUMBER = "個人番号"
RESIDENT_CODE = "住民票コード"
ADDRESSEE_NUMBER = "宛名番号"
EMAIL = "メールアドレス"
PHONE = "電話番号"
BIRTH_DATE = "生年月日"
NAME_AGE = "氏名と年齢"
ADDRESS_NAME = "住所と氏名"
NAME = "氏名"
ADDRESS = "住所"
KINDS: tuple[str, ...] = (
    PERSONAL_NUMBER, RESIDENT_CODE, ADDRESSEE_NUMBER, EMAIL, PHONE,
    BIRTH_DATE, NAME_AGE, ADDRESS_NAME, NAME, ADDRESS,
)


@dataclass(frozen=True, order=True)
class Finding:
    lineno: int
    kind: str
    value: str

    @property
    def masked(self) -> str:
        return mask(self.value)


def mask(value: str) -> str:
    """Keep the first character and the separators; hide everything else."""
    return value[:1] + "".join(c if c in "-()@. 　\n" else "*" for c in value[1:]).replace("\n", " ")


DETECTORS: tuple[tuple[str, Callable[[str], Iterator[Span]]], ...] = (
    (PERSONAL_NUMBER, personal_numbers),
    (RESIDENT_CODE, resident_codes),
    (ADDRESSEE_NUMBER, addressee_numbers),
    (EMAIL, emails),
    (PHONE, phones),
    (BIRTH_DATE, birth_dates),
    (NAME_AGE, names_with_age),
    (ADDRESS_NAME, addresses_with_names),
    (NAME, labelled_names),
    (ADDRESS, labelled_addresses),
)


def find_personal_data(text: str, allowed: Sequence[Allowed] = ()) -> list[Finding]:
    """Every match in *text* (1-based line numbers), except allowed values."""
    folded = fold(text)
    allowed_values = {fold(a.value) for a in allowed}
    line_starts = [0, *(m.end() for m in re.finditer("\n", folded))]
    taken: list[Span] = []  # sorted, never overlapping
    findings = []
    for kind, detect in DETECTORS:
        for start, end in detect(folded):
            i = bisect.bisect_left(taken, (start, end))
            if (i > 0 and taken[i - 1][1] > start) or (i < len(taken) and taken[i][0] < end):
                continue
            taken.insert(i, (start, end))
            value = folded[start:end]
            if value in allowed_values or any(a in value for a in allowed_values if len(a) >= 6):
                continue
            lineno = bisect.bisect_right(line_starts, start)
            findings.append(Finding(lineno, kind, text[start:end]))
    return sorted(findings)
