"""``python -m council_publish.sphinx_run ARGS``: ``sphinx-build ARGS``, then an exit
that does not free the build's objects one by one.

A build of 1,000 cases holds about 1.5 GB of Python objects (the environment,
its needs, sphinx-needs' views). When ``sphinx-build`` returns, the interpreter
finalises its modules and deallocates every one of those objects before the
process ends; the kernel would reclaim the same memory at once. Measured at
N = 1,000 (``docs/performance.md``): a LaTeX build that finished its work in
28.5 s took 40.8 s to exit. ``council-build`` runs its Sphinx builds through
this module, which flushes the standard streams and the logging handlers,
runs the functions registered with :mod:`atexit`, and ends the process with
:func:`os._exit` (as mypy's ``hard_exit`` does for the same reason).

Nothing is lost: Sphinx writes and closes each output file itself; only
objects in memory are left to the kernel. ``sphinx-build`` itself is unchanged
for anyone who runs it directly.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys


def main(argv: list[str]) -> int:
    """Run ``sphinx-build`` with *argv*; its exit status."""
    from sphinx.cmd.build import main as sphinx_main

    return sphinx_main(argv)


def hard_exit(status: int) -> None:  # pragma: no cover - ends the process
    """End the process with *status* after what a normal exit would write, without freeing memory."""
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover - the entry point
    hard_exit(main(sys.argv[1:]))
