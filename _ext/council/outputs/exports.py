"""Open-data exports: CSV and XLSX of every matrix, and the site version.

At ``build-finished`` of an HTML build, every :class:`~.traceability.Table`
is written to ``<outdir>/exports/<name>.csv`` (UTF-8 with BOM, so Excel
detects the encoding) and ``<name>.xlsx`` (Japanese headers, frozen header
row and first column, auto filter; :mod:`council.outputs.xlsx`). Counts are written as
numbers and shares as numbers with a % format, so spreadsheets can compute with
them. The columns are documented in ``docs/open-data.md``.

Sphinx-needs writes ``needs.json`` (``needs_build_json``) under the project's
``version``; when ``conf.py`` sets none, the version of ``pyproject.toml`` is
used, so the file names the site version it belongs to.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import tomllib
from collections.abc import Iterable
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

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


def export_tables(needs: tr.Needs) -> list[tr.Table]:
    """Every table published as CSV/XLSX (and described in datapackage.json and the
    open-data page's JSON-LD): the per-case trace tables carry 要再確認 for links
    whose target text changed since they were confirmed."""
    from council.rules.suspect import with_suspect_column

    return with_suspect_column(tr.all_tables(needs), needs)


def write_csv(table: tr.Table, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.headers)
        writer.writerows(table.text_rows())


def _timestamp() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    return dt.datetime(2000, 1, 1)


def write_xlsx(table: tr.Table, path: Path) -> None:
    widths = []
    rows = table.text_rows()
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
        when=_timestamp(),
    )


def fingerprint(table: tr.Table) -> str:
    """What an export file is made of: equal fingerprints, equal files."""
    data = [table.name, table.title, list(table.headers), table.text_rows(),
            [[type(c).__name__ for c in r] for r in table.rows], os.environ.get("SOURCE_DATE_EPOCH", "")]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def write_exports(tables: Iterable[tr.Table], outdir: Path, cache: Path | None = None) -> list[Path]:
    """Write every table as CSV and XLSX into ``outdir/exports``.

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
    written = []
    for table in tables:
        current[table.name] = fingerprint(table)
        paths = [target / f"{table.name}{suffix}" for suffix in (".csv", ".xlsx")]
        unchanged = previous.get(table.name) == current[table.name] and all(p.exists() for p in paths)
        if not unchanged:
            write_csv(table, paths[0])
            write_xlsx(table, paths[1])
        written.extend(paths)
    # An export of a removed case must not survive an incremental build.
    keep = {p.name for p in written}
    for stale in target.iterdir():
        if stale.name not in keep:
            if stale.is_dir():
                shutil.rmtree(stale)
            else:
                stale.unlink()
    if cache:
        cache.write_text(json.dumps(current, sort_keys=True), encoding="utf-8")
    return written


def _build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from council.model.need_index import need_index

    needs = need_index(app)
    cache = Path(app.doctreedir) / "council-exports.json"
    written = write_exports(export_tables(needs), Path(app.outdir), cache)
    # The comparison page's data (after write_exports, which removes files it did not write).
    data = json.dumps(tr.compare_data(needs), ensure_ascii=False, sort_keys=True, indent=1)
    (Path(app.outdir) / EXPORT_DIR / COMPARE_DATA).write_text(data + "\n", encoding="utf-8")
    written.append(Path(app.outdir) / EXPORT_DIR / COMPARE_DATA)
    logger.info(f"council: {len(written)} export files written to {EXPORT_DIR}/")


def setup_exports(app: Sphinx) -> None:
    # Before sphinx-needs reads the version for needs.json.
    app.connect("config-inited", _set_version, priority=100)
    app.connect("build-finished", _build_finished)
