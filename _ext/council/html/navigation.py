"""A sidebar navigation whose cost does not grow with the number of cases.

Furo renders the *whole* toctree (every case page) into the sidebar of every
page, and parses it with BeautifulSoup each time: per-page work proportional
to the site, so the build grows quadratically with the number of cases and
every page carries a link to every case. With decades of records that is
thousands of links on each page.

This module builds the sidebar from the environment's toctree data instead:
the root's sections and their sub-pages down to ``council_navigation_maxdepth``
levels, leaving out the entries of any page that lists more than
``council_navigation_max_children`` sub-pages (the case list: its index page
lists them all). The current page and its ancestors are always shown. The
result goes through furo's own ``get_navigation_tree``, so it looks the same.

The work per page depends on the shape of the top of the site, not on N.
"""

from __future__ import annotations

import html
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from council.config import council_config

_STASH = "_council_toctree"
_CACHE = "_council_navigation"
_CURRENT = ' class="current"'


def _structure(app: Sphinx) -> dict[str, Any]:
    """Root sections (caption, entries) and each page's parent, once per build."""
    cache = getattr(app, _CACHE, None)
    if cache is not None:
        return cache
    env = app.env
    root = app.config.root_doc
    from sphinx import addnodes

    sections: list[tuple[str, list[tuple[str | None, str]]]] = []
    doctree = env.get_doctree(root)
    for toctree in doctree.findall(addnodes.toctree):
        entries = [(title, ref) for title, ref in toctree["entries"] if ref in env.all_docs]
        sections.append((toctree.get("caption") or "", entries))
    parents: dict[str, str] = {}
    for parent, children in env.toctree_includes.items():
        for child in children:
            parents.setdefault(child, parent)
    cache = {"sections": sections, "parents": parents}
    setattr(app, _CACHE, cache)
    return cache


def _reset(app: Sphinx, env: BuildEnvironment) -> None:
    setattr(app, _CACHE, None)


def _title(env: BuildEnvironment, docname: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    title = env.titles.get(docname)
    return title.astext() if title is not None else docname


def navigation_html(app: Sphinx, pagename: str) -> str:
    """Sphinx-style toctree HTML for *pagename*'s sidebar, bounded in size."""
    env = app.env
    builder = app.builder
    structure = _structure(app)
    parents = structure["parents"]
    ancestors = {pagename}
    node = pagename
    while node in parents and parents[node] not in ancestors:
        node = parents[node]
        ancestors.add(node)
    maxdepth = council_config(app).navigation_maxdepth
    max_children = council_config(app).navigation_max_children

    def item(docname: str, explicit: str | None, level: int) -> str:
        current = docname in ancestors
        classes = f"toctree-l{level}" + (" current" if current else "")
        if docname == pagename:
            link = f'<a class="current reference internal" href="#">{html.escape(_title(env, docname, explicit))}</a>'
        else:
            uri = builder.get_relative_uri(pagename, docname)
            link = f'<a class="reference internal" href="{html.escape(uri)}">{html.escape(_title(env, docname, explicit))}</a>'
        children = env.toctree_includes.get(docname, []) if level < maxdepth else []
        if len(children) > max_children:
            children = [child for child in children if child in ancestors]
        sub = "".join(item(child, None, level + 1) for child in children if child in env.all_docs)
        if sub:
            link += f"<ul{_CURRENT if current else ''}>{sub}</ul>"
        return f'<li class="{classes}">{link}</li>'

    out = []
    for caption, entries in structure["sections"]:
        if caption:
            out.append(f'<p class="caption" role="heading"><span class="caption-text">{html.escape(caption)}</span></p>')
        current = any(ref in ancestors for _, ref in entries)
        items = "".join(item(ref, title, 1) for title, ref in entries)
        out.append(f"<ul{_CURRENT if current else ''}>{items}</ul>")
    return "".join(out)


def _before_furo(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    # Furo builds the full tree only when the context has ``toctree``.
    if council_config(app).navigation_light and "toctree" in context:
        context[_STASH] = context.pop("toctree")


def _after_furo(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if _STASH not in context:
        return
    context["toctree"] = context.pop(_STASH)
    if "furo_navigation_tree" in context:
        from furo.navigation import get_navigation_tree

        context["furo_navigation_tree"] = get_navigation_tree(navigation_html(app, pagename))


def setup_navigation(app: Sphinx) -> None:
    app.connect("env-updated", _reset)
    # Around furo's handler (priority 500), before ui_text's (900).
    app.connect("html-page-context", _before_furo, priority=450)
    app.connect("html-page-context", _after_furo, priority=550)
