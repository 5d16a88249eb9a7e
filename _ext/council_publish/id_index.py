"""The index of need IDs of every page, made by scanning the sources as text.

The one rule of the one-case check (:mod:`council_publish.case_check`) that
needs the rest of the site, ID uniqueness, is checked against an index of the
``id`` of every need directive in every page, made by scanning the sources as
text (no Sphinx read) and cached per file by modification time and size in
``_build/case/ids.pickle``: after the first run only changed files are read
again.

The scan is written here rather than taken from sphinx-needs: sphinx-needs
learns IDs only by parsing every page with Sphinx, which is the cost the
check avoids. It recognises the directive forms the site uses (MyST
```` ```{type} ```` / ``:::{type}`` with ``id:`` in YAML front matter or
``:id:`` options, and reST ``.. type::`` with ``:id:``).
"""

from __future__ import annotations

import itertools
import os
import pickle
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from council.model.content_model import load_model

#: Where the case projects and the ID index live, relative to the project.
CASE_BUILD_DIR = Path("_build") / "case"
INDEX_FILE = "ids.pickle"
#: Bump when the index's shape or the scan changes.
INDEX_VERSION = 1

#: Top-level entries of the project that are never pages.
NOT_PAGES = {"_build", "sources", "tests", "node_modules", "README.md"}

_YAML_ID = re.compile(r"^\s*id:\s*['\"]?([^\s'\"]+)['\"]?\s*$")
_OPTION_ID = re.compile(r"^\s*:id:\s*['\"]?([^\s'\"]+)['\"]?\s*$")
_OPTION = re.compile(r"^\s*:[\w-]+:")


class NeedLocation(NamedTuple):
    """A need's ID where it is written: file (relative, POSIX) and the directive's line."""

    id: str
    path: str
    line: int
    type: str


def need_types(project: Path) -> dict[str, str]:
    """Need type name -> title, from the content model (``ubproject.toml``)."""
    return dict(load_model(project / "ubproject.toml").type_titles)


def scan_text(text: str, types: Iterable[str]) -> list[tuple[str, int, str]]:
    """``(id, line, type)`` of every need directive of *text*; line of the directive (1-based)."""
    names = "|".join(re.escape(name) for name in sorted(set(types), key=len, reverse=True))
    if not names:
        return []
    # one search over the whole text, not a match per line: at N = 1,000 the
    # scan reads about 40 MB of pages
    opener = re.compile(
        rf"^[ \t]*(?:(?:`{{3,}}|:{{3,}})\{{(?P<fenced>{names})\}}|\.\.[ \t]+(?P<rest>{names})::)", re.MULTILINE)
    found: list[tuple[str, int, str]] = []
    line, pos = 1, 0
    for match in opener.finditer(text):
        line += text.count("\n", pos, match.start())
        pos = match.start()
        end = text.find("\n", match.end())
        # the options follow the directive's first line (a window, not the whole rest)
        block = text[end + 1: end + 1 + 1500] if end >= 0 else ""
        need_id = _directive_id(_lines(block), rest=bool(match.group("rest")))
        if need_id:
            found.append((need_id, line, match.group("fenced") or match.group("rest")))
    return found


def _lines(block: str) -> Iterator[str]:
    """The lines of *block* one at a time: a directive names its ``id`` within its
    first lines, and splitting the whole window was most of the scan's time."""
    start = 0
    while start < len(block):
        end = block.find("\n", start)
        if end < 0:
            yield block[start:]
            return
        yield block[start:end]
        start = end + 1


def _directive_id(lines: Iterable[str], rest: bool) -> str | None:
    """The ``id`` in the options just below a directive's first line."""
    lines = iter(lines)
    first = next(lines, None)
    if first is None:
        return None
    if not rest and first.strip() == "---":
        for line in lines:
            if line.strip() == "---":
                return None
            match = _YAML_ID.match(line)
            if match:
                return match.group(1)
        return None
    for line in itertools.chain((first,), lines):
        if not _OPTION.match(line):
            return None
        match = _OPTION_ID.match(line)
        if match:
            return match.group(1)
    return None


def page_files(project: Path) -> Iterator[Path]:
    """Every page of the project (``*.md``, ``*.rst``) outside build, tool and source-text directories."""
    for root, dirs, files in os.walk(project):
        here = Path(root)
        top = here == project
        dirs[:] = sorted(
            d for d in dirs
            if not d.startswith((".", "_")) and not (top and d in NOT_PAGES)
        )
        for name in sorted(files):
            if name.endswith((".md", ".rst")) and not (top and name in NOT_PAGES):
                yield here / name


class IdIndex:
    """Need IDs of every page, rescanning only files whose mtime or size changed."""

    def __init__(self, project: Path, types: Iterable[str]) -> None:
        self.project = project
        self.types = tuple(types)
        self.path = project / CASE_BUILD_DIR / INDEX_FILE
        self.files: dict[str, list] = {}
        self.rescanned = 0
        self._by_id: dict[str, list[NeedLocation]] | None = None

    def load(self) -> None:
        try:
            data = pickle.loads(self.path.read_bytes())
        except Exception:  # noqa: BLE001 - a missing or unreadable cache is rebuilt
            return
        if not isinstance(data, dict):
            return
        if data.get("version") == INDEX_VERSION and data.get("types") == list(self.types):
            self.files = data.get("files", {})

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps({"version": INDEX_VERSION, "types": list(self.types), "files": self.files},
                                     protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(self.path)

    def update(self) -> bool:
        """Rescan what changed; whether anything did."""
        fresh: dict[str, list] = {}
        for path in page_files(self.project):
            rel = path.relative_to(self.project).as_posix()
            st = path.stat()
            stamp = [st.st_mtime_ns, st.st_size]
            known = self.files.get(rel)
            if known and known[0] == stamp:
                fresh[rel] = known
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            fresh[rel] = [stamp, scan_text(text, self.types)]
            self.rescanned += 1
        changed = bool(self.rescanned) or fresh.keys() != self.files.keys()
        self.files = fresh
        self._by_id = None
        return changed

    def locations(self) -> Iterator[NeedLocation]:
        for rel, (_stamp, needs) in self.files.items():
            for need_id, line, need_type in needs:
                yield NeedLocation(need_id, rel, line, need_type)

    def by_id(self) -> IdMap:
        if self._by_id is None:
            self._by_id = IdMap(self.files)
        return self._by_id


class IdMap:
    """ID -> where it is written, built once per check in one pass over the index.

    Locations are made only for the IDs asked for: at N = 1,000 the index holds
    about 80,000 IDs and the check looks at a few hundred.
    """

    def __init__(self, files: dict[str, list]) -> None:
        self.files = files
        raw: dict[str, list] = {}
        for rel, (_stamp, needs) in files.items():
            for need in needs:
                hits = raw.get(need[0])
                if hits is None:
                    raw[need[0]] = [(rel, need)]
                else:
                    hits.append((rel, need))
        self.raw = raw

    def __contains__(self, need_id: str) -> bool:
        return need_id in self.raw

    def __getitem__(self, need_id: str) -> list[NeedLocation]:
        return [NeedLocation(need[0], rel, need[1], need[2]) for rel, need in self.raw[need_id]]

    def ids_in(self, page: str) -> list[str]:
        entry = self.files.get(page)
        return [need[0] for need in entry[1]] if entry else []


def load_index(project: Path) -> IdIndex:
    index = IdIndex(project, need_types(project))
    index.load()
    if index.update() or not index.path.exists():
        index.save()
    return index


def duplicate_ids(page: str, by_id: IdMap, titles: dict[str, str],
                  reported_by_sphinx: Iterable[str] = ()) -> list[str]:
    """One line per need of *page* whose ID is also written in another page.

    Pages in *reported_by_sphinx* are part of the case project: sphinx-needs
    reports a duplicate with them itself.
    """
    skip = {page, *reported_by_sphinx}
    lines = []
    for need_id in dict.fromkeys(by_id.ids_in(page)):
        locs = by_id[need_id]
        own = [loc for loc in locs if loc.path == page]
        others = [loc for loc in locs if loc.path not in skip]
        if others:
            for loc in own:
                where = "、".join(f"{o.path}:{o.line}" for o in sorted(others, key=lambda o: (o.path, o.line)))
                lines.append(
                    f"{loc.path}:{loc.line}: WARNING: {titles.get(loc.type, loc.type)}の ID '{loc.id}' は "
                    f"{where} でも使われています。ID はサイト全体で一意にしてください [council.duplicate_id]"
                )
    return sorted(lines, key=_line_key)


def _line_key(line: str) -> tuple[str, int]:
    path, _, rest = line.partition(":")
    number = rest.partition(":")[0]
    return path, int(number) if number.isdigit() else 0

