"""The workarounds of council.compat: installed for a build only, each equal to
the original it replaces, each with a patch that applies to its library."""

from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path

import pytest
import sphinx.builders
import sphinx_needs
import sphinx_needs.api.need
import sphinx_needs.directives.need
import sphinx_needs.needs
from docutils import nodes
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.need_item import NeedItem
from sphinx_needs.needsfile import NeedsList

from council import compat
from council.compat import sphinx_needs as needs_fixes

ORIGINALS = {
    (NeedItem, "add_backlink"): NeedItem.add_backlink,
    (NeedsList, "write_json"): NeedsList.write_json,
    (SphinxNeedsData, "remove_doc"): SphinxNeedsData.remove_doc,
    (sphinx_needs.needs, "node_match"): sphinx_needs.needs.node_match,
    (sphinx_needs.api.need, "apply_default_predicate"): sphinx_needs.api.need.apply_default_predicate,
    (sphinx.builders, "pickle"): sphinx.builders.pickle,
}


def _current() -> dict:
    return {key: getattr(*key) for key in ORIGINALS}


def test_every_workaround_names_its_version_and_its_upstream_patch() -> None:
    for workaround in compat.registry():
        assert workaround.version
        assert workaround.summary
        assert workaround.patch or workaround.upstream, workaround.name
        if workaround.patch:
            assert (compat.PATCH_DIR / workaround.patch).is_file(), workaround.patch


@pytest.mark.parametrize("patch", sorted(p.name for p in compat.PATCH_DIR.glob("*.diff")))
def test_each_upstream_patch_applies_to_the_pinned_release(patch: str, tmp_path: Path) -> None:
    """The patches are ready to offer upstream: they apply to the version the site pins."""
    assert metadata.version("sphinx-needs") == needs_fixes.PATCHED_VERSION
    package = Path(sphinx_needs.__file__).parent
    result = subprocess.run(
        ["patch", "--dry-run", "-p1", "-d", str(package.parent), "-i", str(compat.PATCH_DIR / patch)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workarounds_are_installed_for_the_build_only(build_project) -> None:
    assert _current() == ORIGINALS

    app = build_project("site-minimal")
    assert set(compat.installed(app)) == {w.name for w in compat.registry()}
    # the build is over: sphinx-needs is as released again
    assert _current() == ORIGINALS


def test_the_switch_turns_every_workaround_off(build_project) -> None:
    app = build_project("site-minimal", confoverrides={"council_compat": False})
    assert compat.installed(app) == []


def test_a_workaround_for_another_version_is_not_installed(monkeypatch, build_project) -> None:
    real_version = metadata.version
    monkeypatch.setattr(compat.metadata, "version",
                        lambda name: "0.0.1" if name == "sphinx-needs" else real_version(name))
    app = build_project("site-minimal")
    assert not any(name.startswith("sphinx-needs") for name in compat.installed(app))


class _A(nodes.Element):
    pass


class _B(nodes.Element):
    pass


@pytest.mark.parametrize("types", [_A, [_A], [_A, _B], [_B]])
def test_node_match_answers_as_the_original(types) -> None:
    samples = [_A(), _B(), nodes.paragraph(), nodes.Text("x"), nodes.section()]
    original = ORIGINALS[(sphinx_needs.needs, "node_match")](types)
    fixed = needs_fixes.node_match(types)
    assert [fixed(n) for n in samples] == [original(n) for n in samples]


@pytest.mark.parametrize("predicate", ["type == 'safeguard'", "type == 'clause'", "'x' in tags and status",
                                       "type ==", "missing_field == 1", "1", "[t for t in tags if t == 'x']"])
def test_a_compiled_predicate_answers_as_the_original(predicate: str) -> None:
    """The same truth, or the same error with the same message, as sphinx-needs' own."""
    from types import SimpleNamespace

    import sphinx_needs.api.need
    from sphinx_needs.exceptions import NeedsInvalidFilter

    original = needs_fixes._original_apply_default_predicate
    assert sphinx_needs.api.need.apply_default_predicate is original  # not installed outside a build
    config = SimpleNamespace(filter_data={"extra": 1}, variant_data_proxy=None)
    for need in ({"type": "safeguard", "tags": ["x"], "status": "open"}, {"type": "clause", "tags": [], "status": ""}):
        answers = []
        for function in (original, needs_fixes.apply_default_predicate):
            try:
                answers.append(function(predicate, config, need, {}, {}))
            except NeedsInvalidFilter as error:
                answers.append(str(error))
        assert answers[0] == answers[1], answers


def test_sphinx_events_format_a_bounded_repr_during_the_build_only(build_project, monkeypatch) -> None:
    """Sphinx formats repr(args) of every event for a debug message; sphinx-needs passes
    every need of the site. During a build the text is bounded; afterwards Sphinx is as released."""
    import sphinx.events

    from council.compat import sphinx_events

    assert "repr" not in vars(sphinx.events)
    seen: list[int] = []
    bounded = sphinx_events.bounded_repr
    monkeypatch.setattr(sphinx_events, "bounded_repr", lambda value: seen.append(len(text := bounded(value))) or text)
    app = build_project("site-minimal")
    assert "sphinx-emit-repr" in compat.installed(app)
    # every event of the build went through it (sphinx-needs' events carry every need)
    assert len(seen) > 20 and max(seen) < 2000
    assert "repr" not in vars(sphinx.events)
    many = {f"N{i}": {"id": f"N{i}", "content": "x" * 1000} for i in range(10_000)}
    assert len(bounded((many,))) < 2000 < len(repr((many,)))



def _new_tab_walks(app) -> list[object]:
    from sphinx_design import extension

    return [listener for listener in app.events.listeners.get("doctree-resolved", [])
            if listener.handler is extension._resolve_new_tab_refs]


def _walks_while_writing(make_app, tmp_path: Path):
    """The site-minimal project built; how many new-tab searches were connected as each page was written."""
    from helpers import copy_project

    app = make_app("html", srcdir=copy_project("site-minimal", tmp_path), warningiserror=True)
    during: list[int] = []
    app.connect("doctree-resolved", lambda app, doctree, docname: during.append(len(_new_tab_walks(app))))
    app.build()
    return app, during


def test_no_page_is_searched_for_a_new_tab_mark_the_profile_refuses(make_app, tmp_path: Path) -> None:
    """sphinx-design searches every written page for the mark of its new-tab options, which
    the content profile refuses: the search is left out during the build, back afterwards."""
    from council.compat import sphinx_design

    app, during = _walks_while_writing(make_app, tmp_path)
    assert "sphinx-design-new-tab-walk" in compat.installed(app)
    assert not sphinx_design.profile_allows_new_tabs()
    assert during and set(during) == {0}
    assert len(_new_tab_walks(app)) == 1  # connected again when the build ended


def test_a_profile_allowing_new_tabs_keeps_the_search(make_app, tmp_path: Path, monkeypatch) -> None:
    import dataclasses

    from council.read import content_profile

    card = content_profile.DIRECTIVES["card"]
    monkeypatch.setitem(content_profile.DIRECTIVES, "card",
                        dataclasses.replace(card, options=card.options | {"link-new-tab"}))
    _, during = _walks_while_writing(make_app, tmp_path)
    assert during and set(during) == {1}


_SVG = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<g class="node"><title>A</title>{link}<text>案件</text></g></svg>\n')


@pytest.mark.parametrize("link", ["", '<a xlink:href="../clauses/b.html#CL_B_10"><text>第10項</text></a>',
                                  '<a xlink:href="https://example.org/x"><text>外部</text></a>'])
def test_an_svg_is_mended_as_the_original_mends_it(link: str, tmp_path: Path, monkeypatch) -> None:
    """The same file as sphinx.ext.graphviz's own function leaves; one without links is not parsed."""
    from types import SimpleNamespace

    import sphinx.ext.graphviz

    from council.compat import sphinx_graphviz

    assert sphinx.ext.graphviz.fix_svg_relative_paths is sphinx_graphviz._original_fix_svg_relative_paths
    translator = SimpleNamespace(
        builder=SimpleNamespace(env=SimpleNamespace(path2doc=lambda source: "cases/a"), outdir=tmp_path / "html",
                                imgpath="../_images"),
        document={"source": str(tmp_path / "cases" / "a.md")})
    results = []
    for function in (sphinx_graphviz._original_fix_svg_relative_paths, sphinx_graphviz.fix_svg_relative_paths):
        svg = tmp_path / f"{len(results)}.svg"
        svg.write_text(_SVG.format(link=link), encoding="utf-8")
        parsed: list[object] = []
        parse = sphinx.ext.graphviz.ET.parse
        monkeypatch.setattr(sphinx.ext.graphviz.ET, "parse", lambda *args: parsed.append(1) or parse(*args))
        function(translator, svg)
        monkeypatch.undo()
        results.append((svg.read_bytes(), bool(parsed)))
    assert results[0][0] == results[1][0]
    assert results[1][1] == bool(link)  # parsed only when there is a link to mend
    if "../clauses" in link:  # a relative link: both wrote the file again
        assert results[1][0] != _SVG.format(link=link).encode()


def _tree() -> nodes.document:
    """A small page: sections, a table of links, text; each node named by a number."""
    from docutils.utils import new_document

    document = new_document("test")
    count = iter(range(10_000))

    def named(node):
        node["names"] = [f"n{next(count)}"] if isinstance(node, nodes.Element) else []
        return node

    for s in range(2):
        section = named(nodes.section())
        document += section
        section += named(nodes.title("", f"見出し{s}"))
        table = named(nodes.table())
        section += table
        body = named(nodes.tbody())
        table += body
        for r in range(3):
            row = named(nodes.row())
            body += row
            for e in range(2):
                entry = named(nodes.entry())
                row += entry
                para = named(nodes.paragraph())
                entry += para
                para += named(nodes.reference("", "", nodes.Text(f"第{r}{e}項"), refuri="#x"))
                para += nodes.Text("、")
    return document


def _label(node) -> str:
    return node["names"][0] if isinstance(node, nodes.Element) and node["names"] else f"#{node.astext()}"


def _mutate_replace(node) -> None:
    if isinstance(node, nodes.reference):
        node.replace_self(nodes.inline("", "", nodes.Text("置換"), names=["new"]))


def _mutate_drop_next(node) -> None:
    if isinstance(node, nodes.row) and node.parent and node.parent.index(node) == 0:
        node.parent.remove(node.parent[1])


def _mutate_grow(node) -> None:
    if isinstance(node, nodes.entry) and len(node.children) < 2:
        node += nodes.paragraph("", "", nodes.Text("追加"), names=["grown"])


@pytest.mark.parametrize("condition", [None, nodes.reference, nodes.Element, nodes.Text,
                                       lambda node: isinstance(node, (nodes.row, nodes.Text)),
                                       "matcher", "abstract class", "any_of"])
@pytest.mark.parametrize("options", [{}, {"include_self": False}, {"descend": False}, {"siblings": True},
                                     {"ascend": True}])
@pytest.mark.parametrize("mutate", [None, _mutate_replace, _mutate_drop_next, _mutate_grow])
def test_a_walk_meets_the_nodes_the_original_walk_meets(condition, options, mutate) -> None:
    """The same nodes in the same order, also when the caller changes the tree as it walks."""
    from sphinx.util.nodes import NodeMatcher

    from council.compat import docutils_findall

    if condition == "matcher":
        condition = NodeMatcher(nodes.reference, refuri="#x")
    elif condition == "any_of":  # the site's condition for several classes
        condition = docutils_findall.any_of(nodes.row, nodes.Text)
    elif condition == "abstract class":  # a class of another metaclass, matching registered classes
        import abc

        condition = abc.ABCMeta("Linked", (), {})
        condition.register(nodes.reference)
    walks = []
    for findall in (docutils_findall._original_findall, docutils_findall.findall):
        document = _tree()
        start = document[0] if options.get("siblings") or options.get("ascend") else document
        seen = []
        for node in findall(start, condition, **options):
            seen.append(_label(node))
            if mutate is not None:
                mutate(node)
        walks.append((seen, document.pformat()))
    assert walks[0] == walks[1]
    assert walks[0][0] or options == {"descend": False}  # the document alone, which matches none of these


def _need_nodes_listeners(app) -> list:
    return [(listener.id, listener.handler, listener.priority)
            for listener in app.events.listeners.get("doctree-resolved", [])]


def test_the_need_nodes_walk_stands_in_for_the_build_only_in_its_place(make_app, tmp_path: Path,
                                                                        monkeypatch) -> None:
    """sphinx-needs' process_need_nodes is replaced for the build (from builder-inited, in
    the application's constructor) by the one-walk version, at the same position among
    the listeners, and is back when the build ends."""
    from helpers import copy_project

    called = []
    one_walk = needs_fixes.process_need_nodes
    spy = lambda app, doctree, docname: called.append(docname) or one_walk(app, doctree, docname)  # noqa: E731
    monkeypatch.setattr(needs_fixes, "process_need_nodes", spy)
    app = make_app("html", srcdir=copy_project("site-minimal", tmp_path), warningiserror=True)
    assert "sphinx-needs-need-nodes-walk" in compat.installed(app)
    during = _need_nodes_listeners(app)
    app.build()
    assert "cases/case" in called
    after = _need_nodes_listeners(app)
    original = sphinx_needs.directives.need.process_need_nodes
    assert [h for _, h, _ in after].count(original) == 1 and spy not in [h for _, h, _ in after]
    # in the original's place: the same id and priority, the same listeners around it
    # (sphinx-design's, set aside for the build, comes back at the end)
    assert [(i, original if h is spy else h, p) for i, h, p in during] == after[:len(during)]


def test_one_walk_finds_the_need_nodes_the_two_walks_find(build_project, monkeypatch) -> None:
    """The same need nodes handed to format_need_nodes, the same needextend nodes removed."""
    from docutils.utils import new_document
    from sphinx_needs.directives.needextend import Needextend
    from sphinx_needs.nodes import Need

    app = build_project("site-minimal")
    results = []
    for process in (needs_fixes._original_process_need_nodes, needs_fixes.process_need_nodes):
        handed = []
        monkeypatch.setattr(sphinx_needs.directives.need, "format_need_nodes",
                            lambda app, doctree, docname, found: handed.extend(n["ids"][0] for n in found))
        document = new_document("cases/x")
        section = nodes.section(ids=["s"])
        document += section
        outer = Need("", ids=["A"])
        outer += Need("", ids=["A_1"])
        outer += Needextend("")
        section += outer
        section += Needextend("")
        section += nodes.paragraph("", "", Need("", ids=["B"]))
        process(app, document, "cases/x")
        results.append((handed, document.pformat()))
    assert results[0] == results[1]
    assert results[0][0] == ["A", "A_1", "B"] and "needextend" not in results[0][1].lower()
