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

import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
from sphinx.application import Sphinx
from sphinx.util import logging

from council.model.content_model import ContentModel, model_for

logger = logging.getLogger(__name__)

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
            title = model.type_title(need["type"])
            yield _problem(need, "id_scheme", f"{title}の ID '{need['id']}' が ID 体系 {pattern} に合いません")


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
                allowed = model.field_values(name)
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
            measure = need["type"] in model.roles.measures
            if measure and link == "satisfies":
                code, what = "safeguard_without_checkitem", model.type_title(model.roles.checkitem)
            elif measure and link == "binds":
                code, what = "safeguard_without_clause", model.type_title(model.roles.clause)
            else:
                code, what = "missing_link", model.link_labels.get(link, (link, link))[0]
            yield _problem(
                need,
                code,
                f"{model.type_title(need['type'])} {need['id']} に「{what}」へのリンク "
                f"'{link}' がありません",
            )


def check_editions(needs: Mapping[str, Mapping[str, Any]], model: ContentModel) -> Iterator[Problem]:
    """A safeguard binds clauses of the edition its contract actually uses."""
    roles = model.roles
    for need in needs.values():
        if need["type"] not in roles.measures:
            continue
        title = model.type_title(need["type"])
        for parent_id in _links(need, "part_of"):
            parent = needs.get(parent_id)
            if parent is None or parent["type"] not in roles.works:
                continue
            editions = _links(parent, "terms")
            for clause_id in _links(need, "binds"):
                clause = needs.get(clause_id)
                if clause is None or clause["type"] != roles.clause:
                    continue
                clause_editions = _links(clause, "part_of")
                if not editions:
                    yield _problem(
                        need,
                        "edition_missing",
                        f"{title} {need['id']} は条項 {clause_id} に結び付いていますが、"
                        f"{parent_id} に適用する特記事項の版 (terms) がありません",
                    )
                elif not set(clause_editions) & set(editions):
                    yield _problem(
                        need,
                        "edition_mismatch",
                        f"{title} {need['id']} は条項 {clause_id}（版 "
                        f"{'、'.join(clause_editions) or '不明'}）に結び付いていますが、"
                        f"{parent_id} が適用する特記事項の版は {'、'.join(editions)} です",
                    )


def _children(needs: Mapping[str, Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """The needs that are ``part_of`` each need, by parent ID."""
    children: dict[str, list[Mapping[str, Any]]] = {}
    for need in needs.values():
        for parent_id in _links(need, "part_of"):
            children.setdefault(parent_id, []).append(need)
    return children


def _named(model: ContentModel, need_type: str) -> str:
    """A need type as messages name it: its title and, for authors, its directive."""
    return f"{model.type_title(need_type)} ({need_type})"


def check_structure(needs: Mapping[str, Mapping[str, Any]], model: ContentModel) -> Iterator[Problem]:
    """Cases have work items, work items have safeguards, checklists are complete."""
    roles = model.roles
    children = _children(needs)
    checkitems = sorted(n["id"] for n in needs.values() if n["type"] == roles.checkitem)
    for need in needs.values():
        kids = children.get(need["id"], [])
        if need["type"] == roles.case:
            works = [k for k in kids if k["type"] in roles.works]
            if not works:
                yield _problem(
                    need,
                    "case_without_work",
                    f"{model.type_title(roles.case)} {need['id']} に"
                    + "".join(f"{_named(model, kind)} も" for kind in roles.works) + "ありません",
                )
            if need.get("form") == "チェックリスト":
                for work in works:
                    yield from _check_checklist(need, work, children, checkitems)
        elif need["type"] in roles.works:
            if not any(k["type"] in roles.measures for k in kids):
                yield _problem(
                    need,
                    "work_without_safeguard",
                    f"{model.type_title(need['type'])} {need['id']} に"
                    + "・".join(_named(model, kind) for kind in roles.measures) + " がありません",
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


def parse_start(value: str) -> datetime.date | None:
    """The date a ``start`` value names (``YYYY-MM`` is the first of the month),
    or None when no such day exists (``2025-02-30``, year 0)."""
    parts = str(value).split("-")
    try:
        numbers = [int(p) for p in parts]
        return datetime.date(numbers[0], numbers[1], numbers[2] if len(numbers) > 2 else 1)
    except (ValueError, IndexError):
        return None


def fiscal_year_of(day: datetime.date) -> int:
    """The ward's fiscal year (April to March) of a day."""
    return day.year if day.month >= 4 else day.year - 1


def check_dates(needs: Iterable[Mapping[str, Any]], model: ContentModel) -> Iterator[Problem]:
    """A start date names a day that exists (the schema only checks its form)."""
    pattern = re.compile(model.field_schemas.get("start", {}).get("pattern", r".*"))
    for need in needs:
        value = need.get("start")
        if _empty(value) or not pattern.fullmatch(str(value)):
            continue  # missing or malformed: reported by check_fields
        if parse_start(str(value)) is None:
            yield _problem(
                need,
                "impossible_date",
                f"{model.type_title(need['type'])} {need['id']} の開始日 'start' の値 "
                f"'{value}' は存在しない日付です",
            )


_ID_YEAR = re.compile(r"^[A-Z]+_([0-9]{4})_")


def check_fiscal_years(needs: Mapping[str, Mapping[str, Any]], model: ContentModel) -> Iterator[Problem]:
    """A case's fiscal year is that of its earliest entrustment start (else of its
    earliest development start); its ID and its parts' IDs carry that year."""
    roles = model.roles
    children = _children(needs)
    for case in needs.values():
        if case["type"] != roles.case or _empty(case.get("fiscal_year")):
            continue
        try:
            year = int(case["fiscal_year"])
        except (TypeError, ValueError):
            continue
        works = [k for k in children.get(case["id"], []) if k["type"] in roles.works]
        # the first kind of work that has a start date decides (entrustments before developments)
        for kind in roles.works:
            dated = sorted(
                (day, work["id"]) for work in works if work["type"] == kind
                for day in [parse_start(str(work.get("start") or ""))] if day is not None
            )
            if not dated:
                continue
            day, work_id = dated[0]
            if fiscal_year_of(day) != year:
                what = model.type_title(kind)
                yield _problem(
                    case,
                    "fiscal_year_mismatch",
                    f"案件 {case['id']} の開始年度 (fiscal_year) {year} が、最も早い{what}の"
                    f"開始日 {day.isoformat()}（{work_id}）の年度 {fiscal_year_of(day)} と"
                    "合いません",
                )
            break
        parts = [case, *works]
        for work in works:
            parts += [k for k in children.get(work["id"], []) if k["type"] in roles.work_children]
        for need in parts:
            match = _ID_YEAR.match(need["id"])
            if match and int(match.group(1)) != year:
                owner = "" if need is case else f"（案件 {case['id']}）"
                yield _problem(
                    need,
                    "id_year_mismatch",
                    f"{model.type_title(need['type'])}の ID '{need['id']}' の年 {match.group(1)} "
                    f"が開始年度 (fiscal_year) {year}{owner}と合いません",
                )


def check_checklist_marks(needs: Mapping[str, Mapping[str, Any]], model: ContentModel) -> Iterator[Problem]:
    """A checklist item is not both covered (○) and waived (－) in one work item."""
    children = _children(needs)
    for work in needs.values():
        if work["type"] not in model.roles.works:
            continue
        covered: dict[str, list[str]] = {}
        for kid in children.get(work["id"], []):
            for item in _links(kid, "satisfies"):
                covered.setdefault(item, []).append(kid["id"])
        for kid in children.get(work["id"], []):
            for item in _links(kid, "waives"):
                if item in covered:
                    yield _problem(
                        kid,
                        "checklist_item_contradicted",
                        f"{work['id']} はチェックリスト項目 {item} を対策（○、"
                        f"{'、'.join(sorted(covered[item]))}）と対策不要（－、{kid['id']}）の"
                        "両方に示しています。どちらか一方にしてください",
                    )


def check_revisions(needs: Mapping[str, Mapping[str, Any]], model: ContentModel) -> Iterator[Problem]:
    """A clause revises a clause of an earlier edition: never itself, never in a cycle."""
    reported: set[frozenset[str]] = set()
    for need in needs.values():
        if need["type"] != model.roles.clause:
            continue
        if need["id"] in _links(need, "revises"):
            yield _problem(
                need,
                "revises_itself",
                f"条項 {need['id']} が自分自身を前の版の条項 (revises) にしています",
            )
            continue
        path = [need["id"]]
        current = need
        while True:
            following = [t for t in _links(current, "revises") if t in needs and t != current["id"]]
            if not following:
                break
            target = following[0]
            if target in path:
                cycle = path[path.index(target):]
                if frozenset(cycle) not in reported and target == need["id"]:
                    reported.add(frozenset(cycle))
                    yield _problem(
                        need,
                        "revises_cycle",
                        "条項の前の版 (revises) が循環しています（"
                        + " → ".join([*cycle, target]) + "）",
                    )
                break
            path.append(target)
            current = needs[target]


def check_all(needs: Mapping[str, Mapping[str, Any]], model: ContentModel) -> list[Problem]:
    """Every rule over every need, sorted by file and line."""
    values = list(needs.values())
    problems = [
        *check_ids(values, model),
        *check_fields(values, model),
        *check_links(values, model),
        *check_editions(needs, model),
        *check_structure(needs, model),
        *check_dates(values, model),
        *check_fiscal_years(needs, model),
        *check_checklist_marks(needs, model),
        *check_revisions(needs, model),
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
