"""Need rendering without sphinx-needs' layout interpreter.

Sphinx-needs lays out each need by interpreting its layout strings: it parses
every line as reStructuredText, parses every ``<<meta(...)>>`` call with
``ast``, and leaves the links as pending nodes that a second pass over the
page resolves. For the site's own layouts (:mod:`council.layouts`: a head
line, one line per field, then every link) that came to about a third of a
full build. This module builds the very same docutils nodes directly, so
the HTML, the PDF and the theme's styles do not change;
``tests/performance/test_fast_paths.py`` builds the site both ways and
compares every page.

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

from .layouts import layout_fields


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
        node = _el(nodes.reference, [nodes.Text(target["id"])])
        node["internal"] = True
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

    def meta(self, need: Any, name: str, label: str | None) -> list[nodes.Node]:
        """The nodes of sphinx-needs' ``meta(name, prefix=label)``: none for no value."""
        try:
            data = need[name]
        except KeyError:
            data = ""
        if data is None or (isinstance(data, str | list) and len(data) == 0):
            return []
        parts = [_el(nodes.inline, [nodes.Text(label)], ["needs_label"])] if label else []
        if isinstance(data, str):
            parts.append(_el(nodes.inline, [nodes.Text(data)], ["needs_data"]))
        elif isinstance(data, list):
            items = []
            for index, element in enumerate(data):
                if index:
                    items.append(_el(nodes.inline, [nodes.Text(", ")], ["needs_spacer"]))
                items.append(_el(nodes.inline, [nodes.Text(element)], ["needs_data"]))
            parts.append(_el(nodes.inline, items, ["needs_data_container"]))
        else:
            parts.append(nodes.Text(data))
        return [_el(nodes.inline, parts, [f"needs_{name}"])]

    def head(self, need: Any) -> nodes.line_block:
        ident = _el(nodes.inline, [r] if (r := self.ref(need, need["id"], need["id"])) else [], ["needs-id"])
        line = _el(nodes.line, [
            _el(nodes.inline, [*self.meta(need, "type_name", None), nodes.Text(": ")]),
            _el(nodes.strong, [_el(nodes.inline, self.meta(need, "title", None))]),
            _el(nodes.inline, [nodes.Text(" "), ident]),
        ])
        return _el(nodes.line_block, [line], ["needs_head"])

    def link_list(self, need: Any, name: str, incoming: bool) -> nodes.inline:
        links: list[nodes.Node] = []
        targets = need[f"{name}_back" if incoming else name]
        for index, target_id in enumerate(targets):
            target = self.needs[target_id]
            ref = self.ref(target, target["id_parent"] if incoming else target["id"], need["id"])
            if ref is not None:
                links.append(ref)
                if incoming and index + 1 < len(targets):
                    links.append(nodes.Text(", "))
            if not incoming and index + 1 < len(targets):
                links.append(nodes.Text(", "))
        if not links:
            links.append(nodes.Text("None"))
        return _el(nodes.inline, [_el(nodes.inline, links)], [name])

    def meta_section(self, need: Any, fields: list[tuple[str, str]]) -> nodes.line_block:
        lines = [_el(nodes.line, [_el(nodes.inline, self.meta(need, name, label))])
                 for name, label in fields]
        links = []
        for name, outgoing, incoming in self.links:
            if need[name]:
                links.append(_el(nodes.line, [nodes.Text(f"{outgoing}: "), self.link_list(need, name, False)]))
            if need[f"{name}_back"]:
                links.append(_el(nodes.line, [nodes.Text(f"{incoming}: "), self.link_list(need, name, True)]))
        lines.append(_el(nodes.line, [_el(nodes.inline, links)]))
        return _el(nodes.line_block, lines, ["needs_meta"])

    def render(self, node: Need, need: Any) -> nodes.container:
        """The nodes sphinx-needs' ``build_need_repr`` makes with the "simple" grid."""
        layout = need["layout"] or self.config.default_layout
        head = _el(nodes.entry, [self.head(need)], ["need", "head"])
        meta = _el(nodes.entry, [self.meta_section(need, self.fields[layout])], ["need", "meta"])
        content = _el(nodes.entry, list(node.children), ["need", "content"])
        content["morecols"] = 0
        body = _el(nodes.tbody, [
            _el(nodes.row, [head], ["need", "head"]),
            _el(nodes.row, [meta], ["need", "meta"]),
            _el(nodes.row, [content], ["need", "content"]),
        ])
        colspec = nodes.colspec(colwidth=100)
        group = _el(nodes.tgroup, [colspec, body])
        group["cols"] = 0
        table = _el(nodes.table, [group], ["need", "needs_grid_simple", f"needs_layout_{layout}",
                                          *self.config.table_classes, "needs_style_none",
                                          "needs_type_" + "".join(need["type"].split())])
        table["ids"] = [need["id"]]
        container = _el(nodes.container, [table], ["need_container"])
        container["ids"] = ["SNCB-" + str(uuid.uuid4())[:8]]
        return container


def _el(cls: type[nodes.Element], children: list[nodes.Node] | None = None,
        classes: list[str] | None = None) -> Any:
    """``cls("", "", *children, classes=classes)`` for a new subtree, twice as fast.

    The children are adopted without :meth:`~docutils.nodes.Element.setup_child`,
    which climbs the parents to look for the document the node belongs to: a
    subtree being built belongs to none, so it would only set the parent."""
    node = cls()
    if classes:
        node["classes"] = classes
    if children:
        node.children = children
        for child in children:
            child.parent = node
    return node


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
