"""What a public site is expected to carry besides its pages.

- canonical links: Sphinx writes ``<link rel="canonical">`` from
  ``html_baseurl`` (conf.py), which is also the base of every absolute URL
  below;
- ``sitemap.xml``: every document's absolute URL, sorted, with the date of
  its source's last commit. Written here rather than with sphinx-sitemap
  (2.9.0): that extension lists only the pages written by the current build,
  so an incremental build publishes a partial sitemap, in the order worker
  processes happened to write them (two builds differ), and it starts a
  multiprocessing manager process for every build;
- Open Graph tags come from sphinxext-opengraph; a case page's description
  is its summary (business and department) instead of its first sentence;
- 更新日: the date of the last commit that touched the page's source, from
  one ``git log`` per build (no git or no history: no date, no failure); a
  page whose date changed since it was written is read again, though its
  source did not change (an incremental build, :mod:`council_publish.kept_build`);
- the Atom feed of :mod:`council.views.history`, linked from every page's head.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from sphinx.application import Sphinx
from sphinx.util import logging

from council.model.content_model import model_for

logger = logging.getLogger(__name__)

SITEMAP = "sitemap.xml"
FEED = "feed.xml"
#: Dates are the ward's: Japan Standard Time.
JST = dt.timezone(dt.timedelta(hours=9))

_COMMIT_DATES: weakref.WeakKeyDictionary[Sphinx, dict[str, int]] = weakref.WeakKeyDictionary()


def commit_dates(directory: Path) -> dict[str, int]:
    """Path (relative to *directory*) -> Unix time of the last commit touching it.

    One ``git log`` over the whole history, newest first; {} without git.
    """
    try:
        out = subprocess.run(
            ["git", "log", "--format=%x00%ct", "--name-only", "--no-renames", "--relative", "--", "."],
            cwd=directory, capture_output=True, text=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    dates: dict[str, int] = {}
    for block in out.split("\0")[1:]:
        lines = block.strip().splitlines()
        if not lines or not lines[0].isdigit():
            continue
        when = int(lines[0])
        for path in lines[1:]:
            if path.strip():
                dates.setdefault(path.strip(), when)
    return dates


def japanese_date(timestamp: int) -> str:
    day = dt.datetime.fromtimestamp(timestamp, JST)
    return f"{day.year}年{day.month}月{day.day}日"


def iso_date(timestamp: int) -> str:
    return dt.datetime.fromtimestamp(timestamp, JST).date().isoformat()


def page_updated(app: Sphinx, docname: str) -> int | None:
    """The last commit time of *docname*'s source, or None."""
    dates = _COMMIT_DATES.get(app)
    if not dates or docname not in app.env.found_docs:
        return None
    source = Path(app.env.doc2path(docname)).relative_to(app.srcdir).as_posix()
    return dates.get(source)


def case_description(case: Mapping[str, Any]) -> str:
    """A case's summary for link previews: its business and department, verbatim."""
    parts = []
    if case.get("business"):
        parts.append(f"事業: {case['business']}")
    if case.get("department"):
        parts.append(f"担当部課: {case['department']}")
    return " ／ ".join(parts)


def _cases_by_docname(app: Sphinx) -> dict[str, Mapping[str, Any]]:
    from sphinx_needs.data import SphinxNeedsData

    needs = SphinxNeedsData(app.env).get_needs_view()
    cached = getattr(app, "_council_cases_by_doc", None)
    if cached is None or cached[0] is not needs:
        case = model_for(app).roles.case
        index = {n["docname"]: n for n in needs.values() if n.get("type") == case and n.get("docname")}
        cached = (needs, index)
        app._council_cases_by_doc = cached  # type: ignore[attr-defined]
    return cached[1]


def sitemap_xml(base_url: str, pages: list[tuple[str, int | None]]) -> str:
    """The sitemaps.org document of *pages* (relative URI, last commit time)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for uri, when in sorted(pages):
        lastmod = f"<lastmod>{iso_date(when)}</lastmod>" if when else ""
        lines.append(f"  <url><loc>{escape(base_url + uri)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def base_url(app: Sphinx) -> str:
    url = app.config.html_baseurl or ""
    return url if not url or url.endswith("/") else url + "/"


# ------------------------------------------------------------------ events


def _builder_inited(app: Sphinx) -> None:
    if app.builder.format == "html":
        _COMMIT_DATES[app] = commit_dates(Path(app.srcdir))


#: Attribute of the build environment: docname -> the 更新日 its page was last written with.
_DATES = "council_page_dates"


def _get_outdated(app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """Pages whose 更新日 is no longer the one they were written with: a commit
    can change a page's date without changing its source (Sphinx would not notice)."""
    if app.builder.format != "html":
        return []
    shown = {doc: iso_date(when) if (when := page_updated(app, doc)) else "" for doc in env.found_docs}
    before = getattr(env, _DATES, None)
    setattr(env, _DATES, shown)
    if before is None:
        return []
    return sorted(doc for doc, date in shown.items() if doc in before and before[doc] != date)


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    when = page_updated(app, pagename)
    if when:
        context["council_updated"] = japanese_date(when)
        context["council_updated_iso"] = iso_date(when)
    feed = context["pathto"](FEED, 1)
    context["metatags"] = (context.get("metatags") or "") + (
        f'\n<link rel="alternate" type="application/atom+xml" title={quoteattr(app.config.project + " 更新情報")}'
        f" href={quoteattr(feed)}>"
    )
    case = _cases_by_docname(app).get(pagename)
    if case is not None:
        description = case_description(case)
        if description:
            # sphinxext-opengraph reads og:* overrides from the page's metadata.
            meta = context.get("meta")
            if meta is None:
                meta = context["meta"] = {}
            meta["og:description"] = description


def _build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html" or not base_url(app):
        return
    pages = [
        (app.builder.get_target_uri(doc), page_updated(app, doc))
        for doc in app.env.found_docs
    ]
    Path(app.outdir, SITEMAP).write_text(sitemap_xml(base_url(app), pages), encoding="utf-8")


def _quiet_import_opengraph() -> None:
    """sphinxext-opengraph prints a note on import when matplotlib (for social
    card images, which this site does not make) is missing; import it once with
    its output swallowed so every build's output stays clean."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        try:
            import sphinxext.opengraph  # noqa: F401
        except ImportError:
            pass


def setup_webmeta(app: Sphinx) -> None:
    _quiet_import_opengraph()
    app.connect("builder-inited", _builder_inited)
    app.connect("env-get-outdated", _get_outdated)
    # Before sphinxext-opengraph (500) reads the page's metadata.
    app.connect("html-page-context", _page_context, priority=400)
    app.connect("build-finished", _build_finished)
