"""Release history: what each publication added or changed, and its Atom feed.

A release is one publication of the site, dated by its commit. Its needs are
kept as a snapshot under ``releases/`` (``council-release`` writes one from
the ``needs.json`` of a build; the author commits it with the publication):
``releases/<YYYY-MM-DD>-<commit>.json``, one compact record per need (type,
title, the case it belongs to, a digest of its text and fields, its links).
Snapshots rather than history read from git: rebuilding every past commit to
recover its needs would cost a full build per release, and a snapshot also
records releases made from another branch or machine.

The build compares each release with the one before it; the build's own
needs count as one more release, dated by the last commit (the one being
published), when they differ from the latest snapshot. From those
comparisons it renders

- the 更新履歴 page (directive ``council-history``): per release the new
  cases, the measures added, changed or removed, the links changed, the new
  special-terms editions and changed clauses;
- on each case page, a section 「この案件の更新履歴」;
- ``feed.xml``: an Atom feed with one entry per new or changed case per
  release; an entry's id is a ``tag:`` URI made of the site's host, the
  release's commit and the case ID, so it stays the same across rebuilds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import NoUri
from sphinx.util import logging
from sphinx_needs.data import SphinxNeedsData
from sphinx.util.docutils import SphinxDirective

from council.html.webmeta import FEED, JST, japanese_date

logger = logging.getLogger(__name__)

RELEASES_DIR = "releases"
WORK_TYPES = ("entrustment", "development")
#: Fields that record the review of a link, not the measure itself.
BOOKKEEPING_FIELDS = frozenset({"trace", "confirmed_against"})
FEED_LIMIT = 50

Snapshot = dict[str, dict[str, Any]]


# ------------------------------------------------------------ snapshots


def model_names(project: Path) -> tuple[list[str], list[str]]:
    """The user fields and link types declared in the project's ubproject.toml."""
    path = project / "ubproject.toml"
    if not path.is_file():
        return [], ["part_of"]
    data = tomllib.loads(path.read_text(encoding="utf-8")).get("needs", {})
    return sorted(data.get("fields", {})), sorted(data.get("links", {}))


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def snapshot(needs: Mapping[str, Mapping[str, Any]], fields: Iterable[str], links: Iterable[str]) -> Snapshot:
    """The compact record of every need that history compares."""
    fields = [f for f in fields if f not in BOOKKEEPING_FIELDS]
    links = list(links)
    result: Snapshot = {}
    for need_id, need in needs.items():
        values = {f: need.get(f) for f in fields if need.get(f) not in (None, "", [])}
        digest = hashlib.sha256(
            json.dumps([need.get("title") or "", need.get("content") or "", values],
                       ensure_ascii=False, sort_keys=True, default=str).encode()
        ).hexdigest()[:16]
        record: dict[str, Any] = {
            "type": need.get("type"),
            "title": need.get("title") or "",
            "docname": need.get("docname") or "",
            "digest": digest,
        }
        for name in links:
            targets = sorted(_as_list(need.get(name)))
            if targets:
                record.setdefault("links", {})[name] = targets
        result[need_id] = record
    # the case each need belongs to, through part_of (safeguard → work → case)
    for need_id, record in result.items():
        record["case"] = _case_of(result, need_id)
    return result


def _case_of(snap: Snapshot, need_id: str, depth: int = 0) -> str:
    record = snap.get(need_id)
    if record is None or depth > 4:
        return ""
    if record["type"] == "case":
        return need_id
    for parent in record.get("links", {}).get("part_of", []):
        found = _case_of(snap, parent, depth + 1)
        if found:
            return found
    return ""


@dataclass(frozen=True)
class Release:
    key: str  # the commit (12 hex) or, without one, the date
    date: dt.datetime | None
    needs: Snapshot
    current: bool = False  # the build's own needs, not yet kept as a snapshot

    @property
    def label(self) -> str:
        return f"{japanese_date(int(self.date.timestamp()))}の公開" if self.date else "未公開の変更（日付なし）"


def release_name(date: dt.datetime, commit: str) -> str:
    return f"{date.astimezone(JST).strftime('%Y-%m-%d')}-{commit[:12]}.json"


def write_snapshot(directory: Path, snap: Snapshot, date: dt.datetime, commit: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / release_name(date, commit)
    lines = [json.dumps(need_id, ensure_ascii=False) + ": " + json.dumps(snap[need_id], ensure_ascii=False, sort_keys=True)
             for need_id in sorted(snap)]
    head = json.dumps({"commit": commit, "date": date.astimezone(JST).isoformat()}, ensure_ascii=False)
    path.write_text('{"release": ' + head + ',\n"needs": {\n' + ",\n".join(lines) + "\n}}\n", encoding="utf-8")
    return path


def read_releases(directory: Path) -> list[Release]:
    """Every committed snapshot, oldest first."""
    releases = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        data = json.loads(path.read_text(encoding="utf-8"))
        head = data.get("release", {})
        releases.append(Release(
            key=str(head.get("commit", ""))[:12] or path.stem,
            date=dt.datetime.fromisoformat(head["date"]) if head.get("date") else None,
            needs=data.get("needs", {}),
        ))
    return sorted(releases, key=lambda r: (r.date or dt.datetime.max.replace(tzinfo=dt.UTC), r.key))


# ---------------------------------------------------------- comparison


@dataclass
class CaseChange:
    case: str
    title: str
    docname: str
    new: bool = False
    removed: bool = False
    details_changed: bool = False  # the case's own fields, or a work's
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    #: (measure, link type, targets added, targets removed)
    links: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)

    def summary(self, name: Callable[[str], str] = str) -> list[str]:
        """Japanese sentences describing the change, for pages and the feed; *name*
        gives a need's name as readers know it (「対策 3（受託者・運用）」), not its ID.
        Many changed links are counted in one sentence (:meth:`link_details` lists them)."""
        if self.new:
            return ["新しい案件として掲載しました。"]
        if self.removed:
            return ["掲載を取りやめました。"]
        lines = []
        if self.details_changed:
            lines.append("案件または業務委託・開発の記載を変更しました。")
        for verb, ids in (("追加", self.added), ("記載を変更", self.changed), ("削除", self.dropped)):
            if ids:
                lines.append(f"情報保護対策を {len(ids)} 件{verb}しました（{'、'.join(map(name, ids))}）。"
                             if verb != "記載を変更" else
                             f"情報保護対策の記載を {len(ids)} 件変更しました（{'、'.join(map(name, ids))}）。")
        if len(self.links) > LINK_LINES:
            kinds = "・".join(dict.fromkeys(LINK_LABELS.get(link, link) for _, link, _, _ in self.links))
            measures = len({measure for measure, _, _, _ in self.links})
            lines.append(f"情報保護対策 {measures} 件の{kinds}との対応付けを変更しました。")
        else:
            lines.extend(self.link_details(name))
        return lines

    def link_details(self, name: Callable[[str], str] = str) -> list[str]:
        """One sentence per measure and link type whose targets changed."""
        lines = []
        for measure, link, plus, minus in self.links:
            what = LINK_LABELS.get(link, link)
            parts = [f"{'、'.join(map(name, plus))} を追加" if plus else "",
                     f"{'、'.join(map(name, minus))} を削除" if minus else ""]
            lines.append(f"{name(measure)} の{what}: {'、'.join(p for p in parts if p)}。")
        return lines


#: Up to this many changed links are listed in the summary itself.
LINK_LINES = 3


def reader_names(needs: Mapping[str, Mapping[str, Any]]) -> Callable[[str], str]:
    """A need's name as a reader knows it; the ID only for a need that is gone."""
    from council.html.link_names import checkitem_code, clause_name

    def name(need_id: str) -> str:
        need = needs.get(need_id)
        if need is None:
            return need_id
        kind = need.get("type")
        if kind in ("safeguard", "exemption"):
            number = f" {need['number']}" if need.get("number") else ""
            return f"対策{number}（{need.get('actor', '')}・{need.get('aspect', '')}）"
        if kind == "clause":
            editions = _as_list(need.get("part_of"))
            edition = needs.get(editions[0], {}) if editions else {}
            label = edition.get("title") or edition.get("label") or ""
            return f"{clause_name(need)}（{label}）" if label else clause_name(need)
        if kind == "checkitem":
            return f"チェックリスト {checkitem_code(need_id)}"
        return str(need.get("title") or need_id)

    return name


LINK_LABELS = {"satisfies": "チェックリスト項目", "binds": "特記事項の条項", "waives": "対策不要とした項目",
               "terms": "特記事項の版"}


@dataclass
class Changes:
    cases: list[CaseChange]
    new_editions: list[tuple[str, str]]  # (id, title)
    changed_clauses: list[tuple[str, str]]

    @property
    def empty(self) -> bool:
        return not (self.cases or self.new_editions or self.changed_clauses)


def compare(old: Snapshot, new: Snapshot) -> Changes:
    """What *new* adds or changes with respect to *old* ({} for the first release)."""
    by_case: dict[str, CaseChange] = {}

    def change(case_id: str, snap: Snapshot) -> CaseChange:
        if case_id not in by_case:
            record = snap.get(case_id, {})
            by_case[case_id] = CaseChange(case_id, record.get("title", ""), record.get("docname", ""))
        return by_case[case_id]

    for need_id, record in new.items():
        if record["type"] == "case" and need_id not in old:
            change(need_id, new).new = True
    for need_id, record in old.items():
        if record["type"] == "case" and need_id not in new:
            change(need_id, old).removed = True
    for need_id in sorted(set(old) | set(new)):
        before, after = old.get(need_id), new.get(need_id)
        record = after or before
        case_id = record.get("case", "")
        if not case_id or case_id in by_case and (by_case[case_id].new or by_case[case_id].removed):
            continue
        snap = new if after else old
        kind = record["type"]
        if kind in ("case", *WORK_TYPES):
            if before and after and before["digest"] != after["digest"]:
                change(case_id, snap).details_changed = True
        elif kind in ("safeguard", "exemption"):
            if before is None:
                change(case_id, snap).added.append(need_id)
            elif after is None:
                change(case_id, snap).dropped.append(need_id)
            else:
                if before["digest"] != after["digest"]:
                    change(case_id, snap).changed.append(need_id)
                old_links, new_links = before.get("links", {}), after.get("links", {})
                for link in sorted(set(old_links) | set(new_links) - {"part_of"}):
                    if link == "part_of":
                        continue
                    plus = sorted(set(new_links.get(link, [])) - set(old_links.get(link, [])))
                    minus = sorted(set(old_links.get(link, [])) - set(new_links.get(link, [])))
                    if plus or minus:
                        change(case_id, snap).links.append((need_id, link, plus, minus))
    editions = [(i, r["title"]) for i, r in sorted(new.items()) if r["type"] == "edition" and i not in old]
    clauses = [(i, r["title"]) for i, r in sorted(new.items())
               if r["type"] == "clause" and i in old and old[i]["digest"] != r["digest"]]
    return Changes(sorted(by_case.values(), key=lambda c: (not c.new, c.case)), editions, clauses)


def history(releases: list[Release]) -> list[tuple[Release, Changes]]:
    """Each release with its changes since the previous one, newest first."""
    result = []
    previous: Snapshot = {}
    for release in releases:
        changes = compare(previous, release.needs)
        if not changes.empty:
            result.append((release, changes))
        previous = release.needs
    return result[::-1]


# ----------------------------------------------------------- the build


def head_commit(directory: Path, env: Mapping[str, str]) -> tuple[str, dt.datetime | None]:
    """The last commit (hash, date); SOURCE_DATE_EPOCH dates a build without git."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%H %ct"], cwd=directory,
                             capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        out = []
    if len(out) == 2:
        return out[0], dt.datetime.fromtimestamp(int(out[1]), JST)
    epoch = env.get("SOURCE_DATE_EPOCH", "")
    return "", dt.datetime.fromtimestamp(int(epoch), JST) if epoch.isdigit() and int(epoch) else None


def site_releases(app: Sphinx) -> list[tuple[Release, Changes]]:
    """The site's history, computed once per build."""
    cached = getattr(app, "_council_history", None)
    if cached is not None:
        return cached
    from sphinx_needs.data import SphinxNeedsData

    project = Path(app.srcdir)
    fields, links = model_names(project)
    releases = read_releases(project / RELEASES_DIR)
    current = snapshot(SphinxNeedsData(app.env).get_needs_view(), fields, links)
    if not releases or compare(releases[-1].needs, current).empty is False:
        commit, date = head_commit(project, os.environ)
        releases.append(Release(key=commit[:12] or (date.strftime("%Y%m%d") if date else "current"),
                                date=date, needs=current, current=True))
    result = history(releases)
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
    name = reader_names(SphinxNeedsData(app.env).get_needs_view())
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


class history_placeholder(nodes.General, nodes.Element):
    """Where the 更新履歴 goes; filled once every page's needs are known."""


class HistoryDirective(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        self.env.metadata[self.env.docname]["council_history"] = True
        return [history_placeholder()]


def _doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(history_placeholder))
    if placeholders:
        entries = site_releases(app)
        content: list[nodes.Node] = [release_section(app, docname, r, c, doctree) for r, c in entries]
        if not content:
            content = [nodes.paragraph("", "公開の記録はまだありません。")]
        for node in placeholders:
            node.replace_self(content)
    if app.builder.format != "html":
        return
    entries = site_releases(app)
    mine = [(r, c) for r, changes in entries for c in changes.cases if c.docname == docname and not c.removed]
    if not mine:
        return
    sections = list(doctree.findall(nodes.section))
    if not sections:
        return
    section = nodes.section(ids=["council-case-history"], classes=["council-case-history"])
    section += nodes.title("", "この案件の更新履歴")
    bl = nodes.bullet_list()
    name = reader_names(SphinxNeedsData(app.env).get_needs_view())
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
    sections[0] += section


def _get_outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """The history page always; every page when the kept releases changed."""
    pages = [doc for doc, meta in env.metadata.items() if meta.get("council_history")]
    directory = Path(app.srcdir, RELEASES_DIR)
    stamp = sorted(p.name for p in directory.glob("*.json")) if directory.is_dir() else []
    if getattr(env, "council_release_files", None) != stamp:
        env.council_release_files = stamp  # type: ignore[attr-defined]
        pages = sorted(env.found_docs)
    return pages


# -------------------------------------------------------------- feed


def _iso(date: dt.datetime) -> str:
    return date.astimezone(JST).isoformat()


def atom_feed(entries: list[tuple[Release, Changes]], *, base_url: str, title: str, author: str,
              uri_of: Mapping[str, str], name: Callable[[str], str] = str) -> str:
    """The Atom document: one entry per new or changed case per dated release."""
    host = urlsplit(base_url).hostname or "localhost"
    dated = [(r, c) for r, c in entries if r.date is not None]
    items = []
    for release, changes in dated:
        year = release.date.astimezone(JST).year
        for change in changes.cases:
            if change.removed:
                continue
            link = base_url + uri_of.get(change.docname, "")
            kind = "新しい案件" if change.new else "更新"
            items.append(
                "  <entry>\n"
                f"    <id>tag:{host},{year}:council/{release.key}/{change.case}</id>\n"
                f"    <title>{escape(kind)}: {escape(change.title or change.case)}</title>\n"
                f"    <updated>{_iso(release.date)}</updated>\n"
                f'    <link rel="alternate" type="text/html" href="{escape(link)}"/>\n'
                f"    <summary>{escape(' '.join(change.summary(name)))}</summary>\n"
                "  </entry>\n"
            )
    updated = _iso(dated[0][0].date) if dated else "1970-01-01T09:00:00+09:00"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">\n'
        f"  <id>tag:{host},2018:council/feed</id>\n"
        f"  <title>{escape(title)} 更新情報</title>\n"
        f"  <updated>{updated}</updated>\n"
        f"  <author><name>{escape(author)}</name></author>\n"
        f'  <link rel="self" type="application/atom+xml" href="{escape(base_url + FEED)}"/>\n'
        f'  <link rel="alternate" type="text/html" href="{escape(base_url)}"/>\n'
        + "".join(items[:FEED_LIMIT])
        + "</feed>\n"
    )


def _build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    entries = site_releases(app)
    base = app.config.html_baseurl or ""
    base = base if not base or base.endswith("/") else base + "/"
    docnames = {c.docname for _, changes in entries for c in changes.cases if c.docname}
    uri_of = {d: app.builder.get_target_uri(d) for d in docnames if d in app.env.found_docs}
    Path(app.outdir, FEED).write_text(
        atom_feed(entries, base_url=base, title=app.config.project, author=app.config.author, uri_of=uri_of,
                  name=reader_names(SphinxNeedsData(app.env).get_needs_view())),
        encoding="utf-8",
    )


def setup_history(app: Sphinx) -> None:
    app.add_node(history_placeholder)
    app.add_directive("council-history", HistoryDirective)
    app.connect("env-get-outdated", _get_outdated)
    # After sphinx-needs resolved its nodes, before the site's need rendering (450).
    app.connect("doctree-resolved", _doctree_resolved, priority=600)
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
    fields, links = model_names(source)
    snap = snapshot(needs, fields, links)
    kept = read_releases(source / RELEASES_DIR)
    if kept and compare(kept[-1].needs, snap).empty:
        print("council-release: 前回の公開から変更がないため、記録しませんでした")
        return 0
    path = write_snapshot(source / RELEASES_DIR, snap, date, commit)
    print(f"council-release: {path.relative_to(source)} を書き出しました。公開と一緒にコミットしてください")
    return 0


if __name__ == "__main__":
    sys.exit(main())
