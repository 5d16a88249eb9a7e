"""Release history: what each publication added or changed, and its Atom feed.

The build compares each release (:mod:`council.views.releases`) with the one
before it (:mod:`council.views.changes`); the build's own needs count as one
more release, dated by the last commit (the one being published), when they
differ from the latest snapshot. From those comparisons it renders

- the 更新履歴 page (directive ``council-history``): per release the new
  cases, the measures added, changed or removed, the links changed, the new
  special-terms editions and changed clauses;
- on each case page, a section 「この案件の更新履歴」;
- ``feed.xml`` (:mod:`council.views.feed`).

``council-release`` (:func:`main`) keeps the needs of a publication as a snapshot.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError, NoUri
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective
from sphinx_needs.data import SphinxNeedsData

from council.html.webmeta import FEED, JST
from council.model.content_model import load_model, model_for
from council.views.changes import LINK_LINES, CaseChange, Changes, compare, reader_names
from council.views.feed import atom_feed
from council.views.releases import (
    RELEASES_DIR, Release, Snapshot, head_commit, latest_release, model_names, read_release, release_files,
    release_order, snapshot, write_snapshot,
)
from council.resolve.order import priority
from council.resolve.placeholders import mark_page, marked_pages, page_marked


#: In the doctree directory: the kept releases' history (:func:`kept_history`).
KEPT_HISTORY = "council-kept-history.pickle"


def kept_history(directory: Path, roles: Any, cache: Path | None
                 ) -> tuple[Release | None, list[tuple[Release, Changes]]]:
    """The latest kept release (with its needs) and the kept releases' history, newest
    first (without their needs: only the latest's are compared with the build's).

    Reading every release and comparing each with the one before is work that grows
    with the records (at N = 1,000 a record takes 4 s to read), and every publication
    adds one. So *cache* keeps, under a digest of *roles* and of the code that reads
    and compares releases (with the modules it imports), each record's header (by
    file name and SHA-256), each comparison of two consecutive records (by both),
    and the latest record's needs. A build reads only the records it has not seen
    (after a publication, the new one) and compares only the pairs it has not
    compared; a record edited or removed changes the pairs it is part of, which are
    compared again."""
    from council.code_digest import code_digest
    from council.views import changes as changes_module, releases as releases_module

    code = code_digest([changes_module, releases_module])
    code.update(repr(roles).encode() + b"\0")
    state: dict[str, Any] = {}
    if cache is not None and cache.is_file():
        try:
            with cache.open("rb") as f:
                state = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            state = {}
    if not isinstance(state, dict) or state.get("code") != code.hexdigest():
        state = {}
    headers: dict[tuple[str, str], Release] = {}
    # The needs in hand: at most two records' (a record holds every need of its day; N = 1,000
    # with 14 records held at once, 1.4 GB). Records are read in file order, which is their
    # order as releases when their names begin with the date (as council-release names them):
    # each is compared with the one read before it; pairs in another order read theirs again.
    held: dict[tuple[str, str], Snapshot] = {}
    # the comparisons kept and those made below, by pair
    compared: dict[tuple[Any, Any], Changes] = dict(state.get("pairs", {}))
    kept_latest = state.get("latest")
    before = None
    for path in release_files(directory):
        text = path.read_bytes()
        record = (path.name, hashlib.sha256(text).hexdigest())
        known = state.get("headers", {}).get(record)
        if known is None:
            release = read_release(path, text)
            known, held[record] = dataclasses.replace(release, needs={}), release.needs
        elif kept_latest is not None and kept_latest[0] == record:
            held[record] = kept_latest[1]
        headers[record] = known
        if (before, record) not in compared and record in held and (before is None or before in held):
            compared[before, record] = compare(held[before] if before else {}, held[record], roles)
        if (before, record) in compared:
            held.pop(before, None)  # else kept: the pair is compared below
        before = record

    def needs_of(record: tuple[str, str]) -> Snapshot:
        if record not in held:
            held[record] = read_release(directory / record[0]).needs
        return held[record]

    order = sorted(headers, key=lambda record: release_order(headers[record]))
    pairs: dict[tuple[Any, Any], Changes] = {}
    kept: list[tuple[Release, Changes]] = []
    previous = None
    for record in order:
        changes = compared.get((previous, record))
        if changes is None:
            changes = compare(needs_of(previous) if previous else {}, needs_of(record), roles)
        held.pop(previous, None)
        pairs[previous, record] = changes
        if not changes.empty:
            kept.append((headers[record], changes))
        previous = record
    latest = dataclasses.replace(headers[order[-1]], needs=needs_of(order[-1])) if order else None
    unchanged = (state.get("headers", {}).keys() == headers.keys() and state.get("pairs", {}).keys() == pairs.keys()
                 and (state.get("latest") or (None,))[0] == (order[-1] if order else None))
    if cache is not None and not unchanged:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(cache.name + ".tmp")
        with tmp.open("wb") as f:
            pickle.dump({"code": code.hexdigest(), "headers": headers, "pairs": pairs,
                         "latest": (order[-1], latest.needs) if latest else None},
                        f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    return latest, kept[::-1]


#: :mod:`council.outputs.forked_exports`'s name of the child making the kept history.
_CHILD_TASK = "release history"


def _before_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """With ``-j N`` and many pages to read, the kept history is made (and its cache in the
    doctree directory written) by a forked child while they are read: reading every record
    and comparing each with the one before was, on a first build, the main process's longest
    step after reading (N = 1,000, 19 records: 20 s with a core idle); the main process then
    reads the cache (1 s). A child that fails leaves the work to the main process, which
    reports what it finds as it always did."""
    from council.html.parallel_build import MIN_PARALLEL
    from council.outputs import forked_exports

    if (app.parallel > 1 and len(docnames) >= MIN_PARALLEL and hasattr(os, "fork")
            and not forked_exports.running(app, _CHILD_TASK) and forked_exports.room_for_a_copy()):
        forked_exports.start(app, _make_kept_history, _CHILD_TASK)


def _make_kept_history(app: Sphinx) -> None:
    """In the child: the kept history made, its cache written (what the main process reads)."""
    _kept_history(app)


def _child_done(app: Sphinx) -> None:
    """The history child waited for (its failure is the main process's to find again)."""
    from council.outputs import forked_exports

    if forked_exports.running(app, _CHILD_TASK):
        try:
            forked_exports.collect(app, _CHILD_TASK)
        except ExtensionError:
            pass


def _kept_history(app: Sphinx) -> tuple[Release | None, list[tuple[Release, Changes]]]:
    """:func:`kept_history`, once per build: the case pages' history is looked for
    after reading and rendered when writing."""
    cached = getattr(app, "_council_kept_history", None)
    if cached is None:
        _child_done(app)
        cached = kept_history(Path(app.srcdir) / RELEASES_DIR, model_for(app).roles,
                              Path(app.doctreedir) / KEPT_HISTORY)
        app._council_kept_history = cached  # type: ignore[attr-defined]
    return cached


def _history_of(app: Sphinx, needs: Any) -> list[tuple[Release, Changes]]:
    """The kept releases and, when *needs* differ from the latest, *needs* as one more
    (dated by the commit being published), each with its changes, newest first."""
    model = model_for(app)
    latest, kept = _kept_history(app)
    current = snapshot(needs, *model_names(model))
    changes = compare(latest.needs if latest else {}, current, model.roles)
    if changes.empty:
        return list(kept)
    commit, date = head_commit(Path(app.srcdir), os.environ)
    release = Release(key=commit[:12] or (date.strftime("%Y%m%d") if date else "current"),
                      date=date, needs=current, current=True)
    return [(release, changes), *kept]


def site_releases(app: Sphinx) -> list[tuple[Release, Changes]]:
    """The site's history, computed once per build."""
    cached = getattr(app, "_council_history", None)
    if cached is not None:
        return cached
    result = _history_of(app, SphinxNeedsData(app.env).get_needs_view())
    app._council_history = result  # type: ignore[attr-defined]
    return result


def _uri(app: Sphinx, fromdoc: str, docname: str) -> str | None:
    if not docname or docname not in app.env.found_docs:
        return None
    try:
        return app.builder.get_relative_uri(fromdoc, docname)
    except NoUri:
        return None


def _case_ref(app: Sphinx, fromdoc: str, change: CaseChange) -> nodes.Node:
    # Links only in HTML; other builders get the case title as text.
    html = app.builder.format == "html"
    uri = _uri(app, fromdoc, change.docname) if html and not change.removed else None
    text = change.title or change.case
    if uri is None:
        return nodes.Text(text)
    return nodes.reference("", text, internal=True, refuri=uri)


def _details(summary: str, lines: list[str]) -> nodes.Node:
    """A list that starts closed in HTML (every builder shows it whole)."""
    from council.directives.trace import expandable, expandable_summary

    block = expandable()
    block += expandable_summary("", summary)
    block += _bullets(nodes.Text(s) for s in lines)
    return block


def _bullets(items: Iterable[nodes.Node]) -> nodes.bullet_list:
    bl = nodes.bullet_list()
    for item in items:
        bl += nodes.list_item("", item if isinstance(item, nodes.Element) and not isinstance(item, nodes.Inline) else nodes.paragraph("", "", item))
    return bl


def release_section(app: Sphinx, fromdoc: str, release: Release, changes: Changes, document: nodes.document) -> nodes.section:
    title = release.label + ("（この版）" if release.current else "")
    name = reader_names(SphinxNeedsData(app.env).get_needs_view(), model_for(app).roles)
    section = nodes.section(ids=[f"release-{release.key}"])
    section += nodes.title("", title)
    new = [c for c in changes.cases if c.new]
    changed = [c for c in changes.cases if not c.new]
    if new:
        section += nodes.paragraph("", f"新しい案件（{len(new)}件）")
        section += _bullets(_case_ref(app, fromdoc, c) for c in new)
    if changed:
        section += nodes.paragraph("", f"変更した案件（{len(changed)}件）")
        items = []
        for c in changed:
            para = nodes.paragraph("", "", _case_ref(app, fromdoc, c))
            item = nodes.container("", para, _bullets(nodes.Text(s) for s in c.summary(name)))
            if len(c.links) > LINK_LINES:
                item += _details("変更した対応付けの一覧", c.link_details(name))
            items.append(item)
        bl = nodes.bullet_list()
        for item in items:
            bl += nodes.list_item("", *item.children)
        section += bl
    if changes.new_editions:
        section += nodes.paragraph("", f"新しい特記事項の版（{len(changes.new_editions)}件）")
        section += _bullets(nodes.Text(f"{title}（{i}）") for i, title in changes.new_editions)
    if changes.changed_clauses:
        section += nodes.paragraph("", f"記載を変更した特記事項の条項（{len(changes.changed_clauses)}件）")
        section += _bullets(nodes.Text(f"{i} {title}") for i, title in changes.changed_clauses)
    return section


#: Page metadata: the page holds the 更新履歴 (written again on every build; only it is walked for it).
PAGE_MARK = "council_history"


class history_placeholder(nodes.General, nodes.Element):
    """Where the 更新履歴 goes; filled once every page's needs are known."""


class HistoryDirective(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        mark_page(self.env, PAGE_MARK)
        return [history_placeholder()]


class ReleaseHistory(SphinxPostTransform):
    """Fills the 更新履歴 placeholders with one section per release, in every builder."""

    default_priority = priority("release-history")

    def run(self, **kwargs: Any) -> None:
        # only a page with the directive holds the placeholder: the others are not walked
        if not page_marked(self.app, PAGE_MARK):
            return
        placeholders = list(self.document.findall(history_placeholder))
        if not placeholders:
            return
        docname = self.env.docname
        entries = site_releases(self.app)
        content: list[nodes.Node] = [release_section(self.app, docname, r, c, self.document) for r, c in entries]
        if not content:
            content = [nodes.paragraph("", "公開の記録はまだありません。")]
        for node in placeholders:
            node.replace_self(content)


class CaseHistory(SphinxPostTransform):
    """HTML: the section 「この案件の更新履歴」 at the end of a case page's first section."""

    default_priority = priority("case-history")
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        app, docname = self.app, self.env.docname
        mine = [(r, c) for r, changes in site_releases(app) for c in changes.cases
                if c.docname == docname and not c.removed]
        if not mine:
            return
        first = next(self.document.findall(nodes.section), None)  # not a walk of the whole page
        if first is None:
            return
        section = nodes.section(ids=["council-case-history"], classes=["council-case-history"])
        section += nodes.title("", "この案件の更新履歴")
        bl = nodes.bullet_list()
        name = reader_names(SphinxNeedsData(app.env).get_needs_view(), model_for(app).roles)
        for release, change in mine:
            item = nodes.list_item("", nodes.paragraph("", release.label + "（この版）" * release.current))
            item += _bullets(nodes.Text(s) for s in change.summary(name))
            if len(change.links) > LINK_LINES:
                item += _details("変更した対応付けの一覧", change.link_details(name))
            bl += item
        section += bl
        history_uri = _uri(app, docname, "docs/history")
        if history_uri:
            section += nodes.paragraph("", "", nodes.Text("サイト全体の更新は"),
                                       nodes.reference("", "更新履歴", internal=True, refuri=history_uri),
                                       nodes.Text("をご覧ください。"))
        first += section


#: Attribute of the build environment: case page -> a digest of what its
#: 「この案件の更新履歴」 shows (releases, their dates and the case's changes).
_HISTORIES = "council_case_histories"


def _section_digests(history: list[tuple[Release, Changes]]) -> dict[str, str]:
    """Each case page's history section in *history* as a digest (page -> digest)."""
    shown: dict[str, list[tuple[str, bool, str]]] = {}
    for release, changes in history:
        for change in changes.cases:
            if change.docname and not change.removed:
                shown.setdefault(change.docname, []).append((release.label, release.current, repr(change)))
    return {doc: hashlib.sha256(repr(items).encode()).hexdigest() for doc, items in shown.items()}


def _get_outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """The history page, always (it lists every release)."""
    return marked_pages(env, PAGE_MARK)


def _env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """HTML: the case pages whose history section changed, written again without being
    read: a kept release (``council-release``) dates the changes it records, and a new
    commit relabels the changes not yet kept; neither touches a page's source. Only
    those pages: a release commit after every publication used to rewrite every page."""
    from council.incremental import all_needs

    if app.builder.format != "html":
        return []
    history = _history_of(app, all_needs(env))
    # What the pages written next show (site_releases), not computed a second time from the
    # post-processed needs (N = 1,000: 5.5 s, most of it the snapshot of every need): sphinx-needs'
    # post-processing changes no field or link a snapshot records on this site, whose content
    # profile refuses the two ways it could (dynamic functions, needextend); the parallel-build
    # test compares both snapshots of the real site.
    app._council_history = history  # type: ignore[attr-defined]
    shown = _section_digests(history)
    before = getattr(env, _HISTORIES, None)
    setattr(env, _HISTORIES, shown)
    if before is None:
        return []
    return sorted(doc for doc in shown.keys() | before.keys()
                  if shown.get(doc) != before.get(doc) and doc in env.found_docs)


def _build_finished(app: Sphinx, exception: Exception | None) -> None:
    from council.outputs import forked_exports

    if exception is not None and forked_exports.running(app, _CHILD_TASK):
        forked_exports.stop(app, _CHILD_TASK)
    _child_done(app)
    if exception is not None or app.builder.format != "html":
        return
    entries = site_releases(app)
    base = app.config.html_baseurl or ""
    base = base if not base or base.endswith("/") else base + "/"
    docnames = {c.docname for _, changes in entries for c in changes.cases if c.docname}
    uri_of = {d: app.builder.get_target_uri(d) for d in docnames if d in app.env.found_docs}
    Path(app.outdir, FEED).write_text(
        atom_feed(entries, base_url=base, title=app.config.project, author=app.config.author, uri_of=uri_of,
                  name=reader_names(SphinxNeedsData(app.env).get_needs_view(), model_for(app).roles)),
        encoding="utf-8",
    )


def setup_history(app: Sphinx) -> None:
    app.add_node(history_placeholder)
    app.add_directive("council-history", HistoryDirective)
    app.connect("env-get-outdated", _get_outdated)
    app.connect("env-before-read-docs", _before_reading)
    app.connect("env-updated", _env_updated)
    app.add_post_transform(ReleaseHistory)
    app.add_post_transform(CaseHistory)
    app.connect("build-finished", _build_finished)


# ------------------------------------------------------ council-release


def main(argv: list[str] | None = None) -> int:
    """``council-release``: keep the needs of this publication under releases/."""
    parser = argparse.ArgumentParser(
        prog="council-release",
        description="公開した版のニーズを releases/ に記録します（更新履歴と feed.xml の比較元）。",
    )
    parser.add_argument("--source", type=Path, default=Path.cwd(), help="project directory (conf.py)")
    parser.add_argument("--needs", type=Path, default=None,
                        help="needs.json of the published build (default: _build/site/html/needs.json)")
    parser.add_argument("--commit", default="HEAD", help="the commit this publication was built from")
    args = parser.parse_args(argv)
    source = args.source.resolve()
    needs_path = args.needs or source / "_build" / "site" / "html" / "needs.json"
    if not needs_path.is_file():
        print(f"council-release: {needs_path} がありません。先に council-build でサイトを作成してください",
              file=sys.stderr)
        return 2
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%H %ct", args.commit], cwd=source,
                             capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        print(f"council-release: コミット {args.commit} を git で読めません", file=sys.stderr)
        return 2
    commit, date = out[0], dt.datetime.fromtimestamp(int(out[1]), JST)
    data = json.loads(needs_path.read_text(encoding="utf-8"))
    needs = data["versions"][data["current_version"]]["needs"]
    model = load_model(source / "ubproject.toml")
    snap = snapshot(needs, *model_names(model))
    kept = latest_release(source / RELEASES_DIR)
    if kept is not None and compare(kept.needs, snap, model.roles).empty:
        print("council-release: 前回の公開から変更がないため、記録しませんでした")
        return 0
    path = write_snapshot(source / RELEASES_DIR, snap, date, commit)
    print(f"council-release: {path.relative_to(source)} を書き出しました。公開と一緒にコミットしてください")
    return 0


if __name__ == "__main__":
    sys.exit(main())
