"""Link integrity of the built site: no broken internal link or anchor.

Every ``href`` and ``src`` of every ``.html`` file below the site root that
points inside the site is resolved relative to its page; the target file must
exist and, when the link has a ``#fragment``, the target page must carry an
element with that ``id`` (or a legacy ``<a name>``). External links
(``https:``, ``mailto:``…) are not followed: this checks what we publish.

Usage: ``python -m council_publish.linkcheck SITE_DIR`` (exit status 1 on any
broken link, each printed as ``page.html:line: message``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from council_publish.pipeline import BuildFailed

_LINK_ATTRS = {"href", "src"}


@dataclass(frozen=True, order=True)
class BrokenLink:
    page: str
    lineno: int
    target: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}:{self.lineno}: {self.reason}: {self.target}"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in _LINK_ATTRS and not (tag == "link" and name == "href" and _is_hint(attrs)):
                self.links.append((self.getpos()[0], value))

    handle_startendtag = handle_starttag


def _is_hint(attrs: list[tuple[str, str | None]]) -> bool:
    rel = dict(attrs).get("rel") or ""
    return rel in {"preconnect", "dns-prefetch", "canonical"}


@dataclass(frozen=True)
class _Parsed:
    """What the check needs of a page: its anchors and its links (line, URL)."""

    ids: frozenset[str]
    links: tuple[tuple[int, str], ...]


def _parse(path: Path) -> _Parsed:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    page.close()
    return _Parsed(frozenset(page.ids), tuple(page.links))


def _is_internal(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not url.startswith("//")


#: The reason of a link into the folder that is still being made (:func:`check_site`'s *later*).
LATER = "後で確かめるリンク"


def check_site(root: Path, cache_directory: Path | None = None, later: str = "") -> list[BrokenLink]:
    """Every broken internal link or anchor below *root*, sorted.

    With *cache_directory*, a page parsed at the last publication with the
    same bytes is not parsed again (:mod:`council_publish.output_cache`); every
    link is resolved again against this build's files and anchors.

    With *later*, a folder of *root* that is still being made (the search
    index's), a link into it is returned with the reason :data:`LATER`;
    :func:`check_later` checks those once the folder is there.
    """
    from council_publish.output_cache import ResultCache

    root = root.resolve()
    results = ResultCache(cache_directory, "link-check", [sys.modules[__name__]])
    parsed: dict[Path, _Parsed] = {}

    def parse(path: Path) -> _Parsed:
        if path not in parsed:
            parsed[path] = results.get(path.relative_to(root).as_posix(), path, _parse)
        return parsed[path]

    # Pages link to the same few targets thousands of times (every measure of a
    # case links to the checklist and the clauses): each (folder, path) is
    # resolved against the file system once per check.
    targets: dict[tuple[Path, str], tuple[Path | None, str]] = {}

    pending = (root / later).resolve() if later else None

    def target_of(folder: Path, path: str) -> tuple[Path | None, str]:
        key = (folder, path)
        if key not in targets:
            targets[key] = _target(root, folder, path, pending)
        return targets[key]

    # A link's verdict depends on its page's folder and its URL only, unless the
    # URL names no path (its target is the page itself): every case page of a
    # thousand repeats the same links to the clauses and the checklist, so each
    # (folder, URL) is judged once per check.
    verdicts: dict[tuple[bool, str, str], str] = {}
    broken: list[BrokenLink] = []
    for page_path in sorted(root.rglob("*.html")):
        page = parse(page_path)
        rel_page = page_path.relative_to(root).as_posix()
        folder = rel_page.rpartition("/")[0]
        for lineno, url in page.links:
            reason = verdicts.get((False, folder, url))
            if reason is None:
                reason = verdicts.get((True, rel_page, url))
            if reason is None:
                found = next(_check_link(page_path, rel_page, lineno, url, parse, target_of), None)
                reason = found.reason if found is not None else ""
                own_page = _names_no_path(url)
                verdicts[(own_page, rel_page if own_page else folder, url)] = reason
            if reason:
                broken.append(BrokenLink(rel_page, lineno, url, reason))
    results.save()
    return sorted(broken)


def _names_no_path(url: str) -> bool:
    """Whether an internal *url* names no path, so that it points into its own page."""
    url = url.strip()
    return _is_internal(url) and not urlsplit(url).path


def check_later(root: Path, links: list[BrokenLink]) -> list[BrokenLink]:
    """The links that :func:`check_site` left for *later* that are broken, now that the folder is there."""
    root = root.resolve()
    broken: list[BrokenLink] = []
    for link in links:
        page_path = root / link.page
        broken.extend(_check_link(page_path, link.page, link.lineno, link.target, _parse,
                                  lambda folder, path: _target(root, folder, path)))
    return sorted(broken)


def _target(root: Path, folder: Path, path: str, later: Path | None = None) -> tuple[Path | None, str]:
    """The file a link's *path* names from a page in *folder*, or why there is none
    (:data:`LATER` when it is in the folder *later*, still being made)."""
    target = (root / path.lstrip("/")) if path.startswith("/") else (folder / path)
    target = target.resolve()
    if later is not None and target.is_relative_to(later):
        return None, LATER
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(root):
        return None, "サイトの外を指しています"
    if not target.is_file():
        return None, "リンク先のファイルがありません"
    return target, ""


def _check_link(page_path: Path, rel_page: str, lineno: int, url: str, parse: Callable[[Path], _Parsed],
                target_of: Callable[[Path, str], tuple[Path | None, str]]) -> Iterator[BrokenLink]:
    url = url.strip()
    if not url or not _is_internal(url):
        return
    parts = urlsplit(url)
    path, fragment = unquote(parts.path), unquote(parts.fragment)
    if path:
        target, reason = target_of(page_path.parent, path)
        if target is None:
            yield BrokenLink(rel_page, lineno, url, reason)
            return
    else:
        target = page_path
    if fragment and target.suffix == ".html" and fragment not in parse(target).ids:
        yield BrokenLink(rel_page, lineno, url, "リンク先のアンカーがありません")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="council-linkcheck", description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path, help="the built HTML directory")
    args = parser.parse_args(argv)
    if not args.site.is_dir():
        print(f"council-linkcheck: {args.site} is not a directory", file=sys.stderr)
        return 2
    broken = check_site(args.site)
    for link in broken:
        print(f"{args.site}/{link}", file=sys.stderr)
    pages = sum(1 for _ in args.site.rglob("*.html"))
    print(f"council-linkcheck: {pages} pages, {len(broken)} broken internal links")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())


def check_links_step(ctx: Any) -> None:
    """council-build step: any broken internal link or anchor fails the build."""

    from council_publish.output_cache import cache_dir

    report(check_site(ctx.html, cache_dir(ctx)))


def report(broken: list[BrokenLink]) -> None:
    """Each broken link printed (the first 50); any fails the build."""
    for link in broken[:50]:
        print(f"council-linkcheck: {link}", file=sys.stderr)
    if broken:
        raise BuildFailed(f"link check: {len(broken)} broken internal links or anchors")
