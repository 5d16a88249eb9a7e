"""The Atom feed of the release history (``feed.xml``).

One entry per new or changed case per release; an entry's id is a ``tag:``
URI made of the site's host, the release's commit and the case ID, so it
stays the same across rebuilds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from council.html.webmeta import FEED, JST
from council.views.changes import Changes
from council.views.releases import Release

FEED_LIMIT = 50


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
