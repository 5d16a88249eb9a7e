"""Comparison of two editions of the special terms (特記事項), clause by clause,
following the ``revises`` links of the newer edition: added, removed, reworded
or retitled clauses, with a character diff (Japanese has no spaces)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from council.model.need_index import Needs, indexed, links, number, of_type
from council.views.cells import Diff, Ref, Refs, Table, int_or_text, slug

ADDED, REMOVED, REWORDED, RETITLED, UNCHANGED = "added", "removed", "reworded", "retitled", "unchanged"
DIFF_LABELS = {ADDED: "追加", REMOVED: "削除", REWORDED: "文言の変更", RETITLED: "見出しのみの変更",
               UNCHANGED: "変更なし"}


@dataclass(frozen=True)
class ClauseDiff:
    status: str
    old: str | None  # clause ID in the older edition
    new: str | None  # clause ID in the newer edition
    #: ``(op, text)`` with op ``equal`` / ``delete`` / ``insert``.
    segments: tuple[tuple[str, str], ...] = ()
    #: The diff of the headings (見出し), empty when they are equal.
    heading: tuple[tuple[str, str], ...] = ()


def text_segments(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Character-level diff (Japanese has no spaces between words)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    segments: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", old[i1:i2]))
            continue
        if i2 > i1:
            segments.append(("delete", old[i1:i2]))
        if j2 > j1:
            segments.append(("insert", new[j1:j2]))
    return tuple(segments)


def _content(need: Mapping[str, Any]) -> str:
    return re.sub(r"\s+", "", need.get("content") or "")


@indexed
def edition_diff(needs: Needs, old_edition: str, new_edition: str) -> list[ClauseDiff]:
    """Clause by clause, following the ``revises`` links of the newer edition."""
    def clauses_of(edition: str) -> list[Mapping[str, Any]]:
        return sorted(
            (n for n in of_type(needs, needs.roles.clause) if edition in links(n, "part_of")),
            key=lambda n: (number(n), n["id"]),
        )

    old_clauses = clauses_of(old_edition)
    old_ids = {c["id"] for c in old_clauses}
    result: list[ClauseDiff] = []
    matched: set[str] = set()
    for clause in clauses_of(new_edition):
        previous = [p for p in links(clause, "revises") if p in old_ids]
        if not previous:
            result.append(ClauseDiff(ADDED, None, clause["id"], (("insert", _content(clause)),)))
            continue
        old = needs[previous[0]]
        matched.add(old["id"])
        segments = text_segments(_content(old), _content(clause))
        old_heading, new_heading = str(old.get("heading") or ""), str(clause.get("heading") or "")
        heading = text_segments(old_heading, new_heading) if old_heading != new_heading else ()
        if any(op != "equal" for op, _ in segments):
            status = REWORDED
        else:
            status = RETITLED if heading else UNCHANGED
        result.append(ClauseDiff(status, old["id"], clause["id"], segments, heading))
    for clause in old_clauses:
        if clause["id"] not in matched:
            result.append(ClauseDiff(REMOVED, clause["id"], None, (("delete", _content(clause)),)))
    return result


def edition_diff_table(needs: Needs, old_edition: str, new_edition: str) -> Table:
    rows = []
    for diff in edition_diff(needs, old_edition, new_edition):
        old, new = needs.get(diff.old or "") or {}, needs.get(diff.new or "") or {}
        body_changed = diff.status in (ADDED, REMOVED, REWORDED)
        rows.append((
            Refs([Ref(diff.old)]) if diff.old else Refs(),
            int_or_text(old.get("number")),
            Refs([Ref(diff.new)]) if diff.new else Refs(),
            int_or_text(new.get("number")),
            new.get("heading") or old.get("heading") or "",
            Diff(diff.heading) if diff.heading else "",
            DIFF_LABELS[diff.status],
            Diff(diff.segments) if body_changed else "",
        ))
    return Table(
        name=f"edition-diff-{slug(old_edition)}-{slug(new_edition)}",
        title=f"特記事項の版の比較 {old_edition} → {new_edition}",
        # Unique headers: a CSV column is named by its header (datapackage.json).
        headers=(f"{old_edition} の条項", f"{old_edition} の番号", f"{new_edition} の条項", f"{new_edition} の番号",
                 "見出し", "見出しの変更（〔－削除〕〔＋追加〕）", "変更", "変更箇所（〔－削除〕〔＋追加〕）"),
        rows=tuple(rows),
    )


@indexed
def edition_pairs(needs: Needs) -> list[tuple[str, str]]:
    """(older, newer) for every edition that ``revises`` another."""
    return sorted(
        (old, e["id"]) for e in of_type(needs, needs.roles.edition) for old in links(e, "revises")
        if old in needs
    )
