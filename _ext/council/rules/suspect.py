"""Suspect links: a confirmed trace whose target text changed since it was confirmed.

When a reviewer confirms a safeguard's links, ``confirmed_against`` records,
for each linked checklist item and clause, a fingerprint of the text the link
was confirmed against (``CL_C_08@1a2b3c4d5e6f, CHK_WS_05@…``). When that text
changes (an edited clause, a changed checklist item) or a link is added without
being confirmed again, :func:`suspect_links` reports the link: pages, the review
list (``{suspect-links}``) and the per-case trace export show 要再確認, and the
build prints a notice. The notice is deliberately not a Sphinx warning: a
changed clause must not stop publishing, it only asks for a review.

This is what requirements tools call "suspect links" (Doorstop, for one,
stores such fingerprints in its YAML items); sphinx-needs has no equivalent,
and the rule is a few lines, so it is kept here with the site's own text
normalisation (NFKC, whitespace ignored, so re-wrapping a clause is not a
change).

``council-confirm cases/x.md`` (``council_import.confirm``) writes the
fingerprints of a reviewed page; ``council-confirm --check`` lists the suspect links.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from council.model.content_model import ContentModel, project_model
from council.resolve.order import priority
from council.resolve.placeholders import PlaceholderResolver, mark_page

logger = logging.getLogger(__name__)

FIELD = "confirmed_against"
TAG = "要再確認"
_ENTRY = re.compile(r"([A-Z][A-Z0-9_]*)@([0-9a-f]{12})")


def fingerprint(heading: str, content: str) -> str:
    """12 hex digits of SHA-256 over the heading and text, normalised."""
    text = unicodedata.normalize("NFKC", f"{heading}\n{content}")
    text = re.sub(r"\s+", "", text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def need_fingerprint(need: Mapping[str, Any]) -> str:
    """The fingerprint of a clause or checklist item (sphinx-needs data)."""
    return fingerprint(str(need.get("heading") or ""), str(need.get("content") or ""))


def parse_confirmed(value: str | None) -> dict[str, str]:
    """``"ID@fp, ID@fp"`` as a mapping from target ID to fingerprint."""
    return {m.group(1): m.group(2) for m in _ENTRY.finditer(value or "")}


def format_confirmed(entries: Mapping[str, str]) -> str:
    return ", ".join(f"{k}@{v}" for k, v in entries.items())


def _links(need: Mapping[str, Any], name: str) -> list[str]:
    value = need.get(name) or []
    return [value] if isinstance(value, str) else list(value)


def confirmed_links(model: ContentModel) -> tuple[str, ...]:
    """The links whose targets a confirmation fingerprints: a measure's links to
    checklist items and clauses (the standard texts)."""
    roles = model.roles
    texts = {roles.checkitem, roles.clause}
    return tuple(dict.fromkeys(
        link for (kind, link), targets in model.link_targets.items()
        if kind in roles.measures and texts & set(targets)
    ))


def suspect_links(needs: Mapping[str, Mapping[str, Any]],
                  model: ContentModel | None = None) -> dict[str, set[str]]:
    """Safeguard ID -> IDs of its checklist items/clauses to review again.

    Only safeguards that record fingerprints are checked (a trace never
    confirmed has nothing to compare with). A linked target is suspect when its
    current text has another fingerprint than the recorded one, or when no
    fingerprint was recorded for it (the link was added after confirmation).
    """
    # a need index carries the build's model; plain mappings use the project's
    model = model or getattr(needs, "model", None) or project_model()
    links = confirmed_links(model)
    result: dict[str, set[str]] = {}
    for need in needs.values():
        if need.get("type") not in model.roles.measures or not need.get(FIELD):
            continue
        recorded = parse_confirmed(need.get(FIELD))
        for name in links:
            for target_id in _links(need, name):
                target = needs.get(target_id)
                if target is None:
                    continue  # a dead link is the validator's business
                if recorded.get(target_id) != need_fingerprint(target):
                    result.setdefault(need["id"], set()).add(target_id)
    return result


def notice_lines(needs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One line per suspect link, for the build's notice and the CLI."""
    lines = []
    for sg_id, targets in sorted(suspect_links(needs).items()):
        need = needs[sg_id]
        where = f"{need.get('docname', '')}"
        for target in sorted(targets):
            lines.append(f"{where}: {TAG}: {sg_id} → {target}（確認後に {target} の文言が変わりました）")
    return lines


# ----------------------------------------------------------- exports


def with_suspect_column(tables: Iterable[Any], needs: Mapping[str, Mapping[str, Any]]) -> Iterator[Any]:
    """Per-case trace tables (``*-trace``) with a 要再確認 column: the suspect
    targets of the row's safeguard (empty when none). One table at a time, as *tables* yields them."""
    suspects = suspect_links(needs)
    for table in tables:
        yield suspect_column(table, suspects)


def suspect_column(table: Any, suspects: Mapping[str, Iterable[str]]) -> Any:
    """*table* with the 要再確認 column when it is a per-case trace table; *suspects*
    are :func:`suspect_links` of the needs, computed once for every table."""
    import dataclasses

    if not table.name.endswith("-trace") or not table.headers or TAG in table.headers:
        return table
    rows = []
    for row in table.rows:
        first = row[0]
        sg_id = first if isinstance(first, str) else next(iter(getattr(first, "ids", ()) or ()), str(first))
        flagged = sorted(suspects.get(sg_id, ()))
        rows.append((*row, f"{TAG}: {', '.join(flagged)}" if flagged else ""))
    return dataclasses.replace(table, headers=(*table.headers, TAG), rows=tuple(rows))


# ------------------------------------------------------ review list


#: Page metadata: the page holds the suspect links (only such a page is walked for them).
PAGE_MARK = "council_suspect_links"


class suspect_placeholder(nodes.General, nodes.Element):
    """Replaced by the list of suspect links when the page is written (:class:`ResolveSuspectLinks`)."""


class SuspectLinks(SphinxDirective):
    """```{suspect-links}```: the table of links to confirm again."""

    def run(self) -> list[nodes.Node]:
        mark_page(self.env, PAGE_MARK)
        node = suspect_placeholder()
        self.set_source_info(node)
        return [node]


def suspect_table(needs: Mapping[str, Mapping[str, Any]]) -> nodes.Node:
    suspects = suspect_links(needs)
    if not suspects:
        return nodes.paragraph(text="要再確認の対応付けはありません。")
    table = nodes.table(classes=["council-suspect-links"])
    group = nodes.tgroup(cols=4)
    table += group
    for width in (3, 4, 3, 2):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for label in ("情報保護対策", "見出し", "対応先（確認後に文言が変更）", "状態"):
        row += nodes.entry("", nodes.paragraph(text=label))
    head += row
    body = nodes.tbody()
    group += body
    for sg_id, targets in sorted(suspects.items()):
        need = needs[sg_id]
        row = nodes.row()
        for text in (sg_id, str(need.get("title") or ""), ", ".join(sorted(targets)), TAG):
            row += nodes.entry("", nodes.paragraph(text=text))
        body += row
    return table


def _needs(app: Sphinx) -> Mapping[str, Mapping[str, Any]]:
    from sphinx_needs.data import SphinxNeedsData

    return SphinxNeedsData(app.env).get_needs_view()


class ResolveSuspectLinks(PlaceholderResolver):
    """The ``suspect-links`` placeholders of a page become the table of links to confirm again."""

    default_priority = priority("suspect-list")
    placeholders = (suspect_placeholder,)
    page_mark = PAGE_MARK

    def context(self) -> Mapping[str, Mapping[str, Any]]:
        return _needs(self.app)

    def content(self, node: nodes.Element, serial: int, needs: Mapping[str, Mapping[str, Any]]) -> nodes.Node:
        return suspect_table(needs)


def _notice(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None:
        return
    lines = notice_lines(_needs(app))
    if lines:
        # logger.info, not logger.warning: -W must not fail on a changed clause.
        logger.info(f"council: 注意: 確認後に対応先の文言が変わった対応付けが {len(lines)} 件あります（{TAG}）")
        for line in lines:
            logger.info(f"  {line}")


def setup_suspect(app: Sphinx) -> None:
    app.add_node(suspect_placeholder)
    app.add_directive("suspect-links", SuspectLinks)
    app.add_post_transform(ResolveSuspectLinks)
    app.connect("build-finished", _notice)
