"""How readers name a need in the views: its whole text, a clause by number and
heading, an edition by its short name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from council.model.need_index import Needs


def full_text(need: Mapping[str, Any]) -> str:
    """A need's whole text (its title may be cut with 「…」)."""
    content = re.sub(r"\s+", " ", str(need.get("content") or "")).strip()
    return content or str(need.get("title") or "")


def excerpt(need: Mapping[str, Any], limit: int = 60) -> str:
    """The start of a need's text, for link texts (the whole text is on the need's page)."""
    text = full_text(need)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clause_title(clause: Mapping[str, Any]) -> str:
    """「第10項 再委託の禁止」: how readers name a clause."""
    number, heading = clause.get("number"), clause.get("heading")
    name = f"第{number}項" if number not in (None, "") else clause["id"]
    return f"{name} {heading}" if heading else name


def clause_label(needs: Needs, clause_id: str) -> str:
    """「CL_B_10 再委託の禁止」: a clause by ID and heading (exports)."""
    clause = needs.get(clause_id) or {}
    heading = clause.get("heading")
    return f"{clause_id} {heading}" if heading else clause_id


def edition_name(needs: Needs, edition_id: str) -> str:
    """The short name readers know an edition by (「21項版」), from its title."""
    edition = needs.get(edition_id) or {}
    title = str(edition.get("title") or "").removeprefix("特記事項").strip()
    return title or str(edition.get("label") or edition_id)


def edition_label(needs: Needs, edition_id: str) -> str:
    """An edition by ID and label."""
    edition = needs.get(edition_id) or {}
    label = edition.get("label")
    return f"{edition_id} {label}" if label else edition_id
