"""Fixes to sphinx-needs 9.1.0 for large sites: the same output, faster.

Each is a :class:`~council.compat.Workaround` (installed for one build, only
on the version it was written for, off with ``council_compat = False``), with
the upstream patch in ``patches/``. ``tests/compat/`` checks each against the
original function and builds the site with and without them.

- ``NeedItem.add_backlink`` looks through the target's list of back-links
  before adding one, so a clause relied on by thousands of safeguards costs
  millions of comparisons: the post-processing grew with the square of the
  number of cases. Its only caller, ``build_backlinks``, sorts every list
  right after and drops duplicates while sorting (``sort_backlinks``), so
  the look-up is not needed for the result.
  Patch: ``sphinx-needs-9.1.0-add-backlink.diff``.
- ``SphinxNeedsData.remove_doc`` (sphinx-needs' ``env-purge-doc``) looks
  at every need of the site to find those of the one document Sphinx is
  about to read again; Sphinx purges each document it reads, so a full build
  of a thousand cases spent minutes there. :func:`purge_before_reading`
  purges all the documents about to be read in one pass when reading starts
  (``env-before-read-docs``, after which Sphinx purges each of them before
  reading it), and their own purges then have nothing left to do.
  Patch: ``sphinx-needs-9.1.0-remove-docs.diff`` (a ``remove_docs`` method).
- The ``doctree-resolved`` handler looks for its nodes with a condition
  that runs a generator of ``isinstance`` calls on every node of every page
  (``node_match``); one ``isinstance`` with a tuple of the classes answers
  the same. Patch: ``sphinx-needs-9.1.0-node-match.diff``.
- ``NeedsList.write_json`` writes needs.json with :func:`json.dump`, which
  runs Python's pure-Python encoder. :func:`write_json_stream` gives the
  same text five times as fast with the C encoder (:func:`json.dumps`), one
  need at a time, so the text of all needs is never in memory at once.
  Patch: ``sphinx-needs-9.1.0-write-json.diff``.
- ``apply_default_predicate`` runs :func:`eval` on the text of a field's default
  predicate, which compiles it again for every need: this site gives each need
  its layout by type (``type == 'safeguard'``, one predicate per type), so a
  build of 1,000 cases compiled the same dozen expressions a few hundred
  thousand times (5.5 s of the read workers' 95 s). :func:`apply_default_predicate`
  compiles each text once (:func:`compiled_predicate`), and evaluates it as the
  original does, with the same errors. Patch: ``sphinx-needs-9.1.0-predicate-compile.diff``.
- ``process_need_nodes`` (``doctree-resolved``) walks every written page twice, for
  needextend nodes and then for need nodes; a written case page is large (its
  rendered measures and trace tables), and at N = 1,000 the two walks were 10 s of
  the page-writing workers' CPU time. :func:`process_need_nodes` finds both in one walk
  (a needextend's node holds no node, so removing it removes no need node); its
  listener stands in for the original's in place for the build
  (:func:`council.compat.stand_in`). Patch: ``sphinx-needs-9.1.0-need-nodes-walk.diff``.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from types import CodeType
from typing import Any, TextIO

import sphinx_needs
import sphinx_needs.api.need
import sphinx_needs.directives.need
import sphinx_needs.needs
from sphinx.application import Sphinx
from sphinx_needs.config import NeedsSphinxConfig
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.debug import measure_time
from sphinx_needs.directives.needextend import Needextend
from sphinx_needs.need_item import NeedItem, NeedLink
from sphinx_needs.needsfile import NeedsList
from sphinx_needs.nodes import Need
from sphinx_needs.utils import remove_node_from_tree

from council.compat import Workaround, nothing, put_back, stand_in
from council.compat import installed as installed_for
from council.compat.docutils_findall import any_of

PATCHED_VERSION = "9.1.0"

_original_add_backlink = NeedItem.add_backlink
_original_write_json = NeedsList.write_json
_original_remove_doc = SphinxNeedsData.remove_doc
_original_node_match = sphinx_needs.needs.node_match
_original_apply_default_predicate = sphinx_needs.api.need.apply_default_predicate
_original_process_need_nodes = sphinx_needs.directives.need.process_need_nodes
#: Attribute of the application: sphinx-needs' listener process_need_nodes, stood in for.
_NEED_NODES_LISTENER = "_council_need_nodes_listener"
#: env attribute: documents purged by purge_before_reading, not yet purged by Sphinx
_PURGED = "_council_purged_docs"


def add_backlink(self: NeedItem, link_type: str, backlink: str | NeedLink) -> None:
    """As the original, except duplicates are left to ``sort_backlinks``."""
    backlinks = self._backlinks
    if link_type not in backlinks:
        raise KeyError(f"Link type {link_type!r} does not exist in backlinks.")
    backlinks[link_type].append(NeedLink.from_string(backlink) if isinstance(backlink, str) else backlink)


def write_json_stream(data: Any, out: TextIO, depth: int) -> None:
    """Write *data* as ``json.dump(data, out, sort_keys=True)`` does: the
    outer *depth* levels of dictionaries here, everything inside them with
    the C encoder."""
    if depth <= 0 or not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        out.write(json.dumps(data, sort_keys=True))
        return
    out.write("{")
    for index, key in enumerate(sorted(data)):
        out.write((", " if index else "") + json.dumps(key) + ": ")
        write_json_stream(data[key], out, depth - 1)
    out.write("}")


def write_json(self: NeedsList, needs_file: str = "needs.json", needs_path: str = "") -> None:
    """As the original, with the C encoder, one need at a time."""
    self._finalise()
    needs_dir = needs_path if needs_path else self.outdir
    with open(os.path.join(needs_dir, needs_file), "w") as f:
        # file -> "versions" -> version -> "needs" -> need id -> need
        write_json_stream(self.needs_list, f, depth=4)


def remove_docs(data: SphinxNeedsData, docnames: set[str]) -> None:
    """``remove_doc`` for several documents in one pass over the needs."""
    needs = data._env_needs
    for need_id in [i for i, need in needs.items() if need["docname"] in docnames]:
        del needs[need_id]
        data.remove_need_node(need_id)
    docs = data.get_or_create_docs()
    for key, value in docs.items():
        docs[key] = [doc for doc in value if doc not in docnames]
    extends = data.get_or_create_extends()
    for extend_id in [i for i, e in extends.items() if e["docname"] in docnames]:
        del extends[extend_id]
    umls = data.get_or_create_umls()
    for uml_id in [i for i, u in umls.items() if u["docname"] in docnames]:
        del umls[uml_id]


def remove_doc(self: SphinxNeedsData, docname: str) -> None:
    """As the original, except for a document already purged when reading began."""
    pending = getattr(self.env, _PURGED, None)
    if pending and docname in pending:
        pending.discard(docname)
        return
    _original_remove_doc(self, docname)


def purge_before_reading(app: Sphinx, env: Any, docnames: list[str]) -> None:
    data = SphinxNeedsData(env)
    if data.needs_is_post_processed or not docnames:
        return
    remove_docs(data, set(docnames))
    setattr(env, _PURGED, set(docnames))


def _forget_purged(app: Sphinx, env: Any) -> list[str]:
    if hasattr(env, _PURGED):
        delattr(env, _PURGED)
    return []


def node_match(node_types: Any) -> Any:
    """As the original: a findall condition matching instances of *node_types*."""
    # any_of: also checked without a call per node by the site's findall (docutils_findall)
    return any_of(*(node_types if isinstance(node_types, list) else [node_types]))


@lru_cache(maxsize=256)
def compiled_predicate(predicate: str) -> CodeType:
    """*predicate* compiled as :func:`eval` compiles a text (the same errors and messages)."""
    return compile(predicate, "<string>", "eval")


@measure_time("check_default_predicate")
def apply_default_predicate(predicate: str, config: Any, context: Any, extras: dict[str, Any],
                            links: dict[str, list[str]]) -> bool:
    """As the original, with *predicate* compiled once (:func:`compiled_predicate`)."""
    from sphinx_needs.filter_common import NeedsInvalidFilter, _constant_filter_message, _is_constant_filter

    if _is_constant_filter(predicate):
        raise NeedsInvalidFilter(_constant_filter_message(predicate, "Predicate"))
    predicate_context: dict[str, Any] = {**context, **extras, **links, **config.filter_data}
    if (var_proxy := config.variant_data_proxy) is not None:
        predicate_context["var"] = var_proxy
    try:
        result = bool(eval(compiled_predicate(predicate), predicate_context))
    except Exception as e:
        raise NeedsInvalidFilter(f"Predicate {predicate!r} not valid. Error: {e}.")
    return result


#: The nodes process_need_nodes looks for, in one walk.
_NEED_OR_EXTEND = any_of(Need, Needextend)


def process_need_nodes(app: Sphinx, doctree: Any, fromdocname: str) -> None:
    """As the original, with the need and needextend nodes found in one walk."""
    if not NeedsSphinxConfig(app.config).include_needs:
        _original_process_need_nodes(app, doctree, fromdocname)
        return
    found = list(doctree.findall(_NEED_OR_EXTEND))
    for node in found:
        if isinstance(node, Needextend):
            remove_node_from_tree(node)
    if not SphinxNeedsData(app.env).get_needs_view():
        return
    sphinx_needs.directives.need.format_need_nodes(app, doctree, fromdocname,
                                                   [n for n in found if isinstance(n, Need)])


def _stand_in_for_need_nodes(app: Sphinx) -> None:
    if "sphinx-needs-need-nodes-walk" in installed_for(app):
        stand_in(app, "doctree-resolved", _original_process_need_nodes, process_need_nodes,
                 _NEED_NODES_LISTENER)


def _put_back_need_nodes(app: Sphinx, exception: BaseException | None) -> None:
    put_back(app, _NEED_NODES_LISTENER)


def _swap(owner: Any, name: str, original: Any, replacement: Any) -> tuple[Any, Any]:
    def install() -> None:
        setattr(owner, name, replacement)

    def remove() -> None:
        setattr(owner, name, original)

    return install, remove


def installed(name: str) -> bool:
    """Whether the workaround *name* is installed now (for the handlers below)."""
    current = {
        "sphinx-needs-add-backlink": NeedItem.add_backlink is add_backlink,
        "sphinx-needs-write-json": NeedsList.write_json is write_json,
        "sphinx-needs-remove-docs": SphinxNeedsData.remove_doc is remove_doc,
        "sphinx-needs-node-match": sphinx_needs.needs.node_match is node_match,
        "sphinx-needs-predicate-compile": sphinx_needs.api.need.apply_default_predicate is apply_default_predicate,
    }
    return current[name]


def _purge_before_reading(app: Sphinx, env: Any, docnames: list[str]) -> None:
    if installed("sphinx-needs-remove-docs"):
        purge_before_reading(app, env, docnames)


WORKAROUNDS = [
    Workaround(
        "sphinx-needs-add-backlink", "sphinx-needs", PATCHED_VERSION,
        "back-links are appended without a linear look-up; sort_backlinks drops duplicates",
        *_swap(NeedItem, "add_backlink", _original_add_backlink, add_backlink),
        patch="sphinx-needs-9.1.0-add-backlink.diff",
    ),
    Workaround(
        "sphinx-needs-remove-docs", "sphinx-needs", PATCHED_VERSION,
        "the documents about to be read are purged in one pass over the needs",
        *_swap(SphinxNeedsData, "remove_doc", _original_remove_doc, remove_doc),
        patch="sphinx-needs-9.1.0-remove-docs.diff",
        # last, once other handlers have chosen the documents to read
        handlers=(("env-before-read-docs", _purge_before_reading, 950),
                  ("env-updated", _forget_purged, 500)),
    ),
    Workaround(
        "sphinx-needs-node-match", "sphinx-needs", PATCHED_VERSION,
        "one isinstance with a tuple instead of a generator per node",
        *_swap(sphinx_needs.needs, "node_match", _original_node_match, node_match),
        patch="sphinx-needs-9.1.0-node-match.diff",
    ),
    Workaround(
        "sphinx-needs-predicate-compile", "sphinx-needs", PATCHED_VERSION,
        "a default's predicate compiled once, not for every need",
        *_swap(sphinx_needs.api.need, "apply_default_predicate", _original_apply_default_predicate,
               apply_default_predicate),
        patch="sphinx-needs-9.1.0-predicate-compile.diff",
    ),
    Workaround(
        "sphinx-needs-need-nodes-walk", "sphinx-needs", PATCHED_VERSION,
        "the need and needextend nodes of a written page found in one walk, not two",
        nothing, nothing,
        patch="sphinx-needs-9.1.0-need-nodes-walk.diff",
        handlers=(
            # after the workarounds are installed (builder-inited, 1)
            ("builder-inited", _stand_in_for_need_nodes, 2),
            # before they are removed (build-finished, 999)
            ("build-finished", _put_back_need_nodes, 998),
        ),
    ),
    Workaround(
        "sphinx-needs-write-json", "sphinx-needs", PATCHED_VERSION,
        "needs.json written with the C encoder, one need at a time",
        *_swap(NeedsList, "write_json", _original_write_json, write_json),
        patch="sphinx-needs-9.1.0-write-json.diff",
    ),
]
