"""Special-terms edition detection: the reproduced 特記事項 against ``clauses/``.

An exact match (same clauses, headings and wording, whitespace aside) names
the edition. Otherwise the differences are listed clause by clause against the
closest edition, and a new edition file can be written that revises it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from council_import.document import SpecialTerms
from council_import.pages import read_dir
from council_import.site_model import site_model


@dataclass
class KnownClause:
    id: str
    number: int
    heading: str
    text: str


@dataclass
class Edition:
    id: str
    label: str
    path: str
    clauses: dict[int, KnownClause] = field(default_factory=dict)


@dataclass(frozen=True)
class Difference:
    number: int
    kind: str  # added / removed / changed
    detail: str

    def __str__(self) -> str:
        return f"第{self.number}項: {self.detail}"


@dataclass
class Detection:
    edition: str | None  # exact match
    closest: str | None
    differences: list[Difference]


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"(?m)^\s*-\s+", "", text))


def load_editions(project: Path) -> dict[str, Edition]:
    needs = read_dir(project / "clauses", "edition-*.md")
    roles = site_model().roles
    editions = {
        n.id: Edition(n.id, n.options.get("label", n.title), n.path) for n in needs if n.type == roles.edition
    }
    for n in needs:
        if n.type == roles.clause:
            ed = (n.links.get("part_of") or [""])[0]
            if ed in editions:
                number = int(n.options["number"])
                editions[ed].clauses[number] = KnownClause(n.id, number, n.options.get("heading", ""), n.content)
    return editions


def compare(block: SpecialTerms, edition: Edition) -> list[Difference]:
    diffs: list[Difference] = []
    source = {c.number: c for c in block.clauses}
    for number in sorted(set(source) | set(edition.clauses)):
        mine, known = source.get(number), edition.clauses.get(number)
        if known is None:
            diffs.append(Difference(number, "added", f"{edition.id} にない項（（{mine.heading}） {mine.text[:30]}…）"))
        elif mine is None:
            diffs.append(Difference(number, "removed", f"原典にない項（{edition.id} の（{known.heading}））"))
        else:
            if _norm(mine.heading) != _norm(known.heading):
                diffs.append(Difference(number, "changed", f"見出し「{mine.heading}」（{edition.id} は「{known.heading}」）"))
            if _norm(mine.text) != _norm(known.text):
                diffs.append(Difference(number, "changed", f"条文が異なる: {_first_difference(mine.text, known.text)}"))
    return diffs


def _first_difference(a: str, b: str) -> str:
    a, b = _norm(a), _norm(b)
    k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    # show the differing stretch: up to the point where both texts agree again
    tail = 0
    while tail < min(len(a), len(b)) - k and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return f"原典「…{a[max(0, k - 6): len(a) - tail + 4]}…」／版「…{b[max(0, k - 6): len(b) - tail + 4]}…」"


def detect(block: SpecialTerms, editions: dict[str, Edition]) -> Detection:
    if not editions:
        return Detection(None, None, [])
    ranked = sorted((len(compare(block, e)), e.id) for e in editions.values())
    count, closest = ranked[0]
    diffs = compare(block, editions[closest])
    return Detection(closest if count == 0 else None, closest, diffs)


def next_edition_id(editions: dict[str, Edition]) -> str:
    letters = [e[3:] for e in editions if re.fullmatch(r"ED_[A-Z]", e)]
    nxt = chr(max(map(ord, letters)) + 1) if letters else "A"
    if nxt > "Z":
        raise ValueError("no free single-letter edition ID")
    return f"ED_{nxt}"


def render_edition(block: SpecialTerms, new_id: str, base: Edition | None, origin: str, year: int | None = None) -> str:
    """The page of a new edition; *origin* names the document in the ward's
    terms (case title, 資料番号), never a file name of this repository."""
    letter = new_id[3:]
    n = len(block.clauses)
    lines = [
        f"# 特記事項 {n}項版（版 {letter}）",
        "",
        f"```{{edition}} 特記事項 {n}項版（版 {letter}）",
        f":id: {new_id}",
        f":label: {n}項版（{year}年度の資料に掲げられたもの）" if year else f":label: {n}項版（版 {letter}）",
    ]
    if base:
        lines.append(f":revises: {base.id}")
    lines += [
        "",
        f"{n} 項からなる特記事項。{origin}に掲げられた条文を取り込んだもの。",
        "```",
        "",
        ":::{admonition} 取り込みによる版",
        ":class: warning",
        "",
        "この版は取り込みコマンド（council-import）が原典の条文から作成しました。版の名称・",
        "制定日は原典に記載がありません。"
        + (f"各条項の「前の版の条項」は、{base.id} の同じ見出し（なければ同じ番号）の条項です。" if base else ""),
        ":::",
        "",
        f"原典: {origin}",
        "",
        "## 条項",
        "",
    ]
    by_heading = {}
    if base:
        for c in base.clauses.values():
            by_heading.setdefault(_norm(c.heading), c)
    used: set[str] = set()
    for clause in block.clauses:
        lines.append(f"```{{clause}} 第{clause.number}項（{clause.heading}）")
        lines.append(f":id: CL_{letter}_{clause.number:02d}")
        lines.append(f":number: {clause.number}")
        lines.append(f":heading: {clause.heading}")
        lines.append(f":part_of: {new_id}")
        if base:
            prev = by_heading.get(_norm(clause.heading))
            if prev is None or prev.id in used:
                prev = base.clauses.get(clause.number)
            if prev is not None and prev.id not in used:
                used.add(prev.id)
                lines.append(f":revises: {prev.id}")
        main, *items = clause.text.split("\n")
        lines.append("")
        lines.append(main)
        if items:
            lines.append("")
            lines.extend(items)
        lines += ["```", ""]
    return "\n".join(lines)
