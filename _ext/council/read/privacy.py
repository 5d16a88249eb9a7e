"""Privacy lint: the published record must not carry a resident's personal data.

The Sphinx hook scans every source file as read (``source-read`` and
``include-read``), which covers page text, need contents and need fields with
their exact file and line, and reports ``council.read.privacy`` with the kind of
data and a masked value: the message never repeats what it found. What the
build publishes is scanned again by :mod:`council_publish.published_privacy`.

What counts as personal data is in :mod:`council.read.personal_data`; the
public facts that look like it are in the reviewed allow-list
(:mod:`council.read.privacy_allowlist`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging
from council.config import council_config
from council.read.personal_data import Finding, find_personal_data
from council.read.privacy_allowlist import ALLOWLIST_FILE, Allowed, load_allowlist

logger = logging.getLogger(__name__)


def message(finding: Finding) -> str:
    return (
        f"個人情報と思われる{finding.kind}（{finding.masked}）があります。"
        f"住民の個人情報は掲載できません。公開情報であれば {ALLOWLIST_FILE} に"
        "理由と確認者を添えて登録してください"
    )


def _allowlist(app: Sphinx) -> list[Allowed]:
    cached = getattr(app, "_council_privacy_allowlist", None)
    if cached is None:
        path = Path(app.confdir, council_config(app).privacy_allowlist)
        cached, problems = load_allowlist(path)
        for problem in problems:
            logger.warning(problem, type="council", subtype="privacy_allowlist",
                           location=str(path))
        app._council_privacy_allowlist = cached  # type: ignore[attr-defined]
    return cached


def _scan(app: Sphinx, docname: str, source: list[str], *, location: Any = None) -> None:
    for finding in find_personal_data(source[0], _allowlist(app)):
        logger.warning(
            message(finding),
            type="council",
            subtype="privacy",
            location=location(finding.lineno) if location else (docname, finding.lineno),
        )


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    _scan(app, docname, source)


def _include_read(app: Sphinx, relative_path: Path, parent_docname: str, content: list[str]) -> None:
    path = Path(app.srcdir, relative_path)
    _scan(app, parent_docname, content, location=lambda line: f"{path}:{line}")


def setup_privacy(app: Sphinx) -> None:
    app.connect("source-read", _source_read)
    app.connect("include-read", _include_read)
