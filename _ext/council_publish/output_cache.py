"""Per-file results of the output checks, kept across publications by content.

After one edited case, almost every published file is the same as at the last
publication, yet the output scan (:mod:`council_publish.output_scan`), the
privacy scan (:mod:`council_publish.published_privacy`) and the link check
(:mod:`council_publish.linkcheck`) parse every page again, and the manifest
(:mod:`council_publish.manifest`) hashes every file again: work that grows
with the number of cases. Here:

- :func:`digest` is the SHA-256 of a file, computed once per build for as long
  as the file is not rewritten (same inode, size, modification and change
  times, and modified well before it was hashed: a file written in the same
  clock tick as its hashing is hashed again, as git does with "racily clean"
  files). The manifest and the caches share it.
- :class:`ResultCache` keeps one check's per-file results in
  ``.OUT.versions/check-cache/<check>.pickle`` beside the site's versions,
  keyed by the file's path in the site and its digest, under a key made of the
  check's code (the source of its modules and of every module of this
  project they import, :func:`code_files`) and settings (allow-list,
  templates): another key starts an empty cache. Only entries used by the
  last build are saved. Never stale: a result is reused only for the same
  bytes at the same path, checked by the same code with the same settings;
  what a check learns across files (a link's target exists, an anchor is
  there) is computed again on every build from the per-file results.
- The same cache keeps the digests of the *values* a check found nothing in
  (a :class:`ValueMemo` given the cache): the files that change at every
  publication (``needs.json``, the long table) hold the values of every case,
  nearly all as they were, and the privacy check of 100,000 distinct values
  was most of its time after one edit. A value is checked again unless the
  same code with the same settings found nothing in the same characters.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

#: A file modified less than this before it was hashed is hashed again next time.
_RACY_NS = 2_000_000_000
_DIGESTS: dict[str, tuple[tuple[int, int, int, int], int, str]] = {}


def _stamp(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def digest(path: Path) -> str:
    """SHA-256 (hex) of *path*'s bytes, remembered while the file is unchanged."""
    key = os.fspath(path)
    st = os.stat(key)
    known = _DIGESTS.get(key)
    if known is not None and known[0] == _stamp(st) and st.st_mtime_ns < known[1] - _RACY_NS:
        return known[2]
    hashed_at = time.time_ns()
    h = hashlib.sha256()
    with open(key, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    after = os.stat(key)
    value = h.hexdigest()
    if _stamp(after) == _stamp(st):
        _DIGESTS[key] = (_stamp(st), hashed_at, value)
    return value


def cache_dir(ctx: Any) -> Path:
    """Where a build step's caches live: beside the site's versions (where staging is)."""
    return Path(ctx.staging).parent / "check-cache"


class ResultCache:
    """One check's results per (path in the site, digest), kept in *directory*.

    *code* are the modules whose source decides the results; *settings* is
    anything else that does (bytes or a value with a stable ``repr``).
    """

    def __init__(self, directory: Path | None, name: str, code: list[ModuleType], settings: Any = b"") -> None:
        from council.code_digest import code_digest

        h = code_digest(code, _PROJECT)
        h.update(sys.version.encode() + b"\0")
        h.update(settings if isinstance(settings, bytes) else repr(settings).encode())
        self.key = h.hexdigest()
        self.path = directory / f"{name}.pickle" if directory is not None else None
        self.old: dict[tuple[str, str], Any] = {}
        self.new: dict[tuple[str, str], Any] = {}
        self.old_clean: frozenset[bytes] = frozenset()
        self.new_clean: set[bytes] = set()
        if self.path is not None and self.path.is_file():
            try:
                with self.path.open("rb") as f:
                    key, entries, clean = pickle.load(f)
            except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
                key, entries, clean = None, {}, frozenset()
            if key == self.key:
                self.old, self.old_clean = entries, frozenset(clean)

    def get(self, rel: str, path: Path, compute: Any) -> Any:
        """The result for the file *path* (at *rel* in the site): kept, or ``compute(path)``."""
        entry = (rel, digest(path))
        if entry in self.new:
            return self.new[entry]
        if entry in self.old:
            value = self.old[entry]
        else:
            value = compute(path)
        self.new[entry] = value
        return value

    def save(self) -> None:
        """Keep this build's entries (only those) for the next publication."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump((self.key, self.new, self.new_clean), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)


class ValueMemo:
    """*check* of each distinct value, computed once while this memo lives (one scan):
    the open data repeat a few values millions of times (at N = 1,000 the long
    table's CSV has 3.0 million cells but 83,091 distinct values). Long values
    (a page's text) are not kept, nor more than :attr:`MOST_KEPT` values, so
    memory stays bounded whatever the data."""

    LONGEST_KEPT = 4096
    MOST_KEPT = 250_000

    def __init__(self, check: Any, kept: ResultCache | None = None) -> None:
        """With *kept* (the cache of the check *check* is, with its settings), a value
        found clean by the cache's last build is taken as clean without *check*, and
        the values found clean now are kept for the next."""
        self.check = check
        self.known: dict[str, Any] = {}
        self.clean_before = kept.old_clean if kept is not None else frozenset()
        self.clean_now = kept.new_clean if kept is not None else None

    def __call__(self, value: str) -> Any:
        found = self.known.get(value)
        if found is None:
            if self.clean_now is None:
                found = self.check(value)
            else:
                key = value_digest(value)
                found = () if key in self.clean_before else self.check(value)
                if not found:
                    self.clean_now.add(key)
            if len(value) <= self.LONGEST_KEPT and len(self.known) < self.MOST_KEPT:
                self.known[value] = found
        return found


def value_digest(value: str) -> bytes:
    """A 128-bit digest of a value's characters (lone surrogates included, as JSON allows)."""
    return hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).digest()


#: The packages of this project whose modules decide a check's results.
_PROJECT = ("council", "council_publish")


def code_files(modules: list[ModuleType]) -> list[str]:
    """The source files of *modules* and of every module of this project (:data:`_PROJECT`)
    they import, directly or not (:func:`council.code_digest.code_files`): a check's
    results depend on the code it calls (the privacy scan's detectors live in
    ``council.read``), not only on its own module."""
    from council.code_digest import code_files as files

    return files(modules, _PROJECT)
