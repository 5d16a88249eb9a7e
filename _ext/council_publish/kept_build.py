"""The Sphinx build kept between publications, so that a publication after one edit is incremental.

``council-build`` stages every publication in a new directory
(:mod:`council_publish.site_versions`). Built there from nothing, the HTML of
1,000 cases takes minutes even when one case changed. So the HTML step builds
in a directory kept beside the versions, ``.OUT.versions/kept/`` (Sphinx's
environment in ``doctrees/``, its HTML in ``html/``), where Sphinx reads again
only the pages whose source changed and :mod:`council.incremental` rewrites the
pages that show them; then it copies both into staging. The later steps
(PDF sizes, search index, archive dates, checks) change only the copies, and
the LaTeX step reads the copied environment (it may save it again), so the
kept build is exactly what the last HTML build left. The LaTeX of the last
publication is kept there too (``latex/``, :func:`keep_latex`): a document
whose pages no HTML build wrote since is copied from it instead of written
(:mod:`council.latex.kept_tex`).

Never stale. The kept build is used only when all of these hold, and is
otherwise removed first, so the build starts from nothing:

- the last publication that used it succeeded: the ``state`` file is removed
  before a build and written after a publication. A failed build may have
  saved an environment in which the failing page looks up to date (Sphinx
  would not read it, nor warn, again);
- nothing changed that Sphinx does not track. The state's first line is a
  digest of the Python and installed distributions' versions, of the
  extension's code wherever it is installed from (:data:`PACKAGES`), and of
  the bytes of every project file that is not a page source (``*.md``):
  templates, static files, configuration, the allow-list, the sources the
  pages link to. Not the release snapshots (``releases/``): one is committed
  after every publication, and :mod:`council.views.history` compares what
  they show on each case page and rewrites the pages whose history changed;
- no page source was removed or renamed (Sphinx would leave its page in
  place); added sources are new pages, which Sphinx reads;
- every page source whose bytes changed since (the state lists each one's
  SHA-256) was also modified after the state was written. Sphinx finds
  changed sources by their modification time; a copy that keeps an older time
  (``cp -p``, ``rsync -t``, an archive) would otherwise go unnoticed.

What depends on the date of the commit rather than on the sources is not part
of this: a page's 更新日 (:mod:`council.html.webmeta`) and the label of the
unpublished changes on a case page (:mod:`council.views.history`) tell Sphinx
themselves which pages they make outdated, so a publication per commit keeps
its build.

Sphinx also leaves in place an image or download that no page refers to any
more (a trace graph is named by its content): :func:`prune_unreferenced`
removes, after each build, every file of ``_images/`` and ``_downloads/`` that
no page names. ``COUNCIL_KEPT_BUILD=0`` turns the kept build off.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote

#: Not part of the project's sources (the site is built from neither).
_IGNORED = frozenset({"_build", ".git", ".venv", "__pycache__", ".pytest_cache", "node_modules", "tests", ".ci"})
#: The release snapshots (``council.views.releases.RELEASES_DIR``), which the
#: history compares itself (:mod:`council.views.history`).
_RELEASES = "releases"
#: Page sources: Sphinx notices their changes (by modification time, checked here by content).
_PAGE_SUFFIX = ".md"
_STATE = "state"
#: The extension's packages: their code decides the pages, and an editable
#: install's version does not change with it.
PACKAGES = ("council",)
_REFERENCE = re.compile(rb"(_images|_downloads)/([^\"'?#<>\s)]+)")
_CONTAINERS = ("_images", "_downloads")


def kept_dir(staging: Path) -> Path:
    """Where the kept build of the output that *staging* belongs to lives."""
    return staging.parent / "kept"


def _project_files(source: Path) -> list[Path]:
    files = []
    for root, dirs, names in os.walk(source):
        dirs[:] = sorted(d for d in dirs if d not in _IGNORED and not d.startswith("."))
        files.extend(Path(root, name) for name in sorted(names))
    return files


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(source: Path) -> tuple[str, dict[str, str]]:
    """(digest of what Sphinx does not track, {page source: its SHA-256}) of the project *source*."""
    digest = hashlib.sha256()
    digest.update(sys.version.encode() + b"\0")
    for dist in sorted(metadata.distributions(), key=lambda d: ((d.metadata["Name"] or "").lower(), d.version)):
        digest.update(f"{dist.metadata['Name']}=={dist.version}\0".encode())
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        for location in sorted(spec.submodule_search_locations or []) if spec else []:
            for path in sorted(Path(location).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    digest.update(path.relative_to(location).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    pages: dict[str, str] = {}
    for path in _project_files(source):
        rel = path.relative_to(source).as_posix()
        if path.suffix == _PAGE_SUFFIX:
            pages[rel] = _sha256(path)
        elif rel.split("/", 1)[0] != _RELEASES:
            digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest(), pages


def _state_text(fingerprint: str, pages: dict[str, str]) -> str:
    return "\n".join([fingerprint, *(f"{digest}\t{rel}" for rel, digest in sorted(pages.items()))]) + "\n"


def reusable(state: str, written_ns: int, now: tuple[str, dict[str, str]], source: Path) -> bool:
    """Whether a kept build whose state (written at *written_ns*) was *state* may be built on,
    the project *source* being *now* (:func:`snapshot`)."""
    lines = state.splitlines()
    fingerprint, pages = now
    if not lines or lines[0] != fingerprint:
        return False
    for line in lines[1:]:
        digest, _, rel = line.partition("\t")
        if rel not in pages:
            return False  # removed or renamed
        if pages[rel] != digest and (source / rel).stat().st_mtime_ns <= written_ns:
            return False  # changed, but dated before the last publication
    return True


@dataclass(frozen=True)
class Kept:
    """A kept build open for this publication, with the project as it was when the build started."""

    path: Path
    state: str


def open_kept(staging: Path, source: Path, env: dict[str, str]) -> Kept | None:
    """The kept build for this build, emptied unless it may be reused; None when off.

    Its state is removed: only :func:`close_kept` after a publication marks it
    reusable, with the project as it was here (a source changed during the build
    is then either newer than the state, which Sphinx notices, or not reused).
    """
    if env.get("COUNCIL_KEPT_BUILD", "1") == "0":
        return None
    kept = kept_dir(staging)
    mark = kept / _STATE
    try:
        state, written_ns = mark.read_text(encoding="utf-8"), mark.stat().st_mtime_ns
    except OSError:
        state, written_ns = "", 0
    mark.unlink(missing_ok=True)
    now = snapshot(source)
    if not reusable(state, written_ns, now, source):
        shutil.rmtree(kept, ignore_errors=True)
    kept.mkdir(parents=True, exist_ok=True)
    return Kept(kept, _state_text(*now))


def close_kept(kept: Kept | None) -> None:
    """After a publication: the kept build may be reused by the next one."""
    if kept is None or not kept.path.is_dir():
        return
    tmp = kept.path / f"{_STATE}.tmp"
    tmp.write_text(kept.state, encoding="utf-8")
    os.replace(tmp, kept.path / _STATE)


def prune_unreferenced(html: Path) -> list[str]:
    """Remove files of ``_images/`` and ``_downloads/`` that no page or SVG names; their paths."""
    present = {p.relative_to(html).as_posix() for c in _CONTAINERS if (html / c).is_dir()
               for p in (html / c).rglob("*") if p.is_file()}
    if not present:
        return []
    named: set[str] = set()
    for page in html.rglob("*"):
        if page.suffix in (".html", ".svg") and page.is_file():
            for container, rest in _REFERENCE.findall(page.read_bytes()):
                named.add(f"{container.decode()}/{unquote(rest.decode('utf-8', 'replace'))}")
    removed = sorted(present - named)
    for rel in removed:
        (html / rel).unlink()
    return removed


def copy_into(kept: Path, html: Path, doctrees: Path) -> None:
    """The kept HTML and environment into staging: copies, since later steps rewrite files in place."""
    shutil.copytree(kept / "html", html, copy_function=shutil.copy2)
    shutil.copytree(kept / "doctrees", doctrees, copy_function=shutil.copy2)


def keep_latex(latex: Path, kept: Path) -> None:
    """After the LaTeX step: its documents and their state become the kept LaTeX
    (:mod:`council.latex.kept_tex`), and the HTML builds' record starts again.
    The state is not published."""
    from council.latex.kept_tex import PENDING_FILE, STATE_FILE

    state = latex / STATE_FILE
    new = kept / "latex.new"
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir()
    for tex in latex.glob("*.tex"):
        shutil.copy2(tex, new / tex.name)
    os.replace(state, new / STATE_FILE)
    shutil.rmtree(kept / "latex", ignore_errors=True)
    new.rename(kept / "latex")
    if (kept / "doctrees").is_dir():
        (kept / "doctrees" / PENDING_FILE).write_text("", encoding="utf-8")
