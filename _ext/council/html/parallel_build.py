"""Building the HTML with ``-j N``: N workers read the pages, then N workers
resolve and write them.

**Writing.** Sphinx's parallel write resolves every page in the main process
-- references, sphinx-needs' and this site's post-transforms, the
``doctree-resolved`` handlers -- and forks workers only for the last step, the
resolved tree to HTML. On this site resolving is the larger part of writing a
page (N = 300, profiled: 44 s of the 68 s), so the main process stayed the
bottleneck: ``-j 2`` took 126 s, as long as the serial build. Here a worker
resolves *and* writes its pages; the main process hands out chunks of pages
and takes back what the builder needs once all are written: the images the
pages use (``post_process_images`` fills ``builder.images``, which ``finish``
copies). Nothing else of the writing phase outlives a page on this site's
builder: it keeps no search index (:mod:`council.html.search`), and the
environment is not saved after writing. The first page is written in the main
process before any worker is forked, so the work done once per build on the
first resolved page (sphinx-needs' post-processing of all needs, the need
index, the case records) is inherited by every worker, not repeated. A page
whose writing needs what only the main process holds is written there after
the workers (:func:`write_in_main_process`: the open-data page, whose JSON-LD
describes the exports); a worker that asks for the exports is an error, not a
second making of every table (:func:`in_worker`).

**Reading.** Sphinx's parallel read forks a worker per chunk of pages *as the
previous chunks finish*, so each worker inherits, and pickles back to be
merged, everything read before it: the cost grows with the square of the
site (N = 300: 88 s and 1,008 MB, against 85 s and 531 MB reading serially).
Here, when the environment is new (a first build, or one after a change of
code or settings), N workers are forked at once, each reads every N-th page
and sends back only what it read, merged as Sphinx merges (``env-merge-info``).
An environment that already holds pages is read serially: each worker would
send all of them back.

Below :data:`MIN_PARALLEL` pages, both are serial (an edit's few pages); pages
are written serially, too, when the memory available does not hold N more
copies of the main process (a worker comes to copy much of what it shares:
:func:`council.outputs.forked_exports.copies_that_fit`).
Warnings and errors of a worker reach the build as in Sphinx's own parallel
build (:class:`sphinx.util.parallel.ParallelTasks` replays them in the main
process), with their file and line.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence, Set
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders import _write_docname
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.display import status_iterator
from sphinx.util.parallel import ParallelTasks, make_chunks

logger = logging.getLogger(__name__)

#: Pages written in the main process before the workers start (see above).
WARM_UP = 1

#: Below this many pages a build writes them one after the other: forking
#: workers costs more than it saves for an edit's few pages.
MIN_PARALLEL = 40


#: Attribute of the Sphinx application: the pages the main process writes itself.
_MAIN_PROCESS_PAGES = "_council_main_process_pages"

#: Set in a worker process (forked, so the main process never sees it set).
_worker = False


def write_in_main_process(app: Sphinx, docname: str) -> None:
    """Have the main process write *docname*, after the workers: for a page whose
    writing uses what only the main process holds (the open-data page describes
    the exports, which the main process collects from their own child)."""
    pages: set[str] = getattr(app, _MAIN_PROCESS_PAGES, set())
    pages.add(docname)
    setattr(app, _MAIN_PROCESS_PAGES, pages)


def in_worker() -> bool:
    """Whether this process is a worker reading or writing pages (not the build's main process)."""
    return _worker


def _in_workers(builder: Any, nproc: int, parts: list[list[str]], task: Callable[[list[str]], Any],
                done: Callable[[list[str], Any], None], label: str, colour: str) -> None:
    """*task* on each of *parts* in *nproc* forked workers at a time (Sphinx's
    :class:`ParallelTasks`, which replays their log here), *done* here with each
    part and its result, with Sphinx's progress line."""
    progress = status_iterator(parts, label, colour, len(parts), builder.config.verbosity)

    def work(part: list[str]) -> Any:
        global _worker
        _worker = True
        return task(part)

    def finished(part: list[str], result: Any) -> None:
        done(part, result)
        next(progress)

    tasks = ParallelTasks(nproc)
    for part in parts:
        tasks.add_task(work, part, finished)
    tasks.join()
    logger.info("")


class ParallelBuild:
    """Mixin for an HTML builder: with ``-j N``, N workers read the pages, and N resolve and write them."""

    def write_documents(self, docnames: Set[str]) -> None:
        from council.outputs.forked_exports import copies_that_fit

        ordered = sorted(docnames)
        builder: Any = self
        if builder.parallel_ok and len(ordered) >= MIN_PARALLEL:
            # each worker comes to copy much of what it shares with this process
            nproc = copies_that_fit(builder._app.parallel)
            if nproc > 1:
                self._write_in_workers(ordered, nproc)
                return
            logger.info(f"council: the memory available has room for {nproc} of {builder._app.parallel} "
                        "workers; the pages are written one after the other")
        builder._write_serial(ordered)

    def _write_in_workers(self, docnames: Sequence[str], nproc: int) -> None:
        builder: Any = self
        main = getattr(builder._app, _MAIN_PROCESS_PAGES, set())
        first = list(docnames[:WARM_UP])
        for docname in first:
            _write_docname(docname, env=builder.env, builder=builder, tags=builder.tags)

        def write_chunk(chunk: list[str]) -> dict[str, str]:
            for docname in chunk:
                _write_docname(docname, env=builder.env, builder=builder, tags=builder.tags)
            return dict(builder.images)

        chunks = make_chunks([d for d in docnames[WARM_UP:] if d not in main], nproc)
        _in_workers(builder, nproc, chunks, write_chunk, lambda chunk, images: builder.images.update(images),
                    __("writing output... "), "darkgreen")
        for docname in docnames:
            if docname in main and docname not in first:
                _write_docname(docname, env=builder.env, builder=builder, tags=builder.tags)

    def _read_parallel(self, docnames: list[str], nproc: int) -> None:
        builder: Any = self
        env = builder.env
        if env.all_docs or len(docnames) < MIN_PARALLEL:
            # The environment holds pages already read: each worker would send them back.
            builder._read_serial(docnames)
            return

        def read_share(share: list[str]) -> bytes:
            env._app = builder._app
            for docname in share:  # as Builder._read_serial, without its progress lines
                builder.events.emit("env-purge-doc", env, docname)
                env.clear_doc(docname)
                builder.read_doc(docname, _cache=False)
            return pickle.dumps(env, pickle.HIGHEST_PROTOCOL)

        shares = [docnames[i::nproc] for i in range(nproc)]
        _in_workers(builder, nproc, shares, read_share,
                    lambda share, data: env.merge_info_from(share, pickle.loads(data), builder._app),
                    __("reading sources... "), "purple")
