"""Sphinx 9.0.4: the environment pickled by a forked process while the build goes on.

Once the pages are read, Sphinx pickles the environment (``Builder.build``:
``pickle.dump(self.env, f)`` into ``environment.pickle``) before it goes on with
the consistency check, sphinx-needs' post-processing and the pages' writing. At
N = 1,000 that is a 194 MB pickle, 5.3 s of one process while the other CPU
stands idle: the build's main process works alone from the end of reading to
the first forked writer (19.5 s of a 236 s full build, measured in
``docs/performance.md``).

Here the pickle is written by a child forked at that moment (the environment
is the same in the child as it would be in the parent at that call), into a
temporary file renamed over ``environment.pickle`` when complete; the parent
goes on at once. Sphinx has opened (and so emptied) ``environment.pickle``
before the call, and closes it untouched after: the rename comes later and
leaves a whole pickle or, should the child fail, the empty file is removed and
the next build reads every page, as after a build without a saved environment.

The child is collected at ``build-finished``: its failure fails a build that
did not fail already. An HTML build started by ``council-build`` tells its
starter the environment is saved (:mod:`council.latex.kept_tex`, the LaTeX
build then starts from a copy of the doctrees): with a child, the child says
so once the pickle is in place, not the parent.

Not forked without room for a copy of the process in memory
(:func:`council.outputs.forked_exports.room_for_a_copy`), with one CPU, or for
another builder than HTML: Sphinx's own call then pickles as usual.
"""

from __future__ import annotations

import gc
import os
import pickle
from pathlib import Path
from typing import Any, BinaryIO

import sphinx.builders
from sphinx.application import ENV_PICKLE_FILENAME, Sphinx
from sphinx.environment import BuildEnvironment

from council.compat import Workaround

PATCHED_VERSION = "9.0.4"
#: The task name of the child that pickles the environment (:mod:`council.outputs.forked_exports`).
TASK = "environment"

_original_pickle = sphinx.builders.pickle


class _PickleForBuilders:
    """``pickle`` as :mod:`sphinx.builders` sees it: the module, except the dump of the
    environment into ``environment.pickle`` of an HTML build, made by a child."""

    def __getattr__(self, name: str) -> Any:
        return getattr(pickle, name)

    def dump(self, obj: Any, file: BinaryIO, protocol: int | None = None, **kwargs: Any) -> None:
        target = Path(getattr(file, "name", "") or "")
        app = getattr(obj, "_app", None)
        if (isinstance(obj, BuildEnvironment) and not kwargs and target.name == ENV_PICKLE_FILENAME
                and app is not None and _forks(app)):
            _start(app, obj, target, protocol)
            return
        pickle.dump(obj, file, protocol, **kwargs)


def _forks(app: Sphinx) -> bool:
    from council.outputs import forked_exports

    return forked_exports.forks(app) and not saving(app)


def _start(app: Sphinx, env: BuildEnvironment, target: Path, protocol: int | None) -> None:
    from council.outputs import forked_exports

    forked_exports.start(app, lambda app: _save(app, env, target, protocol), task=TASK)


def _save(app: Sphinx, env: BuildEnvironment, target: Path, protocol: int | None) -> None:
    """In the child: the pickle written beside *target* and renamed over it, then the
    starter of the build told (:func:`council.latex.kept_tex.environment_saved`)."""
    from council.latex.kept_tex import environment_saved

    gc.disable()  # the pickler's temporary objects set off collections of nothing
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        with open(partial, "wb") as out:
            pickle.dump(env, out, protocol)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    environment_saved(app)


def saving(app: Sphinx) -> bool:
    """Whether a child of this process is saving the environment (so it, not this
    process, tells the build's starter when it is saved)."""
    from council.outputs import forked_exports

    return forked_exports.running(app, TASK)


def _build_finished(app: Sphinx, exception: BaseException | None) -> None:
    """The child collected: its error fails the build (not a build already failing),
    and without a saved environment the emptied file is removed."""
    from council.outputs import forked_exports

    if not saving(app):
        return
    try:
        forked_exports.collect(app, TASK)
    except BaseException:
        Path(app.doctreedir, ENV_PICKLE_FILENAME).unlink(missing_ok=True)
        if exception is None:
            raise


def _install() -> None:
    sphinx.builders.pickle = _PickleForBuilders()  # type: ignore[assignment]


def _remove() -> None:
    sphinx.builders.pickle = _original_pickle


WORKAROUNDS = [
    Workaround(
        "sphinx-env-save", "sphinx", PATCHED_VERSION,
        "the environment pickled by a forked child while the build goes on",
        _install, _remove,
        upstream="none: Sphinx builds on platforms without fork; the change is a child process "
                 "and the file it renames, which Sphinx's serial build has no use for",
        # first of the build-finished handlers: the environment is saved before anything
        # else there (the record of pages for LaTeX, the other children)
        handlers=(("build-finished", _build_finished, 2),),
    ),
]
