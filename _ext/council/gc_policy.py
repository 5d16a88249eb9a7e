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
  these collections only scans what the last document added.

Sphinx keeps an in-memory copy of every doctree it reads until the page is
written, so memory grew with the number of pages. The copies are dropped
before each freeze (they are neither kept nor frozen); each page's doctree is
read back from its pickle when it is written, as in an incremental build.

When the pages are written, the garbage they left is collected before the
exports and needs.json are made (cheap: the frozen objects are not scanned).

The frozen objects stay frozen after the build: ``sphinx-build`` then exits
without one more scan of the whole heap (seconds at a thousand cases). A
process that builds again (the tests, ``sphinx-autobuild``) hands them back
to the collector when its next build starts.
"""

from __future__ import annotations

import gc
from typing import Any

from sphinx.application import Sphinx

#: (young, middle, old) generation thresholds during a build.
THRESHOLDS = (100_000, 10, 10)


def _start(app: Sphinx) -> None:
    # A previous build in this process left its objects frozen.
    gc.unfreeze()
    gc.set_threshold(*THRESHOLDS)


def _freeze(app: Sphinx, *args: Any) -> None:
    cache = getattr(app.env, "_write_doc_doctree_cache", None)
    if isinstance(cache, dict):
        cache.clear()
    gc.collect()
    gc.freeze()


def _collect(app: Sphinx, exception: BaseException | None) -> None:
    gc.collect()


def setup_gc_policy(app: Sphinx) -> None:
    app.connect("builder-inited", _start)
    # Sphinx purges each document just before reading it
    app.connect("env-purge-doc", _freeze, priority=1)
    # after sphinx-needs has post-processed the needs (write-started, 500)
    app.connect("write-started", _freeze, priority=900)
    # before the exports and sphinx-needs' needs.json (build-finished, 500)
    app.connect("build-finished", _collect, priority=100)
