"""The checks of the finished output, side by side, and the search index made meanwhile.

The output scan (:mod:`council_publish.output_scan`), the privacy scan
(:mod:`council_publish.published_privacy`) and the link check
(:mod:`council_publish.linkcheck`) only read the staged output, each keeps
its own cache file, and each is one process's work in Python. One after
another, a publication waited for their sum; here they run in forked
processes, as many at a time as there are CPUs, so on two cores it waits
for little more than the longest. In ``council-build`` the search index is
made at the same time (:func:`index_and_check_step`).

Each check prints and fails exactly as it would alone: what it prints is
kept and printed by this process, check by check in :data:`CHECKS` order,
and the build fails with every failing check's message. Every check runs
even when another fails, so one publication names every problem.
"""

from __future__ import annotations

import contextlib
import functools
import io
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from council_publish.linkcheck import LATER, check_later, check_links_step, check_site
from council_publish.linkcheck import report as report_links
from council_publish.output_scan import scan_folder_step, scan_output_step
from council_publish.pipeline import BuildFailed
from council_publish.published_privacy import scan_published_step

#: The checks, in the order their output and failures are reported.
CHECKS: tuple[Callable[[Any], None], ...] = (scan_output_step, scan_published_step, check_links_step)


def _run(check: Callable[[Any], None], ctx: Any) -> tuple[str, str, str | None]:
    """*check* of *ctx*: what it printed (stdout, stderr) and its failure's message, if any."""
    out, err = io.StringIO(), io.StringIO()
    failure = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            check(ctx)
        except BuildFailed as exc:
            failure = str(exc)
    return out.getvalue(), err.getvalue(), failure


@contextlib.contextmanager
def _workers(jobs: int) -> Iterator[Callable[[Callable[[Any], None], Any], Callable[[], tuple[str, str, str | None]]]]:
    """``submit(check, ctx)``: *check* started in a forked process (one at once when
    *jobs* is 1: run here, then), its :func:`_run` result given by the callable returned."""
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            yield lambda check, ctx: pool.submit(_run, check, ctx).result
    else:
        def submit(check: Callable[[Any], None], ctx: Any) -> Callable[[], tuple[str, str, str | None]]:
            result = _run(check, ctx)
            return lambda: result

        yield submit


def _report(results: list[tuple[str, str, str | None]]) -> None:
    """What each check printed, in order; every failure's message in one BuildFailed."""
    failures = []
    for out, err, failure in results:
        print(out, end="")
        print(err, end="", file=sys.stderr)
        if failure is not None:
            failures.append(failure)
    if failures:
        raise BuildFailed("。".join(failures))


def check_output_step(ctx: Any, checks: tuple[Callable[[Any], None], ...] = CHECKS) -> None:
    """council-build step: every check of the output; any failure fails the build."""
    with _workers(min(len(checks), os.cpu_count() or 1)) as submit:
        pending = [submit(check, ctx) for check in checks]
        results = [result() for result in pending]
    _report(results)


#: The checks that run, in forked processes, while the search index is made: neither reads it.
WHILE_INDEXING: tuple[Callable[[Any], None], ...] = (scan_output_step, scan_published_step)


def index_and_check_step(ctx: Any) -> None:
    """council-build step: the search index made while the output is checked.

    Pagefind, a process of its own (:func:`council_publish.search_index.indexing`), indexes
    the finished HTML into a folder beside the site while the output scan and the
    privacy scan run in forked processes and the link check runs here; none reads
    the index (the privacy scan leaves it out, being made of the pages it scans;
    the output scan's pass over the site runs before it is there; the links into
    it, the search page's, are kept for later). Once Pagefind is done, its folder
    is moved into the site and scanned, and the links into it are checked. One
    after the other, a publication after one edit at N = 1,000 waited for the
    index and then for the checks (see docs/performance.md).
    """
    from council.html.search import BUNDLE_DIR
    from council_publish.search_index import indexing, install_search_index
    from council_publish.output_cache import cache_dir

    with indexing(ctx) as proc, _workers(min(len(WHILE_INDEXING), os.cpu_count() or 1)) as submit:
        pending = [submit(check, ctx) for check in WHILE_INDEXING]
        links = check_site(ctx.html, cache_dir(ctx), later=BUNDLE_DIR)
        indexed = _run(lambda ctx: install_search_index(ctx, proc), ctx)
        results = [indexed, *(result() for result in pending)]
    later = [link for link in links if link.reason == LATER]
    broken = [link for link in links if link.reason != LATER]
    if indexed[2] is None:
        results.append(_run(functools.partial(scan_folder_step, folder=BUNDLE_DIR), ctx))
        broken = sorted(broken + check_later(ctx.html, later))
    elif later:
        results.append(("", "", f"検索索引へのリンク（{len(later)} 件）は、索引ができなかったため検査していません"))
    results.append(_run(lambda ctx: report_links(broken), ctx))
    _report(results)
