"""Open-data exports: CSV and XLSX of every matrix, and the site version.

At ``build-finished`` of an HTML build, every :class:`~.traceability.Table`
is written to ``<outdir>/exports/<name>.csv`` (UTF-8 with BOM, so Excel
detects the encoding) and ``<name>.xlsx`` (Japanese headers, frozen header
row and first column, auto filter; :mod:`council.outputs.xlsx`). Counts are written as
numbers and shares as numbers with a % format, so spreadsheets can compute with
them. The columns are documented in ``docs/open-data.md``.

The tables are made, written and let go one at a time (:func:`exported`, once
per build): at 1,000 cases they weigh about as much as the needs, and a list
of them all was the build's peak of memory. What the data descriptions
(:mod:`council.outputs.opendata`) need of each table is kept as an
:class:`Exported` outline.

Each workbook is dated (its ``dcterms:modified`` and the date of every
member of its ZIP file) by the newest commit of the pages whose needs it
shows (:func:`dated_export_tables`): a case's tables by its page and the
checklist and clause pages, the tables across cases by every page. Dated by
the commit being published instead, every workbook changed at every commit,
so a one-case edit rewrote, re-scanned and re-published all of them (at
N = 1,000, some 3,000 files). Without git the date is ``SOURCE_DATE_EPOCH``'s.

Sphinx-needs writes ``needs.json`` (``needs_build_json``) under the project's
``version``; when ``conf.py`` sets none, the version of ``pyproject.toml`` is
used, so the file names the site version it belongs to.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import marshal
import os
import shutil
import sys
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx_needs.builder import build_needs_json

from council.views import traceability as tr
from council.outputs.xlsx import write_workbook

logger = logging.getLogger(__name__)

EXPORT_DIR = "exports"
#: Fill colour of each coverage state code.
STATUS_FILLS = {tr.COVERED: "C6EFCE", tr.NOT_APPLICABLE: "EDEDED", tr.GAP: "FFC7CE"}


def site_version(confdir: Path) -> str:
    """The ``[project] version`` of the pyproject.toml next to conf.py, or ""."""
    path = Path(confdir) / "pyproject.toml"
    if not path.is_file():
        return ""
    return str(tomllib.loads(path.read_text(encoding="utf-8")).get("project", {}).get("version", ""))


def _set_version(app: Sphinx, config: Config) -> None:
    if not config.version:
        version = site_version(Path(app.confdir))
        if version:
            config.version = version
            config.release = config.release or version


#: The comparison page's data, beside the tables (council-compare.js reads it).
COMPARE_DATA = "compare.json"


def export_tables(needs: tr.Needs) -> Iterator[tr.Table]:
    """Every table published as CSV/XLSX (and described in datapackage.json and the
    open-data page's JSON-LD), one at a time: the per-case trace tables carry 要再確認
    for links whose target text changed since they were confirmed."""
    return (table for table, _when in dated_export_tables(needs, lambda docname: None))


def _needs_digest(needs: Iterable[Mapping[str, Any]], *more: str) -> str:
    """A digest of needs as read (without backlinks, which other pages' needs make) and *more*."""
    digest = hashlib.sha256()
    for need in sorted(needs, key=lambda n: str(n.get("id"))):
        digest.update(_need_bytes(need))
    for part in more:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def _need_bytes(need: Mapping[str, Any]) -> bytes:
    """One need's fields (without backlinks) as bytes, marshalled: in about 60 % of the
    time of their sorted JSON text (every case's key is made at every build). Format
    version 2, which writes each value in full: later versions refer back to an object
    written before, so equal fields held in different objects gave different bytes.
    Equal bytes mean equal fields; equal fields give equal bytes within one Python
    version (part of the key: :func:`_code_and_settings`) unless a value is a set,
    whose order may differ (then the tables are only made again). A value marshal
    cannot write is written as JSON."""
    fields = sorted((k, v) for k, v in need.items() if not k.endswith("_back"))
    try:
        return b"m" + marshal.dumps(fields, 2)
    except ValueError:
        return b"j" + json.dumps(dict(fields), sort_keys=True, ensure_ascii=False, default=str).encode() + b"\n"


def dated_export_tables(needs: tr.Needs, updated: Callable[[str], int | None],
                        kept: Callable[[str, str], list[Exported] | None] | None = None,
                        made: dict[str, tuple[str, list[str]]] | None = None, version: str = ""
                        ) -> Iterator[tuple[tr.Table | Exported, dt.datetime]]:
    """:func:`export_tables`, each with the date of its data: the newest of
    ``updated(docname)`` (a Unix time, or None when unknown) over the pages
    whose needs it shows. A case's tables show its own page's needs and the
    checklist's and clauses' (and any other page that holds no case); the
    tables across cases show every page's. With no date known, the
    publication's (``SOURCE_DATE_EPOCH``).

    With *made*, each case's key (a digest of its page's needs, of every
    page's that holds no case, of its date and of *version*: the code and the
    settings) and its tables' names are recorded there; with *kept*, a case
    whose ``kept(case, key)`` returns the outlines of its files written under
    the same key is not made again (its outlines are yielded instead): after
    one edit at N = 1,000, making every case's tables again was most of the
    exports' time."""
    from council.rules.suspect import suspect_column, suspect_links

    needs = tr.index(needs)
    dates: dict[str, int | None] = {}

    def date(docname: str | None) -> int | None:
        if docname and docname not in dates:
            dates[docname] = updated(docname)
        return dates.get(docname) if docname else None

    def newest(*known: int | None) -> int | None:
        return max((d for d in known if d is not None), default=None)

    def when(stamp: int | None) -> dt.datetime:
        if stamp is None:
            return _timestamp()
        return dt.datetime.fromtimestamp(stamp, dt.UTC).replace(tzinfo=None)

    cases = tr.cases(needs)
    case_docs = {case.get("docname") for case in cases}
    all_docs = {need.get("docname") for need in needs.values()}
    shared = newest(*(date(doc) for doc in sorted(d for d in all_docs - case_docs if d)))
    suspects = suspect_links(needs)
    by_doc: dict[Any, list[Mapping[str, Any]]] = {}
    if made is not None:
        for need in needs.values():
            by_doc.setdefault(need.get("docname"), []).append(need)
        shared_key = _needs_digest([n for doc, doc_needs in by_doc.items() if doc not in case_docs
                                    for n in doc_needs], version)
    for case in cases:
        case_when = when(newest(date(case.get("docname")), shared))
        key = ""
        if made is not None:
            key = _needs_digest(by_doc.get(case.get("docname"), []), shared_key, case_when.isoformat())
            reused = kept(case["id"], key) if kept is not None else None
            if reused is not None:
                made[case["id"]] = (key, [o.name for o in reused])
                yield from ((o, case_when) for o in reused)
                continue
        names = []
        for table in tr.iter_case_tables(needs, case["id"]):
            names.append(table.name)
            yield suspect_column(table, suspects), case_when
        if made is not None:
            made[case["id"]] = (key, names)
    site_when = when(newest(shared, *(date(doc) for doc in sorted(d for d in case_docs if d))))
    for table in tr.iter_cross_tables(needs):
        yield suspect_column(table, suspects), site_when


def cell_type(value: Any) -> str | None:
    """Table Schema type of one cell; None for an empty cell (any type)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def column_type(values: Iterable[Any]) -> str:
    """The narrowest Table Schema type that every non-empty cell fits."""
    seen = {t for t in map(cell_type, values) if t is not None}
    if not seen:
        return "string"
    if len(seen) == 1:
        return seen.pop()
    if seen <= {"integer", "number"}:
        return "number"
    return "string"


@dataclass(frozen=True)
class Exported:
    """What the descriptions of the downloads need of an exported table, kept
    after the table itself is let go: its file name, title, headers and the
    Table Schema type of each column (read from the cell values)."""

    name: str
    title: str
    headers: tuple[str, ...]
    types: tuple[str, ...]


def outline(table: tr.Table | Exported) -> Exported:
    """The :class:`Exported` outline of *table* (itself when it is one)."""
    if isinstance(table, Exported):
        return table
    types = tuple(column_type(row[i] for row in table.rows) for i in range(len(table.headers)))
    return Exported(table.name, table.title, tuple(table.headers), types)


def write_csv(table: tr.Table, path: Path, rows: list[list[Any]] | None = None) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.headers)
        writer.writerows(table.text_rows() if rows is None else rows)


def _timestamp() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    return dt.datetime(2000, 1, 1)


def write_xlsx(table: tr.Table, path: Path, rows: list[list[Any]] | None = None,
               when: dt.datetime | None = None) -> None:
    widths = []
    rows = table.text_rows() if rows is None else rows
    for index, header in enumerate(table.headers):
        values = [header, *(row[index] for row in rows)]
        widths.append(min(60, max(8, max(len(str(v)) for v in values) * 2)))
    fills: dict[int, dict[str, str]] = {}
    percent: set[int] = set()
    for row in table.rows:
        for index, cell in enumerate(row):
            if isinstance(cell, tr.Status):
                fills.setdefault(index, {})[str(cell)] = STATUS_FILLS[cell.code]
            elif isinstance(cell, tr.Percent):
                percent.add(index)
    write_workbook(
        path,
        sheet=table.name,
        headers=table.headers,
        rows=rows,
        widths=widths,
        fills=fills,
        percent_columns=percent,
        title=table.title,
        creator="council-trace",
        when=_timestamp() if when is None else when,
    )


def fingerprint(table: tr.Table, rows: list[list[Any]] | None = None, when: dt.datetime | None = None) -> str:
    """What an export file is made of: equal fingerprints, equal files. Hashed row
    by row (the long table of a large site is hundreds of megabytes as one text)."""
    digest = hashlib.sha256()

    def add(value: Any) -> None:
        digest.update(json.dumps(value, ensure_ascii=False).encode())
        digest.update(b"\n")

    add([table.name, table.title, list(table.headers), (_timestamp() if when is None else when).isoformat()])
    for text, cells in zip(table.text_rows() if rows is None else rows, table.rows, strict=True):
        add([text, [type(c).__name__ for c in cells]])
    return digest.hexdigest()


def write_exports(tables: Iterable[tr.Table | tuple[tr.Table, dt.datetime]], outdir: Path,
                  cache: Path | None = None) -> list[Exported]:
    """Write every table as CSV and XLSX into ``outdir/exports``, one table at a
    time, and return their outlines. A table may come with its date
    (:func:`dated_export_tables`); otherwise the publication's.

    With *cache* (a JSON file of fingerprints from the previous build), a table
    whose content did not change keeps its files: an incremental build after
    editing one case rewrites that case's tables, not every workbook.
    """
    target = outdir / EXPORT_DIR
    target.mkdir(parents=True, exist_ok=True)
    try:
        previous = json.loads(cache.read_text(encoding="utf-8")) if cache else {}
    except (OSError, ValueError):
        previous = {}
    current: dict[str, str] = {}
    outlines = []
    for item in tables:
        table, when = item if isinstance(item, tuple) else (item, None)
        if isinstance(table, Exported):  # kept as written (dated_export_tables)
            current[table.name] = previous.get(table.name, "")
            outlines.append(table)
            continue
        rows = table.text_rows()  # the cells as written, computed once per table
        current[table.name] = fingerprint(table, rows, when)
        paths = export_paths(target, table.name)
        unchanged = previous.get(table.name) == current[table.name] and all(p.exists() for p in paths)
        if not unchanged:
            write_csv(table, paths[0], rows)
            write_xlsx(table, paths[1], rows, when)
        outlines.append(outline(table))
    # An export of a removed case must not survive an incremental build.
    keep = {p.name for o in outlines for p in export_paths(target, o.name)}
    for stale in target.iterdir():
        if stale.name not in keep:
            if stale.is_dir():
                shutil.rmtree(stale)
            else:
                stale.unlink()
    if cache:
        cache.write_text(json.dumps(current, sort_keys=True), encoding="utf-8")
    return outlines


def export_paths(target: Path, name: str) -> tuple[Path, Path]:
    """The CSV and the XLSX of table *name* in the export directory *target*."""
    return target / f"{name}.csv", target / f"{name}.xlsx"


#: Attribute of the Sphinx application: (the need index, the outlines) once this build's exports are written.
_EXPORTED = "_council_exported"


def exported(app: Sphinx) -> list[Exported]:
    """Write this build's exports on the first call (the open-data page's JSON-LD
    or ``build-finished``, whichever comes first) and return their outlines: the
    tables are made once per build and never all held at once."""
    from council.html.parallel_build import in_worker
    from council.model.need_index import need_index
    from council.outputs import forked_exports

    if in_worker():
        raise ExtensionError("council: a page written by a worker process asked for the exports "
                             "(council.html.parallel_build.write_in_main_process names the pages that may)")
    needs = need_index(app)
    if forked_exports.running(app):  # made while the pages were written
        setattr(app, _EXPORTED, (needs, forked_exports.collect(app)))
    cached = getattr(app, _EXPORTED, None)
    if cached is None or cached[0] is not needs:
        cached = (needs, _make(app))
        setattr(app, _EXPORTED, cached)
    return cached[1]


def _make(app: Sphinx) -> list[Exported]:
    """This build's exports written; their outlines (:func:`exported`)."""
    from council.html.webmeta import page_updated
    from council.model.need_index import need_index

    needs = need_index(app)
    cases_file = Path(app.doctreedir) / "council-export-cases.json"
    try:
        state = json.loads(cases_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    target = Path(app.outdir) / EXPORT_DIR

    def kept(case_id: str, key: str) -> list[Exported] | None:
        key_then, names = state.get("cases", {}).get(case_id, ("", []))
        outlines = state.get("outlines", {})
        if key_then != key or not all(n in outlines and all(p.is_file() for p in export_paths(target, n))
                                      for n in names):
            return None
        return [Exported(n, outlines[n][0], tuple(outlines[n][1]), tuple(outlines[n][2])) for n in names]

    made: dict[str, tuple[str, list[str]]] = {}
    dated = dated_export_tables(needs, lambda docname: page_updated(app, docname), kept, made,
                                version=_code_and_settings(app))
    outlines = write_exports(dated, Path(app.outdir), Path(app.doctreedir) / "council-exports.json")
    by_name = {o.name: o for o in outlines}
    case_tables = {name for _, names in made.values() for name in names}
    cases_file.write_text(json.dumps({
        "cases": made,
        "outlines": {n: [by_name[n].title, list(by_name[n].headers), list(by_name[n].types)]
                     for n in sorted(case_tables) if n in by_name},
    }, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    return outlines


def _code_and_settings(app: Sphinx) -> str:
    """A digest of what, besides the needs, makes a case's tables: this extension's
    code and the project's settings (conf.py, ubproject.toml)."""
    digest = hashlib.sha256(sys.version.encode())
    package = Path(__file__).resolve().parents[1]
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    for name in ("conf.py", "ubproject.toml"):
        path = Path(app.confdir) / name
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def _write_started(app: Sphinx, builder: Any) -> None:
    """The exports made by a forked process while the pages are written (:mod:`.forked_exports`),
    and sphinx-needs' ``needs.json`` beside them (:func:`_make_with_needs_json`): the needs are
    final once writing starts, and sphinx-needs' own handler wrote it at ``build-finished``,
    the build's last 5 s at N = 1,000 with nothing else running. Its handler is disconnected
    for this build; a child that fails fails the build."""
    from council.compat import set_aside
    from council.outputs import forked_exports

    if forked_exports.forks(app):
        forked_exports.start(app, _make_with_needs_json)
        set_aside(app, "build-finished", build_needs_json, _NEEDS_JSON_HANDLER)


#: Attribute of the application: sphinx-needs' needs.json handler, disconnected for its build.
_NEEDS_JSON_HANDLER = "_council_needs_json_handler"


#: The task name of the process that writes ``needs.json`` beside the exports' (:mod:`.forked_exports`).
_NEEDS_JSON_TASK = "needs json"


def _make_with_needs_json(app: Sphinx) -> list[Exported]:
    """In the exports' process: :func:`_make`, and sphinx-needs' ``needs.json`` as its own
    handler writes it, by a process forked from this one when the memory holds another
    copy (:func:`.forked_exports.room_for_a_copy`). After one edit at N = 1,000 the
    exports' process was the last of the HTML build for about 10 s, while the LaTeX
    build had ended and one CPU stood idle; ``needs.json`` (250 MB) was 5.7 s of it."""
    from council.outputs import forked_exports

    if not forked_exports.room_for_a_copy():
        outlines = _make(app)
        build_needs_json(app, None)
        return outlines
    forked_exports.start(app, lambda app: build_needs_json(app, None), task=_NEEDS_JSON_TASK)
    try:
        outlines = _make(app)
    except BaseException:
        forked_exports.stop(app, _NEEDS_JSON_TASK)
        raise
    forked_exports.collect(app, _NEEDS_JSON_TASK)
    return outlines


def _build_finished(app: Sphinx, exception: Exception | None) -> None:
    from council.compat import put_back
    from council.outputs import forked_exports

    if exception is not None and forked_exports.running(app):
        forked_exports.stop(app)
    put_back(app, _NEEDS_JSON_HANDLER)  # for a next build of this application
    if exception is not None or app.builder.format != "html":
        return
    from council.model.need_index import need_index

    count = 2 * len(exported(app))
    # The comparison page's data (after write_exports, which removes files it did not write).
    data = json.dumps(tr.compare_data(need_index(app)), ensure_ascii=False, sort_keys=True, indent=1)
    (Path(app.outdir) / EXPORT_DIR / COMPARE_DATA).write_text(data + "\n", encoding="utf-8")
    logger.info(f"council: {count + 1} export files written to {EXPORT_DIR}/")


def setup_exports(app: Sphinx) -> None:
    # Before sphinx-needs reads the version for needs.json.
    app.connect("config-inited", _set_version, priority=100)
    # After sphinx-needs' post-processing (500): the needs are final; before the
    # rules' report (council.rules.validation, 900), which the parent makes meanwhile.
    app.connect("write-started", _write_started, priority=600)
    # After the other build-finished work (the feed, the sitemap: 500; needs.json there
    # too when the exports are made here); before datapackage.json (600).
    app.connect("build-finished", _build_finished, priority=550)
