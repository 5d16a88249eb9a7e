"""The numbered safeguards (情報保護対策) of a work's cells.

A work's table has cells such as 「受託事業者に行わせる個人情報保護対策」: who
acts is read from the cell's key, the kind (運用/システム) from the
「【…上の対策】」 headings inside it, and each measure starts with its number
(「1 …」, 「２．…」), counted from 1 within each heading.
"""

from __future__ import annotations

import re
import unicodedata

from council_import.cells import Row, clean_cell, join_wrapped
from council_import.document import Cleanup, DocumentError, Safeguard, Work

ASPECT_RE = re.compile(r"【(運用|システム)上の対策】")
_ITEM_RE = re.compile(r"(?:^|(?<=\s))([0-9０-９]{1,2})[.．]?[ \u3000]+(?=\S)")


def nfkc_int(text: str) -> int:
    return int(unicodedata.normalize("NFKC", text))


def safeguard_actor(key: str) -> str | None:
    if "区が行う" in key:
        return "区"
    if "事業者に行わせる" in key or "受託者に行わせる" in key:
        return "受託者"
    return None


def group_code(actor: str | None, aspect: str | None) -> str:
    """The two letters of a measure's group in IDs: who acts (W 区 / C 受託者), kind (O 運用 / S システム)."""
    return ("W" if actor == "区" else "C") + ("O" if aspect == "運用" else "S")


def add_safeguards(work: Work, row: Row, wrapped: bool, cleanups: list[Cleanup]) -> None:
    """The numbered measures of one 情報保護対策 cell, added to *work* (or its use of the checklist)."""
    actor = safeguard_actor(row.key)
    text = " ".join(clean_cell(row.value, row.line, wrapped, row.key, cleanups))
    if wrapped:
        # a cell continued on the next table row (the PDF's page break)
        text = join_wrapped(text, row.line, row.key, cleanups)
    if "チェックリスト" in text and not _ITEM_RE.search(text):
        work.uses_checklist = True
        return
    parts = ASPECT_RE.split(text)
    segments: list[tuple[str | None, str]] = []
    if parts[0].strip():
        segments.append((None, parts[0]))
    for k in range(1, len(parts), 2):
        segments.append((parts[k], parts[k + 1]))
    found = 0
    for aspect, segment in segments:
        expected = 1
        starts: list[tuple[int, int, int]] = []
        for m in _ITEM_RE.finditer(segment):
            if nfkc_int(m.group(1)) == expected:
                starts.append((expected, m.start(1), m.end()))
                expected += 1
        if not starts:
            if segment.strip():
                raise DocumentError(row.line, f"「{row.key}」の欄に番号付きの項目（「1 …」）がありません")
            continue
        section = row.key + (f"【{aspect}上の対策】" if aspect else "")
        for k, (number, _, body_start) in enumerate(starts):
            end = starts[k + 1][1] if k + 1 < len(starts) else len(segment)
            body = segment[body_start:end].strip()
            work.safeguards.append(
                Safeguard(number=number, text=body, actor=actor, aspect=aspect, section=section, line=row.line)
            )
            found += 1
    if not found:
        raise DocumentError(row.line, f"「{row.key}」の欄に番号付きの項目（「1 …」）がありません")
