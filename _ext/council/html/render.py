"""Need rendering: semantic markup for readers instead of sphinx-needs' layout tables.

Sphinx-needs lays out each need as a one-column table built by interpreting
layout strings (a head line, one line per field, then every link as a bare
ID). Readers met a table per measure, metadata lines repeated 44 times and
links that read ``CL_B_10``. This module renders the site's own need types
directly as neutral docutils nodes that every builder can render:

- a case: a summary list (``definition_list``) of its fields and, under
  事業の概要, its purpose and (long) description;
- an entrustment / development: its short fields, the long ones collapsed;
- a safeguard: an item of an ordered list (consecutive measures become one
  ``enumerated_list`` numbered as in the source) with its verbatim text,
  links that name their target (「チェックリスト: WO-01 …」, 「特記事項: 第10項
  再委託の禁止」), the targets' texts one toggle away, tags where a link is
  推定 / 未確認 / 要再確認, and its ID as a small permalink;
- any other need: its title, text, fields and links named by title.

Collapsed parts are ``container`` nodes with the class ``council-details``
whose first child (class ``council-details-summary``) is the summary line;
:mod:`council.html.case_page` turns them into ``<details>`` for HTML only, so
LaTeX prints them open.

It runs as a post-transform (after references are resolved, before the
HTML-only transforms and before sphinx-needs' ``doctree-resolved`` handler).
A need is left to sphinx-needs when anything is out of the ordinary: a
layout other than the council ones, a style, a hidden need, a need of
another document (``-j``), a link to a missing or external need.
``council_fast_needs = False`` leaves every need to sphinx-needs.
"""

from __future__ import annotations

import re

from collections.abc import Iterable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import NoUri
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_needs.config import NeedsSphinxConfig
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.functions.functions import check_and_get_content, find_and_replace_node_content
from sphinx_needs.nodes import Need

from council.rules import suspect
from council.model.need_index import need_index
from council.html.layouts import layout_fields
from council.model.content_model import model_for
from council.config import council_config

#: Classes of the neutral nodes that the HTML transform specialises.
DETAILS = "council-details"
DETAILS_SUMMARY = "council-details-summary"
NEED_ID = "council-need-id"
#: The work item, actor × aspect and number at the end of a measure's ID (``…_E1_WO_01``).
MEASURE_TAIL = re.compile(r"_([ED][0-9]+_[WC][OS]_[0-9]{2})$")
#: Text copied from other pages (link lists, linked texts): left out of the search index.
COPIED = "council-copied"

#: Tags shown on a measure or link, only where they apply.
TAG_ESTIMATED = "推定"
TAG_UNCONFIRMED = "未確認"
TAG_SUSPECT = "要再確認"
TAG_EXPLANATIONS = {
    TAG_ESTIMATED: "本サイトによる推定です",
    TAG_UNCONFIRMED: "取り込み時の提案で、まだ確認されていません",
    TAG_SUSPECT: "結び付けた後に条項・項目の文言が変わりました",
}

#: Case summary rows: label → field names of the case or of its works.
CASE_SUMMARY_WORK_FIELDS = (
    ("委託先", ("contractor", "certification")),
    ("扱う個人情報", ("data_items",)),
    ("記録媒体", ("media", "computer")),
    ("期間", ("period",)),
)
#: Fields of a work shown open under its heading (the others are collapsed).
WORK_OPEN_FIELDS = ("contractor", "certification")
WORK_HIDDEN_FIELDS = {"start", "terms_assumed", "trace"}
#: A description longer than this many characters is collapsed behind 全文を表示.
LONG_TEXT = 200

#: Characters of a checklist item's text in a link to it (the full text is one toggle away).
CHECKITEM_LABEL = 18

WORK_KIND = {"entrustment": "業務委託", "development": "開発・変更"}


def work_label(need: Any, index: int | None = None) -> str:
    kind = WORK_KIND.get(need.get("type"), "")
    return f"{kind} {index}" if index else kind


def checkitem_code(item_id: str) -> str:
    """``CHK_WO_01`` → ``WO-01``: the item's short code as readers see it."""
    return item_id.removeprefix("CHK_").replace("_", "-")


def clause_name(clause: Any) -> str:
    """「第10項 再委託の禁止」."""
    number, heading = clause.get("number"), clause.get("heading")
    if number and heading:
        return f"第{number}項 {heading}"
    return clause.get("title") or clause["id"]


def target_name(target: Any) -> str:
    """What a link to *target* reads: its kind and heading, never a bare ID."""
    kind = target.get("type")
    if kind == "checkitem":
        title = (target.get("title") or "").rstrip("…")
        if len(title) > CHECKITEM_LABEL:
            title = title[: CHECKITEM_LABEL - 1] + "…"
        return f"チェックリスト: {checkitem_code(target['id'])} {title}".rstrip()
    if kind == "clause":
        return f"特記事項: {clause_name(target)}"
    return target.get("title") or target["id"]


def _suspect_links(app: Sphinx) -> dict[str, set[str]]:
    """Safeguard id → ids of targets whose text changed since the link was confirmed,
    computed once per build (every page asks; a scan per page would be quadratic)."""
    index = need_index(app)
    return index.memo("suspect_links", lambda: suspect.suspect_links(index))


class _Page:
    """What every need of one page is rendered with."""

    def __init__(self, app: Sphinx, fromdocname: str) -> None:
        self.app = app
        self.fromdocname = fromdocname
        self.needs = SphinxNeedsData(app.env).get_needs_view()
        self.config = NeedsSphinxConfig(app.config)
        schema = SphinxNeedsData(app.env).get_schema()
        self.links = [(link.name, link.display.outgoing, link.display.incoming)
                      for link in schema.iter_link_fields()]
        self.fields = layout_fields(app)
        self.model = model_for(app)
        self._uris: dict[str, str | None] = {}
        self._suspect: dict[str, set[str]] | None = None

    @property
    def suspect(self) -> dict[str, set[str]]:
        if self._suspect is None:
            self._suspect = _suspect_links(self.app)
        return self._suspect

    # -- deciding ----------------------------------------------------------
    def renders(self, node: Need, need: Any) -> bool:
        layout = need["layout"] or self.config.default_layout
        if layout not in self.fields or (need["style"] or self.config.default_style):
            return False
        if need["hide"] or need["is_external"] or not need["docname"]:
            return False
        if node.get("docname") and node["docname"] != need["docname"]:
            return False
        for name, _out, _in in self.links:
            for target in [*need[name], *need[f"{name}_back"]]:
                linked = self.needs.get(target)
                if linked is None or linked["is_external"] or not linked["docname"]:
                    return False
        return True

    # -- small parts -------------------------------------------------------
    def uri(self, target: Any, anchor: str | None = None) -> tuple[str, str] | None:
        """("refid"|"refuri", value) of a link to *target*, each page's URI computed once."""
        docname = target["docname"]
        anchor = anchor or target["id"]
        if docname == self.fromdocname:
            return "refid", anchor
        if docname not in self._uris:
            try:
                self._uris[docname] = self.app.builder.get_relative_uri(self.fromdocname, docname)
            except NoUri:
                self._uris[docname] = None
        uri = self._uris[docname]
        return None if uri is None else ("refuri", f"{uri}#{anchor}")

    def ref(self, target: Any, text: str, classes: list[str] | None = None,
            anchor: str | None = None) -> nodes.Node:
        where = self.uri(target, anchor)
        if where is None:
            return nodes.inline(text, text, classes=classes or [])
        node = _el(nodes.reference, [nodes.Text(text)], classes)
        node["internal"] = True
        node[where[0]] = where[1]
        return node

    def permalink(self, need: Any) -> nodes.paragraph:
        """The need's ID, small, as its own permalink.

        A measure shows the part of its ID that is new on its case's page (its
        work item, actor × aspect and number: ``E1_WO_01``); the link's title,
        the URL and the exports carry the whole ID."""
        short = MEASURE_TAIL.search(need["id"])
        text = short.group(1) if short and need.get("type") in self.model.roles.work_children else need["id"]
        link = self.ref(need, text, [NEED_ID])
        if isinstance(link, nodes.reference):
            link["reftitle"] = f"ID: {need['id']}"
        return _el(nodes.paragraph, [link], ["council-permalink"])

    def field_value(self, need: Any, name: str) -> str:
        value = need.get(name)
        if value is None or value == "" or value == []:
            return ""
        if isinstance(value, list | tuple):
            return "、".join(str(v) for v in value)
        return str(value)

    def summary_list(self, rows: Iterable[tuple[str, list[nodes.Node] | str]],
                     classes: list[str] | None = None) -> nodes.definition_list:
        """A GOV.UK-style summary list: key, value, one row each."""
        items = []
        for label, value in rows:
            if not value:
                continue
            if isinstance(value, str):
                value = [_el(nodes.paragraph, [nodes.Text(value)])]
            items.append(_el(nodes.definition_list_item, [
                _el(nodes.term, [nodes.Text(label)]),
                _el(nodes.definition, value),
            ]))
        return _el(nodes.definition_list, items, ["council-summary-list", *(classes or [])])

    def details(self, summary: str, body: list[nodes.Node], classes: list[str] | None = None) -> nodes.container:
        head = _el(nodes.paragraph, [nodes.Text(summary)], [DETAILS_SUMMARY])
        return _el(nodes.container, [head, *body], [DETAILS, *(classes or [])])

    def tag(self, label: str) -> nodes.inline:
        """A status tag: the word itself (not a colour), with what it means."""
        return _el(nodes.inline, [nodes.Text(f"［{label}］")], ["council-tag", f"council-tag-{_TAG_KEYS[label]}"])

    # -- per type ----------------------------------------------------------
    def render(self, node: Need, need: Any) -> list[nodes.Node]:
        content = list(node.children)
        kind = need["type"]
        if kind == "case":
            return [self.case(need, content)]
        if kind in WORK_KIND:
            return [self.work(need, content)]
        if kind in ("safeguard", "exemption"):
            return [self.measure(need, content)]
        return [self.generic(need, content)]

    def _box(self, need: Any, children: list[nodes.Node]) -> nodes.container:
        box = _el(nodes.container, children, ["council-need", f"council-need-{need['type']}"])
        if self.app.builder.format == "html":
            box["ids"] = [need["id"]]
        else:
            # LaTeX labels targets, not containers
            box.insert(0, nodes.target("", "", ids=[need["id"]]))
        return box

    def case(self, need: Any, content: list[nodes.Node]) -> nodes.container:
        works = [self.needs[i] for i in need["part_of_back"] if i in self.needs
                 and self.needs[i]["type"] in WORK_KIND]
        rows: list[tuple[str, list[nodes.Node] | str]] = []
        for label, fields in CASE_SUMMARY_WORK_FIELDS:
            values: list[tuple[str, str]] = []
            for index, work in enumerate(works, 1):
                text = "　".join(v for f in fields if (v := self.field_value(work, f)))
                if text:
                    values.append((work_label(work, index), text))
            distinct = {text for _, text in values}
            if len(distinct) == 1:
                rows.append((label, values[0][1]))
            elif values:
                rows.append((label, [
                    _el(nodes.paragraph, [_el(nodes.inline, [nodes.Text(f"{who}: ")], ["council-work-label"]),
                                          nodes.Text(text)])
                    for who, text in values
                ]))
        rows.append(("担当部課", self.field_value(need, "department")))
        rows.append(("根拠規定", self.field_value(need, "legal_basis")))
        body = " ".join(v for v in (self.field_value(need, "council"), self.field_value(need, "procedure")) if v)
        meeting = "　".join(v for v in (self.field_value(need, "meeting"), self.field_value(need, "meeting_date"),
                                        self.field_value(need, "outcome")) if v)
        rows.append(("審議機関・手続", f"{body}（{meeting}）" if meeting else body))
        material = self.field_value(need, "material")
        if material:
            inferred = need.get("material_inferred") in (True, "true", "True")
            rows.append(("資料番号", [_el(nodes.paragraph, [
                nodes.Text(material), *([self.tag(TAG_ESTIMATED)] if inferred else [])])]))
        children: list[nodes.Node] = [self.summary_list(rows, ["council-case-summary"])]
        overview: list[nodes.Node] = [_heading("事業の概要", 2)]
        full = [self.summary_list([
            ("事業名", self.field_value(need, "business")),
            ("目的", self.field_value(need, "purpose")),
            ("対象者", self.field_value(need, "subjects")),
        ]), *content]
        length = sum(len(c.astext()) for c in full)
        if length > LONG_TEXT:
            overview.append(self.details(f"全文を表示（事業名・目的・対象者・事業内容、{length:,}字）", full, ["council-case-text"]))
        else:
            overview += full
        children.append(_el(nodes.container, overview, ["council-overview"]))
        return self._box(need, children)

    def work(self, need: Any, content: list[nodes.Node]) -> nodes.container:
        shown = [name for name, _ in self.fields.get(need["layout"] or "", []) if name not in WORK_HIDDEN_FIELDS]
        siblings = [w for c in need.get("part_of") or [] if c in self.needs
                    for w in self.needs[c]["part_of_back"] if self.needs.get(w, {}).get("type") in WORK_KIND]
        # with one work, the case's summary list already names its contractor
        open_rows = [(self.model.field_label(f), self.field_value(need, f)) for f in shown
                     if f in WORK_OPEN_FIELDS and len(siblings) > 1]
        terms = [self.needs[t] for t in need.get("terms") or [] if t in self.needs]
        if terms:
            links: list[nodes.Node] = []
            for edition in terms:
                if links:
                    links.append(nodes.Text("、"))
                links.append(self.ref(edition, edition.get("label") or edition.get("title") or edition["id"]))
            if need.get("terms_assumed") in (True, "true", "True"):
                links.append(self.tag(TAG_ESTIMATED))
            open_rows.append(("適用する特記事項の版", [_el(nodes.paragraph, links)]))
        rest = [(self.model.field_label(f), self.field_value(need, f)) for f in shown if f not in WORK_OPEN_FIELDS]
        children: list[nodes.Node] = [self.summary_list(open_rows, ["council-work-summary"])]
        if not open_rows:
            children = []
        kind = WORK_KIND.get(need["type"], "")
        more = self.details(f"この{kind}の詳細（扱う個人情報・理由・内容・期間など）",
                            [self.summary_list(rest), *content], ["council-work-details"])
        children.append(_el(nodes.container, [more, self.permalink(need)], ["council-measure-foot"]))
        return self._box(need, children)

    def measure(self, need: Any, content: list[nodes.Node]) -> nodes.container:
        """One measure, as an item of the ordered list of its group."""
        children: list[nodes.Node] = []
        tags = []
        if need.get("grouping") == "推定":
            tags.append(self.tag(TAG_ESTIMATED))
        if need.get("trace") == "提案":
            tags.append(self.tag(TAG_UNCONFIRMED))
        if need["type"] == "exemption":
            children.append(_el(nodes.paragraph, [nodes.Text("対策不要（－）")], ["council-exemption-label"]))
        children += content
        suspect = self.suspect.get(need["id"], set())
        rows = []
        texts: list[nodes.Node] = []
        for name in ("satisfies", "waives", "binds"):
            refs: list[nodes.Node] = []
            kind = ""
            for target_id in need.get(name) or []:
                target = self.needs.get(target_id)
                if target is None:
                    continue
                label = target_name(target)
                kind, _, short = label.partition(": ")
                if not short:
                    kind, short = "", label
                if refs:
                    refs.append(nodes.Text("、"))
                refs.append(self.ref(target, short, ["council-trace-link"]))
                if target_id in suspect:
                    refs.append(self.tag(TAG_SUSPECT))
                body = target.get("content") or ""
                texts.append(_el(nodes.paragraph, [
                    _el(nodes.strong, [nodes.Text(label)]), nodes.Text(f"　{body}" if body else ""),
                ], ["council-target-text"]))
            if refs:
                head = [_el(nodes.inline, [nodes.Text(f"{kind}: ")], ["council-trace-kind"])] if kind else []
                rows.append(_el(nodes.list_item, [_el(nodes.paragraph, [*head, *refs])]))
        if rows:
            children.append(_el(nodes.bullet_list, rows, ["council-trace-links"]))
        foot: list[nodes.Node] = []
        if texts:
            foot.append(self.details("本文", texts, ["council-target-texts", COPIED]))
        foot.append(self.permalink(need))
        children.append(_el(nodes.container, [*tags_line(tags), *foot], ["council-measure-foot"]))
        box = self._box(need, children)
        box["classes"].append("council-measure")
        box["council_number"] = need.get("number")
        if need.get("actor") and need.get("aspect"):
            box["council_group"] = f"{need['actor']}・{need['aspect']}"
        return box

    def generic(self, need: Any, content: list[nodes.Node]) -> nodes.container:
        if need["type"] == "checkitem":  # its title is a cut copy of its text
            title = f"チェックリスト {checkitem_code(need['id'])}"
        elif need["type"] == "clause":
            title = target_name(need)
        else:
            title = need.get("title") or need["id"]
        head = _el(nodes.paragraph, [_el(nodes.strong, [nodes.Text(title)])], ["council-need-title"])
        children: list[nodes.Node] = [head, *content]
        fields = self.fields.get(need["layout"] or "", [])
        facts = [f"{label}{value}" for name, label in fields
                 if name not in {"heading", "number", "trace", "terms_assumed"}
                 and (value := self.field_value(need, name))]
        if facts:
            children.append(_el(nodes.paragraph, [nodes.Text(" ／ ".join(facts))], ["council-need-fields"]))
        for name, outgoing, incoming in self.links:
            for targets, label, back in ((need[name], outgoing, False), (need[f"{name}_back"], incoming, True)):
                if not targets:
                    continue
                listed = [self.needs[t] for t in targets if t in self.needs]
                items = [_el(nodes.list_item, [_el(nodes.paragraph, [self.ref(t, self.back_name(t) if back
                                                                              else target_name(t))])])
                         for t in listed]
                block = [_el(nodes.bullet_list, items, ["council-need-links"])]
                if back and len(listed) > 3:
                    block = [self.details(f"{label}（{len(listed)}件）", block)]
                else:
                    block.insert(0, _el(nodes.paragraph, [nodes.Text(f"{label}:")], ["council-links-label"]))
                # copies of other pages' titles: navigation, not this page's content
                children.append(_el(nodes.container, block, [COPIED]))
        children.append(self.permalink(need))
        return self._box(need, children)

    def back_name(self, need: Any) -> str:
        """A measure as seen from a clause: its case's title and the start of its text."""
        if need["type"] not in ("safeguard", "exemption"):
            return target_name(need)
        case = self.case_of(need)
        text = (need.get("content") or need.get("title") or "").replace("\n", "")
        excerpt = text if len(text) <= 30 else text[:29] + "…"
        return f"{case.get('title') if case else ''}: 対策 {need.get('number') or ''}「{excerpt}」"

    def case_of(self, need: Any) -> Any:
        seen = set()
        while need is not None and need["type"] != "case" and need["id"] not in seen:
            seen.add(need["id"])
            parents = need.get("part_of") or []
            need = self.needs.get(parents[0]) if parents else None
        return need


_TAG_KEYS = {TAG_ESTIMATED: "estimated", TAG_UNCONFIRMED: "unconfirmed", TAG_SUSPECT: "suspect"}


def tags_line(tags: list[nodes.Node]) -> list[nodes.Node]:
    return [_el(nodes.paragraph, tags, ["council-tags"])] if tags else []


def _heading(text: str, level: int) -> nodes.rubric:
    """A heading that is not a section (so the page's table of contents stays as written)."""
    node = _el(nodes.rubric, [nodes.Text(text)], ["council-heading"])
    node["heading-level"] = level
    return node


def _el(cls: type[nodes.Element], children: list[nodes.Node] | None = None,
        classes: list[str] | None = None) -> Any:
    """``cls("", "", *children, classes=classes)`` for a new subtree, twice as fast.

    The children are adopted without :meth:`~docutils.nodes.Element.setup_child`,
    which climbs the parents to look for the document the node belongs to: a
    subtree being built belongs to none, so it would only set the parent."""
    node = cls()
    if classes:
        node["classes"] = list(classes)
    if children:
        node.children = list(children)
        for child in node.children:
            child.parent = node
    return node


def _is_measure(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and "council-measure" in node["classes"]


def group_measures(parent: nodes.Element) -> None:
    """Consecutive measures of *parent* become one ordered list, numbered as in the source.

    The anchor targets sphinx-needs puts before each need go into the item."""
    runs: list[list[nodes.Node]] = []
    current: list[nodes.Node] = []
    pending: list[nodes.Node] = []
    for child in list(parent.children):
        if isinstance(child, nodes.target) and not child.children:
            pending.append(child)
            continue
        if _is_measure(child):
            current += [*pending, child]
        elif current:
            runs.append(current)
            current = []
        pending = []
    if current:
        runs.append(current)
    for run in runs:
        boxes = [n for n in run if _is_measure(n)]
        numbers = [box.get("council_number") for box in boxes]
        start = numbers[0] if isinstance(numbers[0], int) else 1
        consecutive = all(isinstance(n, int) for n in numbers) and numbers == list(range(start, start + len(boxes)))
        lst = nodes.enumerated_list(classes=["council-measures"], enumtype="arabic", prefix="", suffix=".")
        if consecutive and start != 1:
            lst["start"] = start
        index = parent.index(run[0])
        item = nodes.list_item()
        for node in run:
            parent.remove(node)
            item += node
            if _is_measure(node):
                if not consecutive and node.get("council_number") is not None:
                    node.insert(0, nodes.paragraph("", f"{node['council_number']}.",
                                                   classes=["council-source-number"]))
                lst += item
                item = nodes.list_item()
        parent.insert(index, lst)


def render_needs(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    if not council_config(app).fast_needs or NeedsSphinxConfig(app.config).string_links:
        return
    found = list(doctree.findall(Need))
    if not found:
        return
    page = _Page(app, fromdocname)
    parents = []
    for node in found:
        need = page.needs.get(node["ids"][0])
        if need is None or not page.renders(node, need):
            continue  # sphinx-needs renders (or reports) it
        find_and_replace_node_content(node, app.env, need)
        node["classes"] = [check_and_get_content(c, need, app.env, node) for c in node["classes"]]
        parent = node.parent
        parent.replace(node, page.render(node, need))
        if need["type"] in ("safeguard", "exemption") and parent not in parents:
            parents.append(parent)
    for parent in parents:
        group_measures(parent)


class NeedRendering(SphinxPostTransform):
    """Renders the site's needs for every builder (see the module docstring)."""

    # after Sphinx resolves references (10), before the HTML page layout
    default_priority = 600

    def run(self, **kwargs: Any) -> None:
        render_needs(self.app, self.document, self.env.docname)


def setup_render(app: Sphinx) -> None:
    app.add_post_transform(NeedRendering)
