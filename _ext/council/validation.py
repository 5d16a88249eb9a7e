"""Traceability rules that sphinx-needs cannot express with a location.

The rules are pure functions over plain need records and yield
:class:`Problem` values; :func:`setup_validation` reports them through
Sphinx's logger with the file and line of the offending need, typed
``council.<code>`` so that ``-W`` fails the build and tests can match them.

Sphinx-needs itself reports, with file and line: IDs outside ``id_regex``
and duplicate IDs (``needs.create_need``), links to missing IDs
(``needs.link_outgoing``) and links to a need of the wrong type
(``needs.link_target_type``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
from sphinx.application import Sphinx
from sphinx.util import logging

from .model import ContentModel, model_for

logger = logging.getLogger(__name__)

WORK_TYPES = ("entrustment", "development")


@dataclass(frozen=True, order=True)
class Problem:
    docname: str
    lineno: int
    code: str
    message: str


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _links(need: Mapping[str, Any], name: str) -> list[str]:
    value = need.get(name) or []
    return [value] if isinstance(value, str) else list(value)


def _problem(need: Mapping[str, Any], code: str, message: str) -> Problem:
    return Problem(need.get("docname") or "", int(need.get("lineno") or 0), code, message)


def check_ids(needs: Iterable[Mapping[str, Any]], model: ContentModel) -> Iterator[Problem]:
    for need in needs:
        pattern = model.id_schemes.get(need["type"])
        if pattern and not re.fullmatch(pattern, need["id"]):
            yield _problem(
                need,
                "id_scheme",
                f"{model.type_title(need['type'])}の ID '{need['id']}' が ID 体系 "
                f"{pattern} に合いません",
            )


def check_fields(needs: Iterable[Mapping[str, Any]], model: ContentModel) -> Iterator[Problem]:
    validators = {
        name: jsonschema_rs.validator_for(schema)
        for name, schema in model.field_schemas.items()
        if schema
    }
    for need in needs:
        title = model.type_title(need["type"])
        for name in model.required_fields.get(need["type"], ()):
            if _empty(need.get(name)):
                yield _problem(
                    need,
                    "missing_field",
                    f"{title} {need['id']} に必須フィールド '{name}'"
                    f"（{model.field_label(name)}）がありません",
                )
        for name, validator in validators.items():
            value = need.get(name)
            if _empty(value):
                continue
            errors = list(validator.iter_errors(value))
            if errors:
                allowed = model.field_schemas[name].get("enum") or (
                    model.field_schemas[name].get("items", {}).get("enum")
                )
                detail = f"（許される値: {'、'.join(allowed)}）" if allowed else (
                    f"（{errors[0].message}）"
                )
                yield _problem(
                    need,
                    "invalid_value",
                    f"{title} {need['id']} のフィールド '{name}'"
                    f"（{model.field_label(name)}）の値 {value!r} は許されません{detail}",
                )


def check_links(needs: Iterable[Mapping[str, Any]], model: ContentModel) -> Iterator[Problem]:
    for need in needs:
        for link in model.required_links.get(need["type"], ()):
            if _links(need, link):
                continue
            if need["type"] == "safeguard" and link == "satisfies":
                code, what = "safeguard_without_checkitem", "チェックリスト項目"
            elif need["type"] == "safeguard" and link == "binds":
                code, what = "safeguard_without_clause", "特記事項の条項"
            else:
                code, what = "missing_link", model.link_labels.get(link, (link, link))[0]
            yield _problem(
                need,
                code,
                f"{model.type_title(need['type'])} {need['id']} に「{what}」へのリンク "
                f"'{link}' がありません",
            )


def check_editions(needs: Mapping[str, Mapping[str, Any]]) -> Iterator[Problem]:
    """A safeguard binds clauses of the edition its contract actually uses."""
    for need in needs.values():
        if need["type"] != "safeguard":
            continue
        for parent_id in _links(need, "part_of"):
            parent = needs.get(parent_id)
            if parent is None or parent["type"] not in WORK_TYPES:
                continue
            editions = _links(parent, "terms")
            for clause_id in _links(need, "binds"):
                clause = needs.get(clause_id)
                if clause is None or clause["type"] != "clause":
                    continue
                clause_editions = _links(clause, "part_of")
                if not editions:
                    yield _problem(
                        need,
                        "edition_missing",
                        f"情報保護対策 {need['id']} は条項 {clause_id} に結び付いていますが、"
                        f"{parent_id} に適用する特記事項の版 (terms) がありません",
                    )
                elif not set(clause_editions) & set(editions):
                    yield _problem(
                        need,
                        "edition_mismatch",
                        f"情報保護対策 {need['id']} は条項 {clause_id}（版 "
                        f"{'、'.join(clause_editions) or '不明'}）に結び付いていますが、"
                        f"{parent_id} が適用する特記事項の版は {'、'.join(editions)} です",
                    )


def check_structure(needs: Mapping[str, Mapping[str, Any]]) -> Iterator[Problem]:
    """Cases have work items, work items have safeguards, checklists are complete."""
    children: dict[str, list[Mapping[str, Any]]] = {}
    for need in needs.values():
        for parent_id in _links(need, "part_of"):
            children.setdefault(parent_id, []).append(need)
    checkitems = sorted(n["id"] for n in needs.values() if n["type"] == "checkitem")
    for need in needs.values():
        kids = children.get(need["id"], [])
        if need["type"] == "case":
            works = [k for k in kids if k["type"] in WORK_TYPES]
            if not works:
                yield _problem(
                    need,
                    "case_without_work",
                    f"案件 {need['id']} に業務委託 (entrustment) も開発・変更 (development) もありません",
                )
            if need.get("form") == "チェックリスト":
                for work in works:
                    yield from _check_checklist(need, work, children, checkitems)
        elif need["type"] in WORK_TYPES:
            if not any(k["type"] == "safeguard" for k in kids):
                yield _problem(
                    need,
                    "work_without_safeguard",
                    f"{'業務委託' if need['type'] == 'entrustment' else '開発・変更'} "
                    f"{need['id']} に情報保護対策 (safeguard) がありません",
                )


def _check_checklist(
    case: Mapping[str, Any],
    work: Mapping[str, Any],
    children: Mapping[str, list[Mapping[str, Any]]],
    checkitems: list[str],
) -> Iterator[Problem]:
    marked: set[str] = set()
    for kid in children.get(work["id"], []):
        marked.update(_links(kid, "satisfies"))
        marked.update(_links(kid, "waives"))
    unmarked = [item for item in checkitems if item not in marked]
    if unmarked:
        yield _problem(
            work,
            "checklist_item_unmarked",
            f"案件 {case['id']} はチェックリスト様式ですが、{work['id']} は"
            f"チェックリスト項目 {len(unmarked)} 件（{'、'.join(unmarked)}）を"
            "対策（○）とも対策不要（－）とも示していません",
        )


def check_all(needs: Mapping[str, Mapping[str, Any]], model: ContentModel) -> list[Problem]:
    """Every rule over every need, sorted by file and line."""
    values = list(needs.values())
    problems = [
        *check_ids(values, model),
        *check_fields(values, model),
        *check_links(values, model),
        *check_editions(needs),
        *check_structure(needs),
    ]
    return sorted(set(problems))


def _report(app: Sphinx, builder: Any = None) -> None:
    from sphinx_needs.data import SphinxNeedsData

    needs = SphinxNeedsData(app.env).get_needs_view()
    model = model_for(app)
    for problem in check_all(needs, model):
        logger.warning(
            problem.message,
            type="council",
            subtype=problem.code,
            location=(problem.docname, problem.lineno),
        )


def setup_validation(app: Sphinx) -> None:
    # After sphinx-needs has resolved links and back-links at write-started.
    app.connect("write-started", _report, priority=900)
