"""Need rendering: semantic markup for readers instead of sphinx-needs' layout tables.

Sphinx-needs lays out each need as a one-column table built by interpreting
layout strings (a head line, one line per field, then every link as a bare
ID). Readers met a table per measure, metadata lines repeated 44 times and
links that read ``CL_B_10``. This module renders the site's own need types
directly as neutral docutils nodes (:mod:`council.html.neutral_nodes`) that
every builder can render:

- a case: a summary list (``definition_list``) of its fields and, under
  事業の概要, its purpose and (long) description;
- a work item (entrustment / development): its short fields, the long ones
  collapsed;
- a measure: an item of an ordered list (:mod:`council.html.measure_list`)
  with its verbatim text, links that name their target
  (:mod:`council.html.link_names`), the targets' texts one toggle away, tags
  where a link is 推定 / 未確認 / 要再確認, and its ID as a small permalink;
- any other need: its title, text, fields and links named by title.

The need types are told apart by their roles in the content model
(``[council.roles]``), enumerated values read from it.

It runs as a post-transform (after references are resolved, before the
HTML-only transforms and before sphinx-needs' ``doctree-resolved`` handler).
A need is left to sphinx-needs when anything is out of the ordinary: a
layout other than the council ones, a style, a hidden need, a need of
another document (``-j``), a link to a missing or external need.
``council_fast_needs = False`` leaves every need to sphinx-needs.
"""

from __future__ import annotations

import re

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
from council.html.link_names import back_name, checkitem_code, target_name
from council.html.measure_list import MEASURE, group_measures
from council.html.neutral_nodes import (
    COPIED, NEED_ID, TAG_ESTIMATED, TAG_SUSPECT, TAG_UNCONFIRMED,
    details, element, heading, summary_list, tag, tags_line,
)
from council.html.provenance import flagged, grouping_estimated, trace_unconfirmed
from council.model.content_model import model_for
from council.config import council_config
from council.resolve.order import priority
from council.views.cross_case import RELYING_SHOWN

#: The work item, actor × aspect and number at the end of a measure's ID (``…_E1_WO_01``).
MEASURE_TAIL = re.compile(r"_([ED][0-9]+_[WC][OS]_[0-9]{2})$")

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
#: The link that places a need in its parent (the others are a measure's trace lines).
STRUCTURE_LINK = "part_of"


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
        self.roles = self.model.roles
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
        node = element(nodes.reference, [nodes.Text(text)], classes)
        node["internal"] = True
        node[where[0]] = where[1]
        return node

    def permalink(self, need: Any) -> nodes.paragraph:
        """The need's ID, small, as its own permalink.

        A measure shows the part of its ID that is new on its case's page (its
        work item, actor × aspect and number: ``E1_WO_01``); the link's title,
        the URL and the exports carry the whole ID."""
        short = MEASURE_TAIL.search(need["id"])
        text = short.group(1) if short and need.get("type") in self.roles.work_children else need["id"]
        link = self.ref(need, text, [NEED_ID])
        if isinstance(link, nodes.reference):
            link["reftitle"] = f"ID: {need['id']}"
        return element(nodes.paragraph, [link], ["council-permalink"])

    def field_value(self, need: Any, name: str) -> str:
        value = need.get(name)
        if value is None or value == "" or value == []:
            return ""
        if isinstance(value, list | tuple):
            return "、".join(str(v) for v in value)
        return str(value)

    # -- per type ----------------------------------------------------------
    def render(self, node: Need, need: Any) -> list[nodes.Node]:
        content = list(node.children)
        kind = need["type"]
        if kind == self.roles.case:
            return [self.case(need, content)]
        if kind in self.roles.works:
            return [self.work(need, content)]
        if kind in self.roles.work_children:
            return [self.measure(need, content)]
        return [self.generic(need, content)]

    def _box(self, need: Any, children: list[nodes.Node]) -> nodes.container:
        box = element(nodes.container, children, ["council-need", f"council-need-{need['type']}"])
        if self.app.builder.format == "html":
            box["ids"] = [need["id"]]
        else:
            # LaTeX labels targets, not containers
            box.insert(0, nodes.target("", "", ids=[need["id"]]))
        return box

    def case(self, need: Any, content: list[nodes.Node]) -> nodes.container:
        works = [self.needs[i] for i in need["part_of_back"] if i in self.needs
                 and self.needs[i]["type"] in self.roles.works]
        rows: list[tuple[str, list[nodes.Node] | str]] = []
        for label, fields in CASE_SUMMARY_WORK_FIELDS:
            values: list[tuple[str, str]] = []
            for index, work in enumerate(works, 1):
                text = "　".join(v for f in fields if (v := self.field_value(work, f)))
                if text:
                    values.append((f"{self.model.type_title(work['type'])} {index}", text))
            distinct = {text for _, text in values}
            if len(distinct) == 1:
                rows.append((label, values[0][1]))
            elif values:
                rows.append((label, [
                    element(nodes.paragraph, [element(nodes.inline, [nodes.Text(f"{who}: ")], ["council-work-label"]),
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
            inferred = flagged(need, "material_inferred")
            rows.append(("資料番号", [element(nodes.paragraph, [
                nodes.Text(material), *([tag(TAG_ESTIMATED)] if inferred else [])])]))
        children: list[nodes.Node] = [summary_list(rows, ["council-case-summary"])]
        overview: list[nodes.Node] = [heading("事業の概要", 2)]
        full = [summary_list([
            ("事業名", self.field_value(need, "business")),
            ("目的", self.field_value(need, "purpose")),
            ("対象者", self.field_value(need, "subjects")),
        ]), *content]
        length = sum(len(c.astext()) for c in full)
        if length > LONG_TEXT:
            overview.append(details(f"全文を表示（事業名・目的・対象者・事業内容、{length:,}字）", full, ["council-case-text"]))
        else:
            overview += full
        children.append(element(nodes.container, overview, ["council-overview"]))
        return self._box(need, children)

    def work(self, need: Any, content: list[nodes.Node]) -> nodes.container:
        shown = [name for name, _ in self.fields.get(need["layout"] or "", []) if name not in WORK_HIDDEN_FIELDS]
        siblings = [w for c in need.get("part_of") or [] if c in self.needs
                    for w in self.needs[c]["part_of_back"] if self.needs.get(w, {}).get("type") in self.roles.works]
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
            if flagged(need, "terms_assumed"):
                links.append(tag(TAG_ESTIMATED))
            open_rows.append(("適用する特記事項の版", [element(nodes.paragraph, links)]))
        rest = [(self.model.field_label(f), self.field_value(need, f)) for f in shown if f not in WORK_OPEN_FIELDS]
        children: list[nodes.Node] = [summary_list(open_rows, ["council-work-summary"])]
        if not open_rows:
            children = []
        kind = self.model.type_title(need["type"])
        more = details(f"この{kind}の詳細（扱う個人情報・理由・内容・期間など）",
                       [summary_list(rest), *content], ["council-work-details"])
        children.append(element(nodes.container, [more, self.permalink(need)], ["council-measure-foot"]))
        return self._box(need, children)

    def measure(self, need: Any, content: list[nodes.Node]) -> nodes.container:
        """One measure, as an item of the ordered list of its group."""
        children: list[nodes.Node] = []
        tags = []
        if grouping_estimated(self.model, need):
            tags.append(tag(TAG_ESTIMATED))
        if trace_unconfirmed(self.model, need):
            tags.append(tag(TAG_UNCONFIRMED))
        if need["type"] in self.roles.exemptions:
            label = self.model.type_title(need["type"])
            children.append(element(nodes.paragraph, [nodes.Text(label)], ["council-exemption-label"]))
        children += content
        suspect = self.suspect.get(need["id"], set())
        rows = []
        texts: list[nodes.Node] = []
        for name in self.model.links_of(need["type"]):
            if name == STRUCTURE_LINK:
                continue
            refs: list[nodes.Node] = []
            kind = ""
            for target_id in need.get(name) or []:
                target = self.needs.get(target_id)
                if target is None:
                    continue
                label = target_name(target, self.roles)
                kind, _, short = label.partition(": ")
                if not short:
                    kind, short = "", label
                if refs:
                    refs.append(nodes.Text("、"))
                refs.append(self.ref(target, short, ["council-trace-link"]))
                if target_id in suspect:
                    refs.append(tag(TAG_SUSPECT))
                body = target.get("content") or ""
                texts.append(element(nodes.paragraph, [
                    element(nodes.strong, [nodes.Text(label)]), nodes.Text(f"　{body}" if body else ""),
                ], ["council-target-text"]))
            if refs:
                head = [element(nodes.inline, [nodes.Text(f"{kind}: ")], ["council-trace-kind"])] if kind else []
                rows.append(element(nodes.list_item, [element(nodes.paragraph, [*head, *refs])]))
        if rows:
            children.append(element(nodes.bullet_list, rows, ["council-trace-links"]))
        foot: list[nodes.Node] = []
        if texts:
            foot.append(details("本文", texts, ["council-target-texts", COPIED]))
        foot.append(self.permalink(need))
        children.append(element(nodes.container, [*tags_line(tags), *foot], ["council-measure-foot"]))
        box = self._box(need, children)
        box["classes"].append(MEASURE)
        box["council_number"] = need.get("number")
        if need.get("actor") and need.get("aspect"):
            box["council_group"] = f"{need['actor']}・{need['aspect']}"
        return box

    def generic(self, need: Any, content: list[nodes.Node]) -> nodes.container:
        if need["type"] == self.roles.checkitem:  # its title is a cut copy of its text
            title = f"チェックリスト {checkitem_code(need['id'])}"
        elif need["type"] == self.roles.clause:
            title = target_name(need, self.roles)
        else:
            title = need.get("title") or need["id"]
        head = element(nodes.paragraph, [element(nodes.strong, [nodes.Text(title)])], ["council-need-title"])
        children: list[nodes.Node] = [head, *content]
        fields = self.fields.get(need["layout"] or "", [])
        facts = [f"{label}{value}" for name, label in fields
                 if name not in {"heading", "number", "trace", "terms_assumed"}
                 and (value := self.field_value(need, name))]
        if facts:
            children.append(element(nodes.paragraph, [nodes.Text(" ／ ".join(facts))], ["council-need-fields"]))
        for name, outgoing, incoming in self.links:
            for targets, label, back in ((need[name], outgoing, False), (need[f"{name}_back"], incoming, True)):
                if not targets:
                    continue
                listed = [self.needs[t] for t in targets if t in self.needs]
                if back and len(listed) > RELYING_SHOWN and need["type"] in (self.roles.clause,
                                                                              self.roles.checkitem):
                    # grows with the site: the relying cases under the need list them by case
                    note = f"{label}（{len(listed)}件）: 案件ごとの一覧はこの下にあります。"
                    children.append(element(nodes.container, [element(
                        nodes.paragraph, [nodes.Text(note)], ["council-links-label"])], [COPIED]))
                    continue
                texts = [back_name(t, self.needs, self.roles) if back else target_name(t, self.roles)
                         for t in listed]
                items = [element(nodes.list_item, [element(nodes.paragraph, [self.ref(t, text)])])
                         for t, text in zip(listed, texts)]
                block = [element(nodes.bullet_list, items, ["council-need-links"])]
                if back and len(listed) > 3:
                    block = [details(f"{label}（{len(listed)}件）", block)]
                else:
                    block.insert(0, element(nodes.paragraph, [nodes.Text(f"{label}:")], ["council-links-label"]))
                # copies of other pages' titles: navigation, not this page's content
                children.append(element(nodes.container, block, [COPIED]))
        children.append(self.permalink(need))
        return self._box(need, children)


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
        if need["type"] in page.roles.work_children and parent not in parents:
            parents.append(parent)
    for parent in parents:
        group_measures(parent)


class NeedRendering(SphinxPostTransform):
    """Renders the site's needs for every builder (see the module docstring)."""

    # after Sphinx resolves references (10), before the HTML page layout
    default_priority = priority("need-rendering")

    def run(self, **kwargs: Any) -> None:
        render_needs(self.app, self.document, self.env.docname)


def setup_render(app: Sphinx) -> None:
    app.add_post_transform(NeedRendering)
