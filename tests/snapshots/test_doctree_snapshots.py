"""Doctree snapshots: what each directive and view of the site produces.

The project ``tests/roots/test-snapshots`` (fictitious cases, clauses and
checklist items) is built once with the ``html`` builder and once with
``latex``. The doctree of every page is kept as it is when all the site's
post-transforms and ``doctree-resolved`` handlers have run (what the writers
receive), and the part each directive or view produced is written out as
indented text and compared with ``tests/snapshots/<builder>/<name>.txt``.

The text names docutils node types, attributes and content only: no module
or Python object names, no absolute paths, no random ids, so moving code
between modules leaves it unchanged while any change of output shows as a
readable diff. After an intended change of output, regenerate the files with
``pytest tests/snapshots --update-snapshots`` (or ``make snapshots``) and
review the diff before committing it.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from docutils import nodes
from sphinx import addnodes
from sphinx.testing.util import SphinxTestApp

from helpers import REPO, copy_project

pytestmark = pytest.mark.snapshots

HERE = Path(__file__).parent
BUILDERS = ("html", "latex")
REGENERATE = "pytest tests/snapshots --update-snapshots  (or: make snapshots)"
#: Runs after every handler of the site (the latest runs at 900).
CAPTURE_PRIORITY = 10_000
#: The history is dated by this instant (2023-11-15) instead of the last commit.
SOURCE_DATE_EPOCH = "1700000000"

#: Values of the site's conf.py that the ward may still change (its public
#: address, its licence): pinned, so that deciding them changes no snapshot.
SITE_DECISIONS = {
    "html_baseurl": "https://example.jp/",
    "council_licence": "PDL1.0",
    "council_licence_confirmed": False,
}

Selector = Callable[[list[nodes.Node]], list[nodes.Node]]


# ------------------------------------------------------------- the build


@dataclass
class Build:
    """The resolved doctrees of one build, as the writer received them."""

    builder: str
    srcdir: Path
    outdir: Path
    #: (document name given to ``doctree-resolved``, its doctree), in order.
    trees: list[tuple[str, nodes.document]] = field(default_factory=list)

    def page(self, docname: str) -> list[nodes.Node] | None:
        """The nodes of *docname* as this builder prints them, else None.

        HTML resolves each page on its own. LaTeX resolves each output
        document: a case's own PDF starts at the case page; the volumes
        inline their pages, each under a ``start_of_file`` node.
        """
        for name, tree in self.trees:
            if name == docname and (self.builder == "html" or docname != "index"):
                return list(tree.children)
        if self.builder == "latex":
            for _, tree in self.trees:
                for node in tree.findall(addnodes.start_of_file):
                    if node["docname"] == docname:
                        return list(node.children)
        return None


def _build(builder: str, dest: Path) -> Build:
    """Build the project, keeping each doctree the writer is given.

    The doctrees are taken during the build rather than with
    ``env.get_and_resolve_doctree()`` afterwards: the site's workarounds of
    sphinx-needs are active only while it builds, and LaTeX resolves whole
    output documents, not pages.
    """
    src = copy_project("snapshots", dest)
    app = SphinxTestApp(builder, srcdir=src, builddir=dest / "_build", warningiserror=True,
                        confoverrides=SITE_DECISIONS)
    result = Build(builder, Path(app.srcdir), Path(app.outdir))

    def capture(_app, doctree: nodes.document, docname: str) -> None:
        result.trees.append((docname, doctree.deepcopy()))

    app.connect("doctree-resolved", capture, priority=CAPTURE_PRIORITY)
    try:
        app.build()
    finally:
        app.cleanup()
    return result


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Build]]:
    """Each builder's build of the snapshot project, made once for this module."""
    done: dict[str, Build] = {}
    with pytest.MonkeyPatch.context() as patch:
        # dated by SOURCE_DATE_EPOCH, never by a repository the temporary
        # directory may lie in
        patch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        patch.setenv("GIT_DIR", str(tmp_path_factory.getbasetemp() / "no-repository"))

        def get(builder: str) -> Build:
            if builder not in done:
                done[builder] = _build(builder, tmp_path_factory.mktemp(f"snapshots-{builder}"))
            return done[builder]

        yield get


# ------------------------------------------------------------- the text


def _value(value: object) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(_value(v) for v in value) + ")"
    if isinstance(value, list):
        return " ".join(_value(v).replace(" ", "\\ ") for v in value)
    if isinstance(value, (set, frozenset)):
        return " ".join(sorted(_value(v).replace(" ", "\\ ") for v in value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=lambda _: "<object>")
    # a Python object left in the tree: its name would change with the code
    return "<object>"


@dataclass
class Text:
    """Writes nodes as indented text, in the manner of ``Node.pformat()``."""

    build: Build
    #: Nodes written as one line naming the snapshot that holds them.
    elided: dict[int, str] = field(default_factory=dict)

    def normalise(self, text: str) -> str:
        for path, name in ((self.build.outdir, "<outdir>"), (self.build.srcdir, "<srcdir>")):
            text = text.replace(str(path), name)
        # random ids (sphinx-needs' containers, uuid4), should any be left
        text = re.sub(r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b", "<uuid>", text)
        return text

    def lines(self, node: nodes.Node, indent: int = 0) -> Iterator[str]:
        pad = "    " * indent
        if id(node) in self.elided:
            yield f"{pad}<… see snapshot {self.elided[id(node)]} …>"
            return
        if isinstance(node, nodes.Text):
            for line in self.normalise(node.astext()).splitlines() or [""]:
                yield pad + line
            return
        assert isinstance(node, nodes.Element)
        attrs = []
        for key in sorted(node.attributes):
            value = node.attributes[key]
            if value is None or value == []:
                continue
            text = self.normalise(_value(value)).replace('"', "&quot;")
            attrs.append(f'{key}="{text}"')
        yield pad + "<" + " ".join([node.tagname, *attrs]) + ">"
        for child in node.children:
            yield from self.lines(child, indent + 1)


# ------------------------------------------------------------- what is shown


def section(title: str) -> Selector:
    """The sections titled *title*."""

    def select(roots: list[nodes.Node]) -> list[nodes.Node]:
        return [node for root in roots for node in root.findall(nodes.section)
                if isinstance(node.next_node(), nodes.title) and node.next_node().astext() == title]

    return select


def classed(name: str) -> Selector:
    """The outermost elements with the class *name*."""

    def select(roots: list[nodes.Node]) -> list[nodes.Node]:
        found: list[nodes.Node] = []
        for root in roots:
            for node in root.findall(nodes.Element):
                if name in node.get("classes", []) and not any(_inside(node, f) for f in found):
                    found.append(node)
        return found

    return select


def need(need_id: str) -> Selector:
    """The rendering of one need: the element that carries its ID, other than a bare target."""

    def select(roots: list[nodes.Node]) -> list[nodes.Node]:
        return [node for root in roots for node in root.findall(nodes.Element)
                if need_id in node.get("ids", []) and not isinstance(node, nodes.target)][:1]

    return select


def whole(roots: list[nodes.Node]) -> list[nodes.Node]:
    return roots


def _inside(node: nodes.Node, ancestor: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parent
    return False


CASES = ("cases/2020-sample", "cases/2023-demo")
BROWSE = ("browse/fiscal-year", "browse/department", "browse/legal-basis", "browse/contractor",
          "browse/council")


@dataclass(frozen=True)
class Snapshot:
    """One snapshot file per builder: the parts of pages that show *name*."""

    name: str
    #: (page, selector): what is written, page by page, in this order.
    parts: tuple[tuple[str, Selector], ...]
    builders: tuple[str, ...] = BUILDERS
    #: The directive whose output this is, if one.
    directive: str | None = None
    #: Parts of these pages shown by another snapshot: (selector, its name).
    elide: tuple[tuple[Selector, str], ...] = ()

    def text(self, build: Build) -> str:
        out: list[str] = []
        for docname, select in self.parts:
            roots = build.page(docname)
            if roots is None:
                continue
            writer = Text(build)
            for chosen, other in self.elide:
                writer.elided.update((id(node), other) for node in chosen(roots))
            found = select(roots)
            out.append(f"=== {docname} ({len(found)}) ===")
            for node in found:
                out.extend(writer.lines(node))
        assert out, f"the {build.builder} build shows none of the pages of {self.name}"
        return "\n".join(out) + "\n"


def _pages(pages: tuple[str, ...], select: Selector = whole) -> tuple[tuple[str, Selector], ...]:
    return tuple((page, select) for page in pages)


TRACE = section("トレーサビリティ")
HISTORY = section("この案件の更新履歴")
RELYING = classed("council-relying")


def graphs(roots: list[nodes.Node]) -> list[nodes.Node]:
    """The trace graphs (graphviz nodes; the HTML build only draws them)."""
    return [node for root in roots for node in root.findall(lambda n: n.tagname == "graphviz")]


SNAPSHOTS = [
    # directives (read/content_profile.DIRECTIVES) and the views they show
    Snapshot("council-cases", (("index", section("新しい案件")), *_pages(BROWSE)), directive="council-cases"),
    Snapshot("council-figures", (("index", section("数値")),), builders=("html",), directive="council-figures"),
    Snapshot("case-trace", _pages(CASES, TRACE), directive="case-trace"),
    *(
        Snapshot(f"trace-matrix-{view}", ((page, whole),), directive="trace-matrix")
        for view, page in (
            ("clause-summary", "traceability/clause-case"),
            ("checkitem-summary", "traceability/checkitem-case"),
            ("data-summary", "traceability/data-case"),
            ("compare", "traceability/compare"),
            ("exports", "traceability/downloads"),
        )
    ),
    *(
        Snapshot(directive, ((page, whole),), directive=directive)
        for directive, page in (
            ("edition-diff", "clauses/diff"),
            ("council-history", "docs/history"),
            ("council-licence", "docs/open-data"),
            ("council-a11y-results", "docs/accessibility"),
            ("suspect-links", "docs/review"),
        )
    ),
    # the need types, as rendered on their pages
    *(
        Snapshot(f"need-{kind}", ((page, need(need_id)),), builders=("html",))
        for kind, (page, need_id) in {
            "case": ("cases/2020-sample", "CASE_2020_SAMPLE"),
            "entrustment": ("cases/2020-sample", "ENT_2020_SAMPLE_1"),
            "development": ("cases/2023-demo", "DEV_2023_DEMO_1"),
            "safeguard": ("cases/2020-sample", "SG_2020_SAMPLE_E1_WO_01"),
            "exemption": ("cases/2023-demo", "NA_2023_DEMO_D1_CO_01"),
            "checkitem": ("clauses/checklist", "CHK_WO_01"),
            "edition": ("clauses/edition-y", "ED_Y"),
            "clause": ("clauses/edition-y", "CL_Y_02"),
        }.items()
    ),
    # views that no directive names
    Snapshot("relying-cases", _pages(("clauses/edition-x", "clauses/edition-y", "clauses/checklist"),
                                     RELYING)),
    Snapshot("trace-graph", _pages(CASES, graphs), builders=("html",)),
    Snapshot("case-history", _pages(CASES, HISTORY), builders=("html",)),
    Snapshot("case-page", _pages(CASES), elide=((TRACE, "case-trace"), (HISTORY, "case-history"))),
    Snapshot("clause-page", _pages(("clauses/edition-x", "clauses/checklist")),
             elide=((RELYING, "relying-cases"),)),
]


def _file(builder: str, snapshot: Snapshot) -> Path:
    return HERE / builder / f"{snapshot.name}.txt"


CASES_UNDER_TEST = [
    pytest.param(builder, snapshot, id=f"{builder}-{snapshot.name}")
    for snapshot in SNAPSHOTS for builder in snapshot.builders
]


# ------------------------------------------------------------- the tests


@pytest.mark.parametrize(("builder", "snapshot"), CASES_UNDER_TEST)
def test_doctree_matches_snapshot(builds, update_snapshots: bool, builder: str, snapshot: Snapshot) -> None:
    actual = snapshot.text(builds(builder))
    path = _file(builder, snapshot)
    if update_snapshots:
        path.parent.mkdir(exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != actual:
            path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"no snapshot {path.relative_to(HERE.parents[1])}; create it with: {REGENERATE}"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"{path.relative_to(HERE.parents[1])} (snapshot)", tofile=f"{snapshot.name} ({builder} build)",
        ))
        pytest.fail(f"the {builder} doctree of {snapshot.name} differs from its snapshot:\n{diff}\n"
                    f"If the change is intended, regenerate the snapshots: {REGENERATE}", pytrace=False)


def test_every_part_is_found(builds) -> None:
    """Each part of a snapshot selects something: a missing page or title is not an empty snapshot."""
    empty = []
    for snapshot in SNAPSHOTS:
        for builder in snapshot.builders:
            build = builds(builder)
            for docname, select in snapshot.parts:
                roots = build.page(docname)
                if roots is not None and not select(roots):
                    empty.append(f"{builder} {snapshot.name}: {docname}")
    assert not empty, "parts that select nothing:\n" + "\n".join(empty)


def test_every_directive_and_need_type_has_a_snapshot() -> None:
    """A new directive or need type of the site gets a snapshot.

    The site's own directives are those the content profile describes as
    本サイトの拡張; the need types are those of ``ubproject.toml``.
    """
    from council.read.content_profile import DIRECTIVES

    own = {name for name, rule in DIRECTIVES.items() if "本サイトの拡張" in rule.what}
    shown = {s.directive for s in SNAPSHOTS}
    assert own and own <= shown, f"directives without a snapshot: {sorted(own - shown)}"
    model = tomllib.loads((REPO / "ubproject.toml").read_text(encoding="utf-8"))
    types = set(model["needs"]["types"])
    named = {s.name.removeprefix("need-") for s in SNAPSHOTS if s.name.startswith("need-")}
    assert types <= named, f"need types without a snapshot: {sorted(types - named)}"


def test_no_stray_snapshot_files(update_snapshots: bool) -> None:
    """Every file under tests/snapshots/<builder>/ belongs to a snapshot (removed with --update-snapshots)."""
    known = {_file(b, s) for s in SNAPSHOTS for b in s.builders}
    stray = sorted(p for b in BUILDERS for p in (HERE / b).glob("*.txt") if p not in known)
    if update_snapshots:
        for path in stray:
            path.unlink()
        return
    assert not stray, f"snapshot files nothing writes: {[p.name for p in stray]}; remove them with: {REGENERATE}"
