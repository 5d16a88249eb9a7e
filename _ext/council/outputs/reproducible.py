"""Two builds of one commit give byte-identical output.

Sphinx and sphinx-needs are deterministic once ``SOURCE_DATE_EPOCH`` is set
(council-build sets it from the last commit) and needs.json carries no build
time (``reproducible_json`` in ubproject.toml), except for two things fixed
here:

- sphinx-needs gives each need's container a random id (``SNCB-`` + part of
  a UUID4); :func:`_stable_container_ids` renumbers them per page in document
  order (its collapse script only needs them unique on the page);
- a ZIP-based file (XLSX, DOCX, ZIP) carries the time of writing in every
  member's header and in ``docProps/core.xml``; :func:`normalize_archive`
  rewrites them with the time of ``SOURCE_DATE_EPOCH``, as a council-build
  step. The site's own workbooks (``exports/``) are left as they are: their
  writer dates them by their data (:mod:`council.outputs.exports`), which
  keeps a workbook whose data did not change byte-identical from one
  publication to the next.
"""

from __future__ import annotations

import os
import re
import time
import zipfile
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from council.resolve.order import priority

CONTAINER_PREFIX = "SNCB-"
ARCHIVE_SUFFIXES = (".xlsx", ".docx", ".zip")
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _stable_container_ids(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    n = 0
    for node in doctree.findall(nodes.container):
        ids = node.get("ids", [])
        if any(i.startswith(CONTAINER_PREFIX) for i in ids):
            n += 1
            node["ids"] = [i if not i.startswith(CONTAINER_PREFIX) else f"{CONTAINER_PREFIX}{n:08d}"
                           for i in ids]


def epoch() -> int:
    return int(os.environ.get("SOURCE_DATE_EPOCH") or 0)


def zip_member(name: str, date_time: tuple[int, ...], compress_type: int) -> zipfile.ZipInfo:
    """A ZIP member header that depends only on its name, date and compression."""
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16
    info.create_system = 3
    return info


def normalize_archive(path: Path, when: int) -> None:
    """Rewrite a ZIP file with every member dated *when* (UTC), contents unchanged
    except the ``dcterms:modified`` time of Office documents."""
    # ZIP cannot store dates before 1980.
    stamp = time.gmtime(max(when, 315532800))[:6]
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when)).encode()
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as target:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", data)
            target.writestr(zip_member(info.filename, stamp, info.compress_type), data)
    os.replace(tmp, path)


def normalize_archives_step(ctx: Any) -> None:
    """council-build step: date every ZIP-based file by SOURCE_DATE_EPOCH, but the
    site's own workbooks, which their writer dates by their data."""
    from council.outputs.exports import EXPORT_DIR

    when = int(ctx.env.get("SOURCE_DATE_EPOCH") or 0)
    exports = ctx.html / EXPORT_DIR
    for path in sorted(ctx.html.rglob("*")):
        if path.suffix in ARCHIVE_SUFFIXES and path.is_file() and not path.is_relative_to(exports):
            normalize_archive(path, when)


def setup_reproducible(app: Sphinx) -> None:
    # at doctree-resolved, after sphinx-needs gives the ids (see council.resolve.order)
    app.connect("doctree-resolved", _stable_container_ids, priority=priority("stable-container-ids"))
