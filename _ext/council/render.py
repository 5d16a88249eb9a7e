"""Need rendering without sphinx-needs' layout interpreter.

Sphinx-needs lays out each need by interpreting its layout strings: it parses
every line as reStructuredText, parses every ``<<meta(...)>>`` call with
``ast``, and leaves the links as pending nodes that a second pass over the
page resolves. For the site's own layouts (:mod:`council.layouts`: a head
line, one line per field, then every link) that came to about a third of a
full build. This module builds the very same docutils nodes directly, so
the HTML, the PDF and the theme's styles do not change; ``tests/unit`` builds
pages both ways and compares them.

A need is left to sphinx-needs when anything is out of the ordinary here: a
layout other than the council ones, a style, a hidden need, a need of another
document (``-j``), a link to a missing or external need or to a need part, or
string links configured. ``council_fast_needs = False`` (``-D
council_fast_needs=0``) leaves every need to sphinx-needs.
"""

from __future__ import annotations

import uuid
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import NoUri
from sphinx_needs.config import NeedsSphinxConfig
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.functions.functions import check_and_get_content, find_and_replace_node_content
from sphinx_needs.nodes import Need

from .layouts import LAYOUT_NAME, layout_fields


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
        self._uris: dict[str, str | None] = {}

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

    # -- building ----------------------------------------------------------
    def ref(self, target: Any, anchor: str, title: str) -> nodes.Node | None:
        """A link to *target*, as :func:`sphinx.util.nodes.make_refnode` makes it
        (a need's title shown as the ``title``), with each page's URI computed once."""
        docname = target["docname"]
        node = nodes.reference("", "", nodes.Text(target["id"]), internal=True)
        if docname == self.fromdocname:
            node["refid"] = anchor
        else:
            if docname not in self._uris:
                try:
                    self._uris[docname] = self.app.builder.get_relative_uri(self.fromdocname, docname)
                except NoUri:
                    self._uris[docname] = None
            uri = self._uris[docname]
            if uri is None:
                return None
            node["refuri"] = f"{uri}#{anchor}"
        node["reftitle"] = title
        return node

    def meta(self, need: Any, name: str, label: str | None) -> nodes.Node | None:
        try:
            data = need[name]
        except KeyError:
            data = ""
        if data is None or (isinstance(data, str | list) and len(data) == 0):
            return None
        container = nodes.inline(classes=[f"needs_{name}"])
        if label:
            container += nodes.inline("", "", nodes.Text(label), classes=["needs_label"])
        if isinstance(data, str):
            container += nodes.inline("", "", nodes.Text(data), classes=["needs_data"])
        elif isinstance(data, list):
            items = nodes.inline(classes=["needs_data_container"])
            for index, element in enumerate(data):
                if index:
                    items += nodes.inline("", "", nodes.Text(", "), classes=["needs_spacer"])
                items += nodes.inline("", "", nodes.Text(element), classes=["needs_data"])
            container += items
        else:
            container += nodes.Text(data)
        return container

    def head(self, need: Any) -> nodes.line_block:
        line = nodes.line()
        first = nodes.inline()
        first += self.meta(need, "type_name", None) or []
        first += nodes.Text(": ")
        line += first
        title = nodes.inline()
        title += self.meta(need, "title", None) or []
        line += nodes.strong("", "", title)
        ident = nodes.inline(classes=["needs-id"])
        ident += self.ref(need, need["id"], need["id"]) or []
        line += nodes.inline("", "", nodes.Text(" "), ident)
        return nodes.line_block("", line, classes=["needs_head"])

    def link_list(self, need: Any, name: str, incoming: bool) -> nodes.inline:
        container = nodes.inline()
        targets = need[f"{name}_back" if incoming else name]
        for index, target_id in enumerate(targets):
            target = self.needs[target_id]
            ref = self.ref(target, target["id_parent"] if incoming else target["id"], need["id"])
            if ref is not None:
                container += ref
                if incoming and index + 1 < len(targets):
                    container += nodes.Text(", ")
            if not incoming and index + 1 < len(targets):
                container += nodes.Text(", ")
        if not container.children:
            container += nodes.Text("None")
        return nodes.inline("", "", container, classes=[name])

    def meta_section(self, need: Any, fields: list[tuple[str, str]]) -> nodes.line_block:
        block = nodes.line_block(classes=["needs_meta"])
        for name, label in fields:
            block += nodes.line("", "", nodes.inline("", "", *filter(None, [self.meta(need, name, label)])))
        links = nodes.inline()
        for name, outgoing, incoming in self.links:
            if need[name]:
                links += nodes.line("", "", nodes.Text(f"{outgoing}: "), self.link_list(need, name, False))
            if need[f"{name}_back"]:
                links += nodes.line("", "", nodes.Text(f"{incoming}: "), self.link_list(need, name, True))
        block += nodes.line("", "", links)
        return block

    def render(self, node: Need, need: Any) -> nodes.container:
        """The nodes sphinx-needs' ``build_need_repr`` makes with the "simple" grid."""
        layout = need["layout"] or self.config.default_layout
        table = nodes.table(classes=["need", "needs_grid_simple", f"needs_layout_{layout}",
                                     *self.config.table_classes, "needs_style_none",
                                     "needs_type_" + "".join(need["type"].split())],
                            ids=[need["id"]])
        group = nodes.tgroup(cols=0)
        group += nodes.colspec(colwidth=100)
        body = nodes.tbody()
        body += nodes.row("", nodes.entry("", self.head(need), classes=["need", "head"]),
                          classes=["need", "head"])
        body += nodes.row("", nodes.entry("", self.meta_section(need, self.fields[layout]),
                                          classes=["need", "meta"]),
                          classes=["need", "meta"])
        content = nodes.entry(classes=["need", "content"], morecols=0)
        content.insert(0, node.children)
        body += nodes.row("", content, classes=["need", "content"])
        group += body
        table += group
        container = nodes.container(classes=["need_container"])
        container["ids"] = ["SNCB-" + str(uuid.uuid4())[:8]]
        container += table
        return container


def _render_needs(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    if not app.config.council_fast_needs or NeedsSphinxConfig(app.config).string_links:
        return
    found = list(doctree.findall(Need))
    if not found:
        return
    page = _Page(app, fromdocname)
    for node in found:
        need = page.needs.get(node["ids"][0])
        if need is None or not page.renders(node, need):
            continue  # sphinx-needs renders (or reports) it
        find_and_replace_node_content(node, app.env, need)
        node["classes"] = [check_and_get_content(c, need, app.env, node) for c in node["classes"]]
        node.parent.replace(node, page.render(node, need))


def setup_render(app: Sphinx) -> None:
    app.add_config_value("council_fast_needs", True, "html", types=(bool,))
    # before sphinx-needs lays out the needs left (doctree-resolved, priority 500)
    app.connect("doctree-resolved", _render_needs, priority=450)
