"""Garbage-collector settings that keep large builds linear.

A build holds every need (tens of thousands at the scale of decades of
records) in the environment, and creates and drops one large doctree per
page. With Python's default settings the cyclic collector scans that whole
heap again and again while pages are written, so the collector's share grows
with the size of the site: it was a third of a build of 100 synthetic cases
(``docs/performance.md``). Two changes:

- while documents are read and written, a young-generation collection runs
  every 100,000 allocations instead of every 700 (a page's doctree alone is
  larger than that);
- as reading goes on (before each document is read) and once it is done
  (``write-started``), the garbage is collected and everything alive -- the
  environment and its needs -- is moved out of the collector's sight
  (:func:`gc.freeze`); it lives until the end of the build anyway. Each of
  these collections only scans what the last document added. When worker
  processes read the pages (``-j N``), the main process freezes what it has
  as each worker's pages are merged (``env-merge-info``), without collecting:
  it has made next to no garbage (N = 1,000: the collection at
  ``write-started`` found 7,933 objects and no memory to free, in 3.3 s
  spent scanning the whole merged environment; after this freeze, it
  found none in 1.3 s, so it is left out too).

An incremental build starts by unpickling the environment Sphinx saved: at
N = 1,000 a 194 MB pickle of tens of millions of objects, every one of which
stays alive, so the collector has nothing to find in it; with the default
thresholds it ran 16 full collections over the growing heap meanwhile (8.8 s;
3.4 s without them, measured in ``docs/performance.md``). The environment is
loaded before ``builder-inited``, so this part is put in place at
``config-inited`` (:func:`quiet_env_load`), on the application itself: the
collector is off while that one call runs and back as it was after it,
whatever happens. What it loaded is then frozen (it lives until the end of
the build): otherwise the first collections after it scanned it all, twice
(2.0 s while the build started, 2.4 s before the first page was read). The
build's start keeps it frozen; its end unfreezes it with the rest. (Should
Sphinx fail between the two, after the environment loaded and before
``builder-inited``, those objects stay out of the collector's sight.)

The collector is off too while Sphinx pickles the environment again, from the
last ``env-updated`` handler to the first ``env-check-consistency`` one (or
``write-started``, or the build's end): the pickler's temporary objects set
off young collections (6.9 s -> 5.0 s). When a forked child pickles it instead
(:mod:`council.compat.sphinx_env_save`), the child turns its own collector off
and the pause here spans only the fork.

Sphinx keeps an in-memory copy of every doctree it reads until the page is
written, so memory grew with the number of pages. The copies are dropped
before each freeze (they are neither kept nor frozen); each page's doctree is
read back from its pickle when it is written, as in an incremental build.

When the pages are written, the garbage they left is collected before the
exports and needs.json are made (cheap: the frozen objects are not scanned).

When the build ends, the default thresholds are restored and the frozen
objects handed back to the collector, so the process that ran the build (the
tests, ``sphinx-autobuild``) is left as it was. When that process exits,
everything is frozen once more (an :mod:`atexit` handler): Python's
finalisation runs full collections over whatever is still alive, which after
a build of 1,000 cases took 15 s after ``build succeeded`` (measured:
``docs/performance.md``), to free memory the operating system takes back
anyway. Objects are still freed as their references go; only cycles of
garbage left at exit are not collected (the build closes its files itself). This is a
:class:`~council.compat.Workaround` like the library fixes: written for
Sphinx 9.0.4, whose environment keeps the doctree copies in
``_write_doc_doctree_cache``; it is off with ``council_compat = False``.
There is no upstream patch: keeping every doctree until it is written is a
deliberate Sphinx design for small sites, and a collector policy belongs to
the application, not to a library.
"""

from __future__ import annotations

import atexit
import gc
from typing import Any

from sphinx.application import Sphinx

from council.compat import Workaround

#: (young, middle, old) generation thresholds during a build.
THRESHOLDS = (100_000, 10, 10)


_DEFAULT_THRESHOLDS = gc.get_threshold()
_ACTIVE = {"on": False, "at exit": False, "merged": False, "loaded": False, "paused": False}


def quiet_env_load(app: Sphinx, config: Any) -> None:
    """``config-inited``: the collector off while this application loads its saved
    environment (see the module), when the workarounds are on and Sphinx is the
    version this was written for."""
    from council.config import council_config

    load = getattr(app, "_load_existing_env", None)
    if load is None or not council_config(app).compat or not WORKAROUNDS[0].fits():
        return

    def loading(filename: Any) -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            env = load(filename)
            gc.freeze()
            _ACTIVE["loaded"] = True
            return env
        finally:
            if enabled:
                gc.enable()

    app._load_existing_env = loading  # type: ignore[method-assign]


def _install() -> None:
    if not _ACTIVE.pop("loaded", False):  # else the environment just loaded stays frozen
        gc.unfreeze()
    gc.set_threshold(*THRESHOLDS)
    _ACTIVE["on"] = True
    _ACTIVE["merged"] = False
    if not _ACTIVE.get("at exit"):
        atexit.register(gc.freeze)  # see the module's docstring
        _ACTIVE["at exit"] = True


def _remove() -> None:
    _ACTIVE["on"] = False
    gc.set_threshold(*_DEFAULT_THRESHOLDS)
    gc.unfreeze()
    if _ACTIVE.pop("paused", False):  # the build failed while the environment was pickled
        gc.enable()


def _pause(app: Sphinx, *args: Any) -> None:
    """Last of ``env-updated``: the collector off while Sphinx pickles the environment."""
    if _ACTIVE["on"] and gc.isenabled():
        gc.disable()
        _ACTIVE["paused"] = True


def _resume(app: Sphinx, *args: Any) -> None:
    """First of ``env-check-consistency``, which Sphinx emits once the environment is pickled."""
    if _ACTIVE.pop("paused", False):
        gc.enable()


def _freeze(app: Sphinx, *args: Any) -> None:
    if not _ACTIVE["on"]:
        return
    cache = getattr(app.env, "_write_doc_doctree_cache", None)
    if isinstance(cache, dict):
        cache.clear()
    if not _ACTIVE["merged"]:
        gc.collect()
    gc.freeze()


def _freeze_merged(app: Sphinx, *args: Any) -> None:
    if _ACTIVE["on"]:
        _ACTIVE["merged"] = True
        gc.freeze()


def _collect(app: Sphinx, exception: BaseException | None) -> None:
    if _ACTIVE["on"]:
        gc.collect()


WORKAROUNDS = [
    Workaround(
        "gc-tuning", "sphinx", "9.0.4",
        "fewer young collections; the environment frozen out of the collector's sight while pages are read and written",
        _install, _remove,
        upstream="none: a collector policy belongs to the application (see the module docstring)",
        handlers=(
            # Sphinx purges each document just before reading it
            ("env-purge-doc", _freeze, 1),
            # the pages read by a worker process, after every other handler has merged them
            ("env-merge-info", _freeze_merged, 999),
            # around Sphinx's pickling of the environment, between these two events
            ("env-updated", _pause, 999),
            ("env-check-consistency", _resume, 1),
            ("write-started", _resume, 1),  # in case Sphinx had nothing to pickle
            # after sphinx-needs has post-processed the needs (write-started, 500)
            ("write-started", _freeze, 900),
            # before the exports and sphinx-needs' needs.json (build-finished, 500)
            ("build-finished", _collect, 100),
        ),
    ),
]
