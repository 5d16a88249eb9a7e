"""The checks of the finished output, side by side: one ``council-build`` step.

The output scan (:mod:`council_publish.output_scan`), the privacy scan
(:mod:`council_publish.published_privacy`) and the link check
(:mod:`council_publish.linkcheck`) only read the staged output, each keeps
its own cache file, and each is one process's work in Python. One after
another, a publication waited for their sum; here they run in forked
processes, as many at a time as there are CPUs, so on two cores it waits
for little more than the longest.

Each check prints and fails exactly as it would alone: what it prints is
kept and printed by this process, check by check in :data:`CHECKS` order,
and the build fails with every failing check's message. Every check runs
even when another fails, so one publication names every problem.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from council_publish.linkcheck import check_links_step
from council_publish.output_scan import scan_output_step
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


def check_output_step(ctx: Any, checks: tuple[Callable[[Any], None], ...] = CHECKS) -> None:
    """council-build step: every check of the output; any failure fails the build."""
    jobs = min(len(checks), os.cpu_count() or 1)
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            results = [future.result() for future in [pool.submit(_run, check, ctx) for check in checks]]
    else:
        results = [_run(check, ctx) for check in checks]
    failures = []
    for out, err, failure in results:
        print(out, end="")
        print(err, end="", file=sys.stderr)
        if failure is not None:
            failures.append(failure)
    if failures:
        raise BuildFailed("。".join(failures))
