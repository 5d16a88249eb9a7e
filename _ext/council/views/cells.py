"""Typed cells and the :class:`Table` of the views.

The same :class:`Table` values are rendered on the pages
(``council.directives.trace``) and written as CSV/XLSX
(``council.outputs.exports``), so a page and its download never differ. Cells
carry what they mean (the IDs of the needs they name, a coverage state by its
code, a share as a number), never a string for the renderer to parse back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Coverage states of a checklist item, with the reader-facing label.
COVERED, NOT_APPLICABLE, GAP = "covered", "not_applicable", "gap"
STATUS_LABELS = {COVERED: "対策あり", NOT_APPLICABLE: "対策不要", GAP: "未対応"}


@dataclass(frozen=True)
class Ref:
    """A need named in a cell: its ID, and the text readers see for it."""

    id: str
    label: str = ""  # shown on pages; the ID when empty
    exported: str = ""  # written to CSV/XLSX; the ID when empty

    @property
    def text(self) -> str:
        return self.exported or self.id


class Refs(tuple):
    """A cell naming needs (a tuple of :class:`Ref`); exported as ``ID, ID``."""

    def __str__(self) -> str:
        return ", ".join(r.text for r in self)


class Percent(float):
    """A share between 0 and 1, written as a number with a % format in XLSX."""

    def __new__(cls, value: float) -> Percent:
        return super().__new__(cls, round(value, 4))

    def __str__(self) -> str:
        return f"{100 * self:.0f}%"


@dataclass(frozen=True)
class Status:
    """A coverage state: styled by its code, shown and exported as its label."""

    code: str

    def __str__(self) -> str:
        return STATUS_LABELS[self.code]


@dataclass(frozen=True)
class Diff:
    """A character diff; exported as 〔－deleted〕〔＋inserted〕 (:func:`marked_text`)."""

    segments: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return marked_text(self.segments)


def marked_text(segments: Iterable[tuple[str, str]]) -> str:
    """A diff as plain text: 〔－deleted〕〔＋inserted〕 (for CSV and the PDF)."""
    parts = []
    for op, text in segments:
        if op == "delete":
            parts.append(f"〔－{text}〕")
        elif op == "insert":
            parts.append(f"〔＋{text}〕")
        else:
            parts.append(text)
    return "".join(parts)


Cell = str | int | float | Refs | Status | Diff


def export_value(cell: Cell) -> str | int | float:
    """A cell as a CSV/XLSX value: numbers stay numbers, the rest is text."""
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int):
        return int(cell)
    if isinstance(cell, float):
        return float(cell)  # a Percent as its plain value, not its "67%" display
    return str(cell)


def refs(needs: Mapping[str, Mapping[str, Any]], ids: Iterable[str], label=None, exported=None) -> Refs:
    """References to *ids*; *label* / *exported* map a need to its texts."""
    out = []
    for need_id in ids:
        need = needs.get(need_id) or {"id": need_id}
        out.append(Ref(need_id, label(need) if label else "", exported(need) if exported else ""))
    return Refs(out)


def int_or_text(value: Any) -> int | str:
    """A number field as a number; empty or non-numeric values as text."""
    if isinstance(value, int):
        return value
    text = str(value or "")
    return int(text) if text.isdigit() else text


@dataclass(frozen=True)
class Table:
    """A matrix of typed cells, shown on the pages and written as CSV/XLSX."""

    name: str  # file stem of the export, ASCII
    title: str  # Japanese caption
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    #: A note every export of the table carries (e.g. the 遡及・参考 caveat).
    note: str = ""
    #: Columns shown on pages as one strip (per-year counts), with the strip's header.
    strip: tuple[int, ...] = ()
    strip_header: str = ""
    #: A column of references shown on pages as an expandable list under the row's first cell.
    expand: int | None = None
    expand_label: str = ""
    #: The first column names the row (a row header).
    row_headers: bool = True
    #: Columns written to CSV/XLSX but left off the page (the row header already says them).
    page_hidden: tuple[int, ...] = ()

    def column(self, header: str) -> list[Cell]:
        index = self.headers.index(header)
        return [row[index] for row in self.rows]

    def text_rows(self) -> list[list[str | int | float]]:
        return [[export_value(c) for c in row] for row in self.rows]


def slug(need_id: str) -> str:
    """A need ID as part of an export's file name."""
    return need_id.lower().replace("_", "-")
