"""Incremental builds that never publish stale traceability.

Sphinx rewrites only the pages whose source changed. But a page can show data
held by needs of *other* pages: a clause page lists the safeguards that bind
each clause (back-links), a case page shows the titles of the clauses and
checklist items it links to, and tables, matrices, lists, counts and graphs
(``needtable``, ``needflow``, the project's own matrices, …) are computed from
all needs. Those pages went stale after editing one case.

This module records, while reading, which pages show needs data beyond their
own needs, and when a page with needs was added, changed or removed it tells
Sphinx (``env-updated``) to rewrite every page that may show it:

- pages with a node that is filled from all needs at write time: sphinx-needs'
  own (tables, lists, flows, pies, bars, counts, references, dynamic
  functions, extracts) and the node classes this extension registers with
  :func:`register_dynamic_nodes` (its matrices, case lists and figures), or
  that a directive marked with :func:`mark_shows_needs`;
- pages that show every need of some types, marked with
  :func:`mark_shows_types`, when a need of one of those types was on a changed
  page: a case's coverage is counted against every checklist item, but shows
  no other case, so editing one case does not rewrite every case page (a node
  that :func:`exempt_dynamic_nodes` names is left to this rule);
- pages holding needs that link to, or are linked from, the needs of the
  changed pages (old and new links both count, so a dropped link is removed
  from the page it pointed to).

Every page also shows the site's navigation (the sidebar lists every page by
its title, and each page names the previous and next ones): when a page is
added to a table of contents or a title changes, every page is rewritten.

Rewriting reuses the pickled doctrees: those pages are not parsed again, only
resolved and written, which keeps an incremental build short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

#: Attribute of the build environment: docnames that show needs of other pages.
_SHOWS = "council_shows_needs"
#: Attribute of the application: node classes of this extension filled from all needs.
_REGISTRY = "_council_dynamic_nodes"
#: Attribute of the application: (docnames touched this build, their needs before reading).
_PENDING = "_council_incremental_pending"
#: Attribute of the application: the navigation (:func:`_navigation`) before reading.
_NAVIGATION = "_council_navigation"
#: Attribute of the build environment: docname -> the need types all of whose needs it shows.
_SHOWS_TYPES = "council_shows_types"
#: Attribute of the application: predicates of nodes that do not count as dynamic.
_EXEMPT = "_council_exempt_nodes"


def exempt_dynamic_nodes(app: Sphinx, predicate: Callable[[nodes.Node], bool]) -> None:
    """Nodes of a registered class for which *predicate* holds do not make their page
    rewritten on every change; their directive marks what they show with :func:`mark_shows_types`."""
    if not hasattr(app, _EXEMPT):
        setattr(app, _EXEMPT, [])
    getattr(app, _EXEMPT).append(predicate)


def _types_shown(env: BuildEnvironment) -> dict[str, frozenset[str]]:
    if not hasattr(env, _SHOWS_TYPES):
        setattr(env, _SHOWS_TYPES, {})
    return getattr(env, _SHOWS_TYPES)


def mark_shows_types(env: BuildEnvironment, docname: str, types: Iterable[str]) -> None:
    """Register *docname* as a page that shows every need of *types*: it is
    rewritten whenever a page holding such a need changes."""
    shown = _types_shown(env)
    shown[docname] = shown.get(docname, frozenset()) | frozenset(types)


def register_dynamic_nodes(app: Sphinx, *classes: type[nodes.Node]) -> None:
    """Declare node classes whose content is computed from all needs at write time:
    a page holding one is rewritten whenever a page with needs changes."""
    registry = getattr(app, _REGISTRY, None)
    if registry is None:
        registry = []
        setattr(app, _REGISTRY, registry)
    registry.extend(cls for cls in classes if cls not in registry)


def _dynamic_node_types(app: Sphinx) -> tuple[type[nodes.Node], ...]:
    """Sphinx-needs' nodes computed from all needs at write time, and this extension's."""
    from sphinx_needs.needs import NODE_TYPES, NODE_TYPES_PRIO

    return (*NODE_TYPES, *NODE_TYPES_PRIO, *getattr(app, _REGISTRY, ()))


def _shows(env: BuildEnvironment) -> set[str]:
    if not hasattr(env, _SHOWS):
        setattr(env, _SHOWS, set())
    return getattr(env, _SHOWS)


def mark_shows_needs(env: BuildEnvironment, docname: str) -> None:
    """Register *docname* as a page that shows data of needs on other pages.

    Directives of this extension that render matrices, indexes or figures from
    the needs at write time call this while reading, so that the page is
    rewritten whenever a page with needs changes.
    """
    _shows(env).add(docname)


def _doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    types = _dynamic_node_types(app)
    exempt = getattr(app, _EXEMPT, ())

    def dynamic(node: nodes.Node) -> bool:
        return isinstance(node, types) and not any(test(node) for test in exempt)

    if next(iter(doctree.findall(dynamic)), None) is not None:
        mark_shows_needs(app.env, app.env.docname)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _shows(env).discard(docname)
    _types_shown(env).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: Iterable[str], other: BuildEnvironment) -> None:
    _shows(env).update(set(getattr(other, _SHOWS, set())) & set(docnames))
    theirs = getattr(other, _SHOWS_TYPES, {})
    _types_shown(env).update({doc: theirs[doc] for doc in docnames if doc in theirs})


def all_needs(env: BuildEnvironment) -> Mapping[str, Any]:
    """Every need, before reading (as the last build left them) or after."""
    from sphinx_needs.data import SphinxNeedsData

    data = SphinxNeedsData(env)
    return data.get_needs_view() if data.needs_is_post_processed else data.get_needs_mutable()


def _link_names(app: Sphinx) -> list[str]:
    from sphinx_needs.config import NeedsSphinxConfig

    config = NeedsSphinxConfig(app.config)
    names = ["links", *(getattr(config, "links", None) or {})]
    for link in getattr(config, "extra_links", None) or []:
        names.append(link["option"])
    return list(dict.fromkeys(names))


def _targets(need: Any, link_names: list[str]) -> set[str]:
    targets: set[str] = set()
    for name in link_names:
        value = need.get(name) or []
        for target in [value] if isinstance(value, str) else value:
            # Part links (ID.part) point at the need that holds the part.
            targets.add(str(target).split(".")[0])
    return targets


def _needs_in(needs: Mapping[str, Any], docnames: set[str]) -> dict[str, Any]:
    return {nid: need for nid, need in needs.items() if need.get("docname") in docnames}


def _get_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    # Before reading: the needs of changed/removed pages still hold their old links.
    touched = set(added) | set(changed) | set(removed)
    before = _needs_in(all_needs(env), touched)
    link_names = _link_names(app)
    setattr(app, _PENDING, (touched, {nid: _targets(n, link_names) for nid, n in before.items()},
                            {n.get("type") for n in before.values()}))
    setattr(app, _NAVIGATION, _navigation(env))
    return []


def _navigation(env: BuildEnvironment) -> tuple[list[Any], list[tuple[str, str]]]:
    """What the navigation of every page is made of: the tables of contents and the titles."""
    return (sorted((doc, list(included)) for doc, included in env.toctree_includes.items()),
            sorted((doc, title.astext()) for doc, title in env.titles.items()))


def dependents(app: Sphinx, env: BuildEnvironment) -> set[str]:
    """Docnames to rewrite because the needs of the pages read this build changed."""
    touched, old_links, old_types = getattr(app, _PENDING, (set(), {}, set()))
    needs = all_needs(env)
    link_names = _link_names(app)
    now = _needs_in(needs, touched)
    if not old_links and not now:
        return set()
    changed_types = old_types | {n.get("type") for n in now.values()}
    changed_ids = set(old_links) | set(now)
    # Needs the changed needs point to (before or after the edit) ...
    pointed = set().union(*old_links.values(), *(_targets(n, link_names) for n in now.values()))
    docs = {needs[nid].get("docname") for nid in pointed if nid in needs}
    # ... and needs elsewhere that point at the changed needs.
    for need in needs.values():
        if need.get("docname") not in touched and _targets(need, link_names) & changed_ids:
            docs.add(need.get("docname"))
    docs |= _shows(env)
    docs |= {doc for doc, types in _types_shown(env).items() if types & changed_types}
    return {doc for doc in docs if doc and doc in env.found_docs} - touched


#: Attribute of the application: the pages rewritten this build because needs they show changed.
SHOWING_CHANGED_NEEDS = "_council_showing_changed_needs"


def _env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    docs = dependents(app, env)
    setattr(app, SHOWING_CHANGED_NEEDS, set(docs))
    setattr(app, _PENDING, (set(), {}, set()))
    before = getattr(app, _NAVIGATION, None)
    if before is not None and before != _navigation(env):
        docs = set(env.found_docs)  # every page's sidebar and its neighbours' titles
    setattr(app, _NAVIGATION, None)
    return sorted(docs)


def setup_incremental(app: Sphinx) -> None:
    app.connect("doctree-read", _doctree_read)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _get_outdated)
    app.connect("env-updated", _env_updated)
