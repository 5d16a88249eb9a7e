"""The exports written by a forked process while Sphinx writes the pages.

An HTML build's last quarter was the open-data exports (:func:`council.outputs.exports.exported`),
one process's work in Python after every page was written, while the second CPU
stood idle: at N = 1,000 after one edit, 24 s of an 88 s build (making the
tables across cases, each case's key, writing the workbooks whose data changed).
They need only the needs as finished, which are fixed once Sphinx starts writing
(``write-started``, after sphinx-needs' post-processing). So there this process forks: the
child makes and writes the exports (and sphinx-needs' ``needs.json``, by a child of its own:
:func:`council.outputs.exports._make_with_needs_json`) and sends back the exports' outlines
(what the open-data page's JSON-LD and ``datapackage.json`` need); the parent checks the
rules and writes the pages meanwhile, and takes the outlines when it first needs them, at
the latest at ``build-finished``.

The child writes only what the exports write (``exports/`` and their records in
the doctrees) and ``needs.json``, which the parent does not touch. It sends back any warning it
logs, for the parent to log (so ``-W`` counts it), or the error that stopped it,
which fails the build. It is stopped and reaped when the build fails first, and
gets SIGTERM if the parent dies. The forked child shares the parent's memory until
either writes to it, and it comes to copy most of it: not forked unless the
memory available holds twice this process (:func:`room_for_a_copy`), nor with
one CPU, where it would only add a copy.
"""

from __future__ import annotations

import ctypes
import gc
import logging as std_logging
import os
import pickle
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

def _attribute(task: str) -> str:
    """Attribute of the Sphinx application: the running child of *task* (its pid, the read
    end of its pipe, and its parent's pid)."""
    return f"_council_{task.replace(' ', '_')}_child"


_CHILD = _attribute("exports")


class _Warnings(std_logging.Handler):
    """The child's warnings (Sphinx's loggers are below ``sphinx``), kept to be sent back."""

    def __init__(self) -> None:
        super().__init__(std_logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: std_logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def start(app: Sphinx, make: Any, task: str = "exports") -> None:
    """Run ``make(app)`` (which returns the outlines) in a forked child; :func:`collect` takes its result.
    *task* names the child (one of each at a time): the release history, too, is made in a
    child while the pages are read (:mod:`council.views.history`)."""
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its work is checked through the parent
        os.close(read_end)
        _child(app, make, write_end)
    os.close(write_end)
    setattr(app, _attribute(task), (pid, read_end, os.getpid()))


def _child(app: Sphinx, make: Any, write_end: int) -> None:  # pragma: no cover - runs in the child
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    # What the child inherits is alive as long as it runs: out of its collector's sight, so
    # the collections of the tables it makes do not scan the build's heap again (N = 1,000
    # after one edit: 32.8 s of CPU -> 30.8 s; cycles among those objects are never garbage
    # here, and the child ends with os._exit).
    gc.freeze()
    warnings = _Warnings()
    std_logging.getLogger("sphinx").addHandler(warnings)
    try:
        result: tuple[str, Any, list[str]] = ("done", make(app), warnings.messages)
    except BaseException:  # noqa: BLE001 - every failure goes back to the parent
        result = ("failed", traceback.format_exc(), warnings.messages)
    try:
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(result, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(0)  # no atexit, no flush of what the parent inherited


def running(app: Sphinx, task: str = "exports") -> bool:
    """Whether a child started by this process is to be collected (not in a process forked since)."""
    child = getattr(app, _attribute(task), None)
    return child is not None and child[2] == os.getpid()


def collect(app: Sphinx, task: str = "exports") -> Any:
    """The child's result (waiting for it); its warnings logged here; its error raised."""
    pid, read_end, _ = getattr(app, _attribute(task))
    setattr(app, _attribute(task), None)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise ExtensionError(f"council: the process making the {task} ended without a result (status {status})")
    kind, value, warnings = pickle.loads(data)
    for message in warnings:
        logger.warning(message)
    if kind != "done":
        raise ExtensionError(f"council: the {task} failed:\n{value}")
    return value


def stop(app: Sphinx, task: str = "exports") -> None:
    """The child stopped and reaped (the build failed before it was collected)."""
    pid, read_end, _ = getattr(app, _attribute(task))
    setattr(app, _attribute(task), None)
    os.close(read_end)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


def forks(app: Sphinx) -> bool:
    """Whether this build writes its exports in a forked child."""
    return (app.builder.format == "html" and hasattr(os, "fork") and (os.cpu_count() or 1) > 1
            and room_for_a_copy())


def room_for_a_copy() -> bool:
    """Whether the memory available (Linux's MemAvailable) holds twice this process:
    the child comes to copy most of what it shares (reading an object writes its
    reference count), and both go on allocating. N = 1,000: 1.3 GB at the fork, the
    build's processes 3.1 GB together at the peak instead of 1.7 GB."""
    return copies_that_fit(1) == 1


def copies_that_fit(wanted: int) -> int:
    """How many of *wanted* forked copies of this process the memory available holds,
    counting this process once more (see :func:`room_for_a_copy`); 0 when unknown."""
    try:
        resident = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return max(0, min(wanted, int(line.split()[1]) * 1024 // max(resident, 1) - 1))
    except (OSError, ValueError, IndexError):
        pass
    return 0
