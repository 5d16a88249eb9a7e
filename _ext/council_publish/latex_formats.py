"""The preamble that documents share, loaded from a LaTeX format instead of read again.

Every case PDF starts with the same preamble (document class, fonts, Sphinx's
packages, hyperref, the site's print styles); reading it is about half of
each of a case's two upLaTeX runs (0.5 of 1.2–1.7 s for a 37-page case). The
LaTeX documents mark where the shared part ends
(:data:`council.latex.documents.PREAMBLE_END`); ``mylatexformat`` (TeX Live)
dumps everything before the mark into a format, and a run with ``-fmt``
starts from it and reads only what follows: the document's own title and
PDF metadata, then its pages. Pages, links, bookmarks and metadata are the
same as without the format (a test compares the two); the PDFs' bytes differ
only in redundant colour resets.

A format is made for a preamble when the first document that reads it is
compiled, or taken from the cache where an earlier publish made it. Its cache
key is the SHA-256 of the preamble, the support files it reads and the
engine's own base format (a TeX Live update makes new formats, never loads a
stale one). When a format cannot be made, its documents are compiled as
before, without one.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import threading
from concurrent.futures import Future
from pathlib import Path

from council.latex.documents import PREAMBLE_END

#: upLaTeX in initex mode over mylatexformat, as the latexmkjarc's ``$latex`` runs it
DUMP = ["uplatex", "-ini", "-kanji=utf8", "-interaction=nonstopmode", "-halt-on-error"]
#: Name of a format made here: ``council-format-<key>.fmt``.
PREFIX = "council-format-"


def shared_preamble(tex: str) -> str | None:
    """The part of *tex* before :data:`PREAMBLE_END`, or ``None`` without the mark."""
    at = tex.find(PREAMBLE_END)
    return tex[:at] if at >= 0 else None


def engine_identity() -> str:
    """The base format the dump starts from (``uplatex.fmt``): path, size and time."""
    found = subprocess.run(["kpsewhich", "-engine=euptex", "uplatex.fmt"],
                           capture_output=True, text=True, check=False).stdout.strip()
    if not found:
        return "uplatex.fmt not found"
    stat = Path(found).stat()
    return f"{found}\0{stat.st_size}\0{stat.st_mtime_ns}"


def format_key(preamble: str, support: str, engine: str) -> str:
    digest = hashlib.sha256()
    for part in (" ".join(DUMP), engine, support, preamble):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:32]


class Formats:
    """The formats of one LaTeX directory's preambles, made when first needed.

    A format is made (on the calling job's worker, once per preamble; other
    jobs of the preamble wait for it) or taken from *cache*, where it is kept
    as ``council-format-<key>.fmt`` for the next publish.
    """

    def __init__(self, latex: Path, support: str, cache: Path, env: dict[str, str],
                 enabled: bool = True) -> None:
        self.latex, self.support, self.cache, self.env, self.enabled = latex, support, cache, env, enabled
        self.engine = engine_identity()
        self._lock = threading.Lock()
        self._made: dict[str, Future] = {}
        #: every preamble seen: its format stays in the cache
        self.keys: set[str] = set()

    def key_of(self, text: str) -> str | None:
        """The format key of a document's LaTeX *text*, or ``None`` without the mark."""
        preamble = shared_preamble(text)
        if preamble is None:
            return None
        key = format_key(preamble, self.support, self.engine)
        with self._lock:
            self.keys.add(key)
        return key

    def format_for(self, tex: Path, text: str) -> Path | None:
        """The format *tex* (whose LaTeX is *text*) starts from, or ``None`` (compiled
        with its whole preamble)."""
        key = self.key_of(text)
        if key is None or not self.enabled:
            return None
        with self._lock:
            future = self._made.get(key)
            mine = future is None
            if mine:
                future = self._made[key] = Future()
        if mine:
            try:
                future.set_result(self._make(key, tex))
            except BaseException as exc:
                future.set_exception(exc)
                raise
        return future.result()

    def _make(self, key: str, tex: Path) -> Path | None:
        cached = self.cache / f"{PREFIX}{key}.fmt"
        if cached.is_file():
            return cached
        name = f"{PREFIX}{key}"
        with open(self.latex / f"{name}.latexmk.log", "w", encoding="utf-8") as out:
            status = subprocess.run([*DUMP, f"-jobname={name}", "&uplatex", "mylatexformat.ltx", tex.name],
                                    cwd=self.latex, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                    check=False).returncode
        made = self.latex / f"{name}.fmt"
        if status != 0 or not made.is_file():
            return None  # compiled without a format; its log stays in the LaTeX directory
        tmp = cached.with_suffix(".tmp")
        os.replace(made, tmp)
        os.replace(tmp, cached)
        return cached

    def kept_names(self) -> set[str]:
        """File names of the formats the preambles seen use: kept in the cache."""
        return {f"{PREFIX}{key}.fmt" for key in self.keys}


def format_option(fmt: Path) -> str:
    """The upLaTeX option that starts from *fmt* (a path without ``.fmt``)."""
    return f"-fmt={fmt.with_suffix('')}"
