"""Lines and table cells of the extracted text: rows, and the cleaning of a cell.

The text comes from published PDFs: table rows are ``key<TAB>value`` lines
(a line starting with a tab continues the previous cell), cells may keep HTML
tags, bullets may be extracted as 紐, and cells of wrapped tables keep a space
where the PDF broke the line. Each cleaning is recorded as a :class:`Cleanup`
in the list the caller passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from council_import.document import Cleanup



def whole_line(pattern: str) -> re.Pattern[str]:
    """A line that holds *pattern* and nothing else but surrounding whitespace."""
    return re.compile(rf"^\s*{pattern}\s*$")


TAG_RE = re.compile(r"</?(?:p|ol|ul|li|br|span|div)\b[^>]*>", re.IGNORECASE)

_KANA_KANJI = r"\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
# A space between two Japanese characters inside a wrapped table cell is where
# the PDF broke the line (例: 「情報セキュ リティポリシー」).
WRAP_RE = re.compile(rf"(?<=[{_KANA_KANJI}、」])[ \u3000]+(?=[{_KANA_KANJI}])")

# A page break inside a word: the cell before it ends with a Japanese character
# that cannot end a sentence or item, the continuation starts with one that cannot
# start an item (not a number, bracket, 「※」 or 「・」).
_MID_WORD_TAIL = re.compile(rf"[{_KANA_KANJI}]")
_MID_WORD_HEAD = re.compile(r"[\u3040-\u30fa\u30fc-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_TRAILING_TAGS_RE = re.compile(r"(?:\s*</?(?:p|ol|ul|li|br|span|div)\b[^>]*>)+\s*$", re.IGNORECASE)
_LEADING_TAGS_RE = re.compile(r"^\s*(?:</?(?:p|ol|ul|li|br|span|div)\b[^>]*>\s*)+", re.IGNORECASE)


@dataclass
class Row:
    """One table row: its key (whitespace and tags removed), as written, and its value."""

    key: str  # whitespace and tags removed
    raw_key: str
    value: str
    line: int
    wrapped_key: bool


def add_row(rows: list[Row], line: str, lineno: int, cleanups: list[Cleanup]) -> None:
    """Add the table row of *line* to *rows*, or continue the last row's cell."""
    if "\t" not in line:
        return  # a note between tables (e.g. ◇ lines); not a cell
    cells = [c.strip() for c in line.split("\t")]
    if all(re.fullmatch(r"-*", c) for c in cells):
        return  # the table rule of the extraction
    key, value = cells[0], " ".join(c for c in cells[1:] if c)
    if not key:
        if rows:
            continue_row(rows[-1], value, lineno, cleanups)
        return
    plain = TAG_RE.sub("", key)
    rows.append(
        Row(
            key=re.sub(r"\s+", "", plain),
            raw_key=plain,
            value=value,
            line=lineno,
            wrapped_key=bool(WRAP_RE.search(plain.strip())) or "、 " in plain,
        )
    )


def join_wrapped(text: str, line: int, what: str, cleanups: list[Cleanup]) -> str:
    """*text* without the spaces where the PDF wrapped a cell's line."""
    for m in WRAP_RE.finditer(text):
        around = text[max(0, m.start() - 4) : m.end() + 4]
        cleanups.append(Cleanup(line, "セル内の改行", f"{what}: 「{around}」の空白を除去"))
    return WRAP_RE.sub("", text)


def clean_cell(raw: str, line: int, wrapped: bool, what: str, cleanups: list[Cleanup]) -> list[str]:
    """A cell's paragraphs: tags removed, whitespace collapsed, wraps joined."""
    if TAG_RE.search(raw):
        tags = sorted({m.group(0).split()[0].rstrip(">").lstrip("</") for m in TAG_RE.finditer(raw)})
        cleanups.append(Cleanup(line, "HTMLタグ", f"{what}: " + "、".join(f"`<{t}>`" for t in tags)))
    paragraphs = []
    for piece in TAG_RE.split(raw):
        piece = re.sub(r"[ \t\u00a0]+", " ", piece).strip()
        if not piece:
            continue
        if wrapped:
            piece = join_wrapped(piece, line, what, cleanups)
        if piece.startswith("紐 ") or piece == "紐":
            cleanups.append(Cleanup(line, "箇条の記号「紐」", f"{what}: 「{piece[:12]}」を箇条書きに"))
            piece = "- " + piece[1:].strip()
        paragraphs.append(piece)
    return paragraphs


def continue_row(row: Row, value: str, lineno: int, cleanups: list[Cleanup]) -> None:
    """Append a cell that the PDF's page break moved to a new table row.

    When the break fell inside a word (「最新のパ」 / 「ターンファイル」), the two
    halves are joined without the paragraph break the extraction put there,
    and the fix is recorded; otherwise the continuation is a new paragraph.
    """
    tail = TAG_RE.sub("", row.value).rstrip()
    head = TAG_RE.sub("", value).lstrip()
    if tail and head and _MID_WORD_TAIL.match(tail[-1]) and _MID_WORD_HEAD.match(head[0]):
        row.value = _TRAILING_TAGS_RE.sub("", row.value) + _LEADING_TAGS_RE.sub("", value)
        cleanups.append(
            Cleanup(lineno, "改ページ", f"{row.key}: 「{tail[-4:]} {head[:4]}」の改ページによる区切りを除去")
        )
    else:
        row.value += " " + value

