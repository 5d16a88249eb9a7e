"""LaTeX documents written again only when what they print changed.

Sphinx's LaTeX builder writes every document on every build: at 1,000 cases,
about seven minutes on one core for a publication after one edit, though one
case PDF and its fiscal year's volume are all that change. ``council-build``
keeps the LaTeX of its last publication beside its kept HTML build
(:mod:`council_publish.kept_build`) and names that directory in the
configuration value ``council_latex_kept``. A document's ``.tex`` is then
copied from there instead of written when all of these hold:

- the kept directory has the ``.tex``, and its state (:data:`STATE_FILE`)
  records the document's entry in ``latex_documents`` (start page, file,
  title, author, class, a volume's pages) as it is now;
- no page the document was assembled from (its *parts*: the page, a volume's
  pages, the pages of its table of contents) was read again by a build since,
  nor rewritten because it shows a need that changed
  (:data:`PENDING_FILE`, kept in the doctrees by the HTML builds; the
  dependencies are those of :mod:`council.incremental`: a page prints in
  LaTeX what it shows from the same needs);
- each part's date (:func:`council.latex.dates.page_epoch`: its last commit,
  else the build's date) is the one it was written with;
- every part is still a page, and the ``.tex`` includes no figure (figures
  are collected while a document is written).

Otherwise it is written, and the state records every document again. Without
``council_latex_kept``, or without the HTML builds' record, every document is
written, as by Sphinx.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

#: In the LaTeX output and the kept directory: each document's entry and parts' dates.
STATE_FILE = "kept-tex.json"
#: In the doctrees: the pages the HTML builds wrote since the kept LaTeX was recorded.
PENDING_FILE = "council-pending-latex.txt"
#: Environment variable: a file descriptor an HTML build writes :data:`SAVED` to once
#: its environment is saved (:func:`_environment_saved`; set by ``council-build``).
ENV_SAVED_FD = "COUNCIL_ENV_SAVED_FD"
SAVED = b"saved\n"
_FIGURE = re.compile(r"\\(?:sphinx)?includegraphics")
_CHANGED = "_council_pages_changed"


def entry_key(entry: Sequence[Any]) -> list[Any]:
    """What of a ``latex_documents`` entry decides its document (its volume's pages as a list)."""
    volume = entry[5] if len(entry) > 5 else False
    return [*entry[:5], list(volume) if isinstance(volume, tuple) else volume]


# ------------------------------------------------------------ the HTML side


def _read(app: Sphinx, env: Any, docnames: list[str]) -> None:
    getattr(app, _CHANGED).update(docnames)


def _builder_inited(app: Sphinx) -> None:
    setattr(app, _CHANGED, set())


def _record_pending(app: Sphinx) -> None:
    """Add the pages whose content may have changed in this build (read again, or
    showing needs that changed: :mod:`council.incremental`) to the record the next
    LaTeX build reads. Pages rewritten only for their navigation do not count: a
    PDF has none. Both are known once the environment is updated."""
    from council.incremental import SHOWING_CHANGED_NEEDS

    path = Path(app.doctreedir, PENDING_FILE)
    pending = set(path.read_text(encoding="utf-8").split()) if path.is_file() else set()
    pending |= getattr(app, _CHANGED, set()) | getattr(app, SHOWING_CHANGED_NEEDS, set())
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(f"{doc}\n" for doc in sorted(pending)), encoding="utf-8")
    tmp.replace(path)


def _build_finished(app: Sphinx, exception: Exception | None) -> None:
    """The record, at the end of an HTML build. The LaTeX build itself records nothing."""
    if exception is not None or app.builder.format == "latex":
        return
    _record_pending(app)


def _environment_saved(app: Sphinx, env: Any) -> None:
    """Tell the process that started this HTML build (:data:`ENV_SAVED_FD`) that
    its environment is saved and the record complete: a LaTeX build may start
    from a copy of the doctrees while this build writes its pages.

    Sphinx emits ``env-check-consistency`` right after it pickles the
    environment (only when some page was read or is to be rewritten); a LaTeX
    build needs nothing the pages' writing adds to the environment. When a
    child pickles it (:mod:`council.compat.sphinx_env_save`), the child tells
    (:func:`environment_saved`) once the pickle is in place, and this process
    only closes its copy of the descriptor."""
    from council.compat.sphinx_env_save import saving

    if saving(app):
        fd = os.environ.pop(ENV_SAVED_FD, None)
        if fd is not None:
            try:
                os.close(int(fd))
            except (OSError, ValueError):
                pass
        return
    environment_saved(app)


def environment_saved(app: Sphinx) -> None:
    """The record written and :data:`SAVED` written to :data:`ENV_SAVED_FD`, which is
    then closed; without the variable nothing happens."""
    fd = os.environ.pop(ENV_SAVED_FD, None)
    if fd is None or app.builder.format != "html":
        return
    _record_pending(app)
    try:
        os.write(int(fd), SAVED)
        os.close(int(fd))
    except (OSError, ValueError):
        pass  # the starter is gone or gave no descriptor: it waits for the build to end instead


def setup_kept_tex(app: Sphinx) -> None:
    app.connect("builder-inited", _builder_inited)
    app.connect("env-before-read-docs", _read)
    app.connect("env-check-consistency", _environment_saved)
    app.connect("build-finished", _build_finished)


# ----------------------------------------------------------- the LaTeX side


class KeptTex:
    """The kept LaTeX of the last publication, for one LaTeX build."""

    def __init__(self, app: Sphinx, kept: Path, state: dict[str, Any], pending: set[str] | None) -> None:
        self.app, self.kept, self.pending = app, kept, pending
        # without the HTML builds' record nothing is reused (the state is recorded anew)
        self.old = state if isinstance(state, dict) and pending is not None else {}
        self.new: dict[str, Any] = {}
        self.reused: list[str] = []

    @classmethod
    def open(cls, app: Sphinx) -> KeptTex | None:
        """The kept LaTeX named by ``council_latex_kept``, or None when none is."""
        from council.config import council_config

        kept = council_config(app).latex_kept
        if not kept:
            return None
        record = Path(app.doctreedir, PENDING_FILE)
        pending = set(record.read_text(encoding="utf-8").split()) if record.is_file() else None
        try:
            state = json.loads(Path(kept, STATE_FILE).read_text(encoding="utf-8"))["documents"]
        except (OSError, ValueError, KeyError, TypeError):
            state = {}
        return cls(app, Path(kept), state, pending)

    def _dates(self, parts: Iterable[str]) -> dict[str, int | None]:
        from council.latex.dates import page_epoch

        return {doc: page_epoch(self.app, doc) for doc in sorted(parts)}

    def restore(self, entry: Sequence[Any], outdir: Path) -> bool:
        """Copy the entry's kept ``.tex`` into *outdir* if it may be reused (see the module)."""
        name = entry[1]
        old = self.old.get(name)
        tex = self.kept / name
        if not isinstance(old, dict) or old.get("entry") != entry_key(entry) or not tex.is_file():
            return False
        parts = old.get("parts") or {}
        if any(doc in (self.pending or ()) or doc not in self.app.env.all_docs for doc in parts):
            return False
        if self._dates(parts) != parts:
            return False
        text = tex.read_bytes()
        if _FIGURE.search(text.decode("utf-8", "replace")):
            return False
        target = outdir / name
        if not target.is_file() or target.read_bytes() != text:
            shutil.copyfile(tex, target)
        self.new[name] = old
        self.reused.append(name)
        return True

    def written(self, entry: Sequence[Any], parts: Iterable[str]) -> None:
        """Record a document written by this build, assembled from *parts*."""
        self.new[entry[1]] = {"entry": entry_key(entry), "parts": self._dates(parts)}

    def save(self, outdir: Path) -> None:
        """This build's state beside its LaTeX (council-build keeps both), and which documents it reused."""
        state = {"documents": self.new, "reused": sorted(self.reused)}
        Path(outdir, STATE_FILE).write_text(json.dumps(state, ensure_ascii=False, indent=0, sort_keys=True),
                                            encoding="utf-8")
