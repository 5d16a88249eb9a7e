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

A format is made for a preamble that at least two documents to compile
share, or taken from the cache where an earlier publish made it. Its cache
key is the SHA-256 of the preamble, the support files it reads and the
engine's own base format (a TeX Live update makes new formats, never loads a
stale one). When a format cannot be made, its documents are compiled as
before, without one.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterable
from concurrent.futures import Executor
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


def formats_for(latex: Path, texs: Iterable[Path], to_compile: set[Path], support: str,
                cache: Path, env: dict[str, str], pool: Executor) -> tuple[dict[Path, Path], set[str]]:
    """The format each document of *to_compile* starts from (those that have one),
    made on *pool*'s workers, and the names of the formats in *cache* that the
    preambles of *texs* still use (kept there for the next publish)."""
    engine = engine_identity()
    groups: dict[str, list[Path]] = {}
    for tex in texs:
        preamble = shared_preamble(tex.read_text(encoding="utf-8", errors="replace"))
        if preamble is not None:
            groups.setdefault(format_key(preamble, support, engine), []).append(tex)
    compiled = {key: [tex for tex in group if tex in to_compile] for key, group in groups.items()}
    wanted = [key for key, group in compiled.items()
              if len(group) > 1 or (group and (cache / f"{PREFIX}{key}.fmt").is_file())]

    def make(key: str) -> Path | None:
        cached = cache / f"{PREFIX}{key}.fmt"
        if cached.is_file():
            return cached
        name = f"{PREFIX}{key}"
        with open(latex / f"{name}.latexmk.log", "w", encoding="utf-8") as out:
            status = subprocess.run(
                [*DUMP, f"-jobname={name}", "&uplatex", "mylatexformat.ltx", groups[key][0].name],
                cwd=latex, env=env, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
        made = latex / f"{name}.fmt"
        if status != 0 or not made.is_file():
            return None  # compiled without a format; its log stays in the LaTeX directory
        tmp = cached.with_suffix(".tmp")
        os.replace(made, tmp)
        os.replace(tmp, cached)
        return cached

    made = dict(zip(wanted, pool.map(make, wanted), strict=True))
    formats = {tex: fmt for key, fmt in made.items() if fmt is not None for tex in compiled[key]}
    return formats, {f"{PREFIX}{key}.fmt" for key in groups}


def format_option(fmt: Path) -> str:
    """The upLaTeX option that starts from *fmt* (a path without ``.fmt``)."""
    return f"-fmt={fmt.with_suffix('')}"
