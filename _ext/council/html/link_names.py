"""What a link to a need reads: the target's kind and heading, never a bare ID.

Readers met links that read ``CL_B_10``. A link to a checklist item reads
「チェックリスト: WO-01 契約にあたり…」, a link to a clause 「特記事項: 第10項
再委託の禁止」, and a measure seen from a clause names its case and the start of
its text. The need types are told apart by their roles in the content model
(``[council.roles]``), never by spelled type names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from council.model.content_model import Roles

#: Characters of a checklist item's text in a link to it (the full text is one toggle away).
CHECKITEM_LABEL = 18
#: Characters of a measure's text in a link to it from a clause or checklist item.
MEASURE_EXCERPT = 30


def checkitem_code(item_id: str) -> str:
    """``CHK_WO_01`` → ``WO-01``: the item's short code as readers see it."""
    return item_id.removeprefix("CHK_").replace("_", "-")


def clause_name(clause: Any) -> str:
    """「第10項 再委託の禁止」."""
    number, heading = clause.get("number"), clause.get("heading")
    if number and heading:
        return f"第{number}項 {heading}"
    return clause.get("title") or clause["id"]


def target_name(target: Any, roles: Roles) -> str:
    """What a link to *target* reads: its kind and heading, never a bare ID."""
    kind = target.get("type")
    if kind == roles.checkitem:
        title = (target.get("title") or "").rstrip("…")
        if len(title) > CHECKITEM_LABEL:
            title = title[: CHECKITEM_LABEL - 1] + "…"
        return f"チェックリスト: {checkitem_code(target['id'])} {title}".rstrip()
    if kind == roles.clause:
        return f"特記事項: {clause_name(target)}"
    return target.get("title") or target["id"]


def back_name(need: Any, needs: Mapping[str, Any], roles: Roles) -> str:
    """A need as a back-link names it; a measure (seen from a clause or checklist
    item) by its case's title and the start of its text."""
    if need["type"] not in roles.work_children:
        return target_name(need, roles)
    case = case_of(need, needs, roles)
    text = (need.get("content") or need.get("title") or "").replace("\n", "")
    excerpt = text if len(text) <= MEASURE_EXCERPT else text[: MEASURE_EXCERPT - 1] + "…"
    return f"{case.get('title') if case else ''}: 対策 {need.get('number') or ''}「{excerpt}」"


def case_of(need: Any, needs: Mapping[str, Any], roles: Roles) -> Any:
    """The case *need* belongs to (following ``part_of`` upwards), or None."""
    seen = set()
    while need is not None and need["type"] != roles.case and need["id"] not in seen:
        seen.add(need["id"])
        parents = need.get("part_of") or []
        need = needs.get(parents[0]) if parents else None
    return need
