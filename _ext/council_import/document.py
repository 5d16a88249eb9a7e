"""What a council document says, as plain data (no Sphinx, no files)."""

from __future__ import annotations

from dataclasses import dataclass, field


class DocumentError(Exception):
    """The input is not a (complete) council document; carries the 1-based line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line}: {message}")
        self.line = line
        self.message = message


@dataclass
class Cleanup:
    """One extraction artifact removed from the text (reported and listed on the page)."""

    line: int
    kind: str
    detail: str


@dataclass
class Safeguard:
    number: int
    text: str
    actor: str | None  # 区 / 受託者; None when the source does not say
    aspect: str | None  # 運用 / システム; None when the source does not say
    section: str  # the source's heading for the group, as shown on the page
    line: int
    #: For checklist rows: the checklist item of the same row and whether it is
    #: marked ○ (True) or － (False).
    checkitem: str | None = None
    applies: bool = True
    # Filled by the importer (suggestions / inference), not by the parser.
    satisfies: list[str] = field(default_factory=list)
    binds: list[str] = field(default_factory=list)
    proposed: bool = False
    inferred_group: bool = False
    alternatives: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    @property
    def grouping(self) -> str:
        return "推定" if self.inferred_group else "原典"


@dataclass
class Clause:
    number: int
    heading: str
    text: str
    line: int


@dataclass
class SpecialTerms:
    """One reproduced 特記事項 block."""

    line: int
    clauses: list[Clause] = field(default_factory=list)
    at_end: bool = False  # the document ends with this block


@dataclass
class Work:
    kind: str  # entrustment / development
    title: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    field_lines: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    safeguards: list[Safeguard] = field(default_factory=list)
    uses_checklist: bool = False
    terms: SpecialTerms | None = None
    # Filled by the importer from the edition comparison.
    edition: str | None = None
    edition_assumed: bool = False
    edition_note: str = ""


@dataclass
class Document:
    title: str
    council: str
    procedure: list[str]
    legal_basis: list[str]
    department: str
    overview: dict[str, str]
    description: list[str]  # paragraphs of 事業内容, cleaned; "- " starts a bullet
    works: list[Work]
    special_terms: list[SpecialTerms]
    cleanups: list[Cleanup]
    missing: list[tuple[int, str]] = field(default_factory=list)
    # Set by the importer: the case ID's slug and the source file name.
    slug: str = ""
    source: str = ""
    notices: list[str] = field(default_factory=list)
    # 資料番号 as the document states it, or as this site reads it from the
    # numbers of the attachments it refers to (material_inferred).
    material: str = ""
    material_inferred: bool = False

    @property
    def form(self) -> str:
        return "チェックリスト" if any(w.uses_checklist for w in self.works) else "記述"

    @property
    def fiscal_year(self) -> int:
        """開始年度: the fiscal year (April to March) of the earliest start of the
        case's entrustments; for a case with developments only, of theirs."""
        works = [w for w in self.works if w.kind == "entrustment"] or self.works
        return min(fiscal_year_of(w.fields["start"]) for w in works)


def fiscal_year_of(start: str) -> int:
    """The Japanese fiscal year of an ISO date or month: 2018-02 is in 2017."""
    year, month = int(start[:4]), int(start[5:7])
    return year if month >= 4 else year - 1
