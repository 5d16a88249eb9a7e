"""Machine-readable descriptions of the downloads: datapackage.json and JSON-LD.

- ``datapackage.json`` (Frictionless Data Package) at the site root describes
  every CSV of :mod:`council.outputs.exports`: file, Japanese title, licence, and a
  Table Schema whose field types are read from the cell values of the very
  tables the CSV files are written from (``int`` → integer, ``float`` →
  number, anything else → string), so the description follows the tables
  when their columns or cell types change. Column descriptions come from the
  column lists of ``docs/open-data.md`` (one place for readers and machines).
- The open-data page (``docs/open-data``) carries a schema.org
  ``DataCatalog`` in JSON-LD in its head: one ``Dataset`` per table with its
  CSV and XLSX as ``DataDownload``s, plus ``needs.json`` and
  ``datapackage.json``, each with its format and the site's licence.

Both are plain dictionaries built by pure functions from
:class:`~council.views.traceability.Table` values or their
:class:`~council.outputs.exports.Exported` outlines (what a build keeps of each
table once it is written); the Sphinx events only gather inputs and write. The Frictionless library is used by the tests to validate
the package, not at build time (the build needs no validator).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

from council.views import traceability as tr
from council.outputs.exports import (  # noqa: F401 (cell_type, column_type: this module's API too)
    COMPARE_DATA, EXPORT_DIR, Exported, cell_type, column_type, exported, outline,
)
from council.directives.licence import Licence, licence_of
from council.html.parallel_build import write_in_main_process

logger = logging.getLogger(__name__)

DATAPACKAGE = "datapackage.json"
NEEDS_JSON = "needs.json"
OPEN_DATA_PAGE = "docs/open-data"
CSV_MEDIATYPE = "text/csv"
XLSX_MEDIATYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ------------------------------------------------- column descriptions


@dataclass(frozen=True)
class ColumnDocs:
    """The column list of one export in docs/open-data.md."""

    file_pattern: re.Pattern[str]
    exact: dict[str, str]
    patterns: tuple[tuple[re.Pattern[str], str], ...]

    def describe(self, header: str) -> str:
        if header in self.exact:
            return self.exact[header]
        for pattern, text in self.patterns:
            if pattern.fullmatch(header):
                return text
        return ""


_SECTION = re.compile(r"^#{2,4} `exports/([^`]+)\.csv`")
_ROW = re.compile(r"^\|(.+?)\|(.+)\|\s*$")
_PLACEHOLDER = re.compile(r"<[^>]+>|（[^）]+）")


def _wildcard(text: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(text)
    return re.compile(".+".join(re.escape(p.strip()) if i else re.escape(p) for i, p in enumerate(parts)))


def _plain_markdown(text: str) -> str:
    return re.sub(r"`([^`]*)`|\*\*([^*]*)\*\*", lambda m: m.group(1) or m.group(2) or "", text).strip()


def parse_column_docs(markdown: str) -> list[ColumnDocs]:
    """The ``| 列 | 内容 |`` tables under each ``### `exports/<file>.csv``` heading."""
    result: list[ColumnDocs] = []
    current: tuple[re.Pattern[str], dict[str, str], list[tuple[re.Pattern[str], str]]] | None = None

    def close() -> None:
        if current is not None:
            # a column named only by a placeholder matches any header: try it last
            patterns = sorted(current[2], key=lambda entry: entry[0].pattern == ".+")
            result.append(ColumnDocs(current[0], current[1], tuple(patterns)))

    for line in markdown.splitlines():
        section = _SECTION.match(line)
        if section:
            close()
            stem = section.group(1).removeprefix(f"{EXPORT_DIR}/")
            pattern = re.compile("".join(
                "[^/]+?" if _PLACEHOLDER.fullmatch(p) else re.escape(p)
                for p in re.split(r"(<[^>]+>)", stem)
            ))
            current = (pattern, {}, [])
            continue
        if line.startswith("#"):
            close()
            current = None
            continue
        row = _ROW.match(line)
        if current is None or not row:
            continue
        name, text = row.group(1).strip(), _plain_markdown(row.group(2))
        if name in ("列", "---") or set(name) <= {"-", " "}:
            continue
        if name.startswith("（") and name.endswith("）"):
            current[2].append((re.compile(".+"), text))
        elif _PLACEHOLDER.search(name):
            current[2].append((_wildcard(name), text))
        else:
            for single in name.split("、"):
                current[1][single.strip()] = text
    close()
    return result


def docs_for(stem: str, docs: Sequence[ColumnDocs]) -> ColumnDocs | None:
    for entry in docs:
        if entry.file_pattern.fullmatch(stem):
            return entry
    return None


# ------------------------------------------------------- data package


def _licence_record(licence: Licence) -> dict[str, str]:
    return {"name": licence.spdx, "path": licence.url, "title": licence.title}


def table_resource(
    table: tr.Table | Exported, licence: Licence, docs: Sequence[ColumnDocs] = (),
) -> dict[str, Any]:
    """The Frictionless resource of one exported CSV."""
    table = outline(table)
    columns = docs_for(table.name, docs)
    fields = []
    for header, kind in zip(table.headers, table.types):
        field: dict[str, Any] = {"name": header, "type": kind}
        description = columns.describe(header) if columns else ""
        if description:
            field["description"] = description
        fields.append(field)
    return {
        "name": table.name,
        "path": f"{EXPORT_DIR}/{table.name}.csv",
        "profile": "tabular-data-resource",
        "title": table.title,
        "format": "csv",
        "mediatype": CSV_MEDIATYPE,
        # The exports carry a BOM so that Excel detects UTF-8.
        "encoding": "utf-8-sig",
        "licenses": [_licence_record(licence)],
        "schema": {"fields": fields},
    }


def datapackage(
    tables: Iterable[tr.Table | Exported], licence: Licence, *, title: str, version: str = "",
    homepage: str = "", docs: Sequence[ColumnDocs] = (),
) -> dict[str, Any]:
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "council-trace",
        "title": title,
        "description": "個人情報保護の審議案件の情報保護対策と、チェックリスト項目・特記事項の条項との対応をまとめた表です。",
        "licenses": [_licence_record(licence)],
    }
    if version:
        package["version"] = version
    if homepage:
        package["homepage"] = homepage
    package["resources"] = [table_resource(t, licence, docs) for t in tables]
    return package


# ------------------------------------------------------------ JSON-LD


def catalog_jsonld(
    tables: Iterable[tr.Table | Exported], licence: Licence, *, title: str, base_url: str, page_url: str,
    pdfs: Iterable[tuple[str, str]] = (),
) -> dict[str, Any]:
    """schema.org DataCatalog listing every download with its format and licence."""

    def download(path: str, fmt: str, name: str) -> dict[str, Any]:
        return {
            "@type": "DataDownload",
            "name": name,
            "contentUrl": base_url + path,
            "encodingFormat": fmt,
            "license": licence.url,
        }

    datasets = [
        {
            "@type": "Dataset",
            "name": table.title,
            "identifier": table.name,
            "license": licence.url,
            "isAccessibleForFree": True,
            "distribution": [
                download(f"{EXPORT_DIR}/{table.name}.csv", CSV_MEDIATYPE, f"{table.title}（CSV）"),
                download(f"{EXPORT_DIR}/{table.name}.xlsx", XLSX_MEDIATYPE, f"{table.title}（XLSX）"),
            ],
        }
        for table in tables
    ]
    datasets.append({
        "@type": "Dataset",
        "name": "案件の比較ページのデータ（案件ごとの条項・チェックリスト項目・個人情報の種類）",
        "identifier": "compare",
        "license": licence.url,
        "isAccessibleForFree": True,
        "distribution": [download(f"{EXPORT_DIR}/{COMPARE_DATA}", "application/json", COMPARE_DATA)],
    })
    datasets.append({
        "@type": "Dataset",
        "name": "すべてのニーズ（案件・業務委託・開発・情報保護対策・チェックリスト項目・特記事項の条項）",
        "identifier": "needs",
        "license": licence.url,
        "isAccessibleForFree": True,
        "distribution": [
            download(NEEDS_JSON, "application/json", "needs.json"),
            download(DATAPACKAGE, "application/json", "datapackage.json（CSV の説明）"),
        ],
    })
    pdfs = list(pdfs)
    if pdfs:
        datasets.append({
            "@type": "Dataset",
            "name": "PDF（サイト全体と案件ごとの審議資料）",
            "identifier": "pdf",
            "license": licence.url,
            "isAccessibleForFree": True,
            "distribution": [download(path, "application/pdf", name) for path, name in pdfs],
        })
    return {
        "@context": "https://schema.org",
        "@type": "DataCatalog",
        "name": title,
        "url": page_url,
        "inLanguage": "ja",
        "license": licence.url,
        "dataset": datasets,
    }


def jsonld_script(data: Mapping[str, Any]) -> str:
    """A ``<script type="application/ld+json">``; ``<`` escaped so no text ends it."""
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c")
    return f'<script type="application/ld+json">\n{text}\n</script>'


# -------------------------------------------------------------- events


def pdf_downloads(app: Sphinx) -> list[tuple[str, str]]:
    """(path, title) of every PDF council-build publishes: one per LaTeX document."""
    from council.latex.documents import PDF_DIR

    return [
        (f"{PDF_DIR}/{Path(entry[1]).stem}.pdf", f"{entry[2]}（PDF）")
        for entry in app.config.latex_documents or ()
    ]


def _column_docs(app: Sphinx) -> list[ColumnDocs]:
    path = Path(app.srcdir, "docs", "open-data.md")
    return parse_column_docs(path.read_text(encoding="utf-8")) if path.is_file() else []


def _base_url(app: Sphinx) -> str:
    url = app.config.html_baseurl or ""
    return url if not url or url.endswith("/") else url + "/"


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if pagename != OPEN_DATA_PAGE:
        return
    base = _base_url(app)
    data = catalog_jsonld(
        exported(app), licence_of(app), title=app.config.project,
        base_url=base, page_url=base + app.builder.get_target_uri(pagename), pdfs=pdf_downloads(app),
    )
    context["metatags"] = (context.get("metatags") or "") + "\n" + jsonld_script(data)


def _build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    package = datapackage(
        exported(app), licence_of(app), title=app.config.project,
        version=app.config.version or "", homepage=_base_url(app), docs=_column_docs(app),
    )
    undocumented = sorted(
        f"{r['name']}: {f['name']}" for r in package["resources"] for f in r["schema"]["fields"]
        if "description" not in f
    )
    if undocumented:
        logger.info(f"council: columns without a description in docs/open-data.md: {', '.join(undocumented)}")
    Path(app.outdir, DATAPACKAGE).write_text(
        json.dumps(package, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8"
    )


def setup_opendata(app: Sphinx) -> None:
    app.connect("html-page-context", _page_context)
    # Its JSON-LD describes the exports, which the main process collects.
    write_in_main_process(app, OPEN_DATA_PAGE)
    # After council.outputs.exports (500) wrote the CSV files.
    app.connect("build-finished", _build_finished, priority=600)
