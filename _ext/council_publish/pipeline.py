"""The building blocks of a ``council-build`` step: its context and its commands.

Kept apart from :mod:`council_publish.cli`, which lists the steps, so that the
modules defining steps (search, link check, manifest, …) import these without
importing the pipeline that imports them.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class BuildFailed(Exception):
    """A build step failed; the message says which and why."""


class Interrupted(BaseException):
    """The build received SIGINT or SIGTERM (raised by council-build's handler)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass(frozen=True)
class BuildContext:
    source: Path
    staging: Path
    env: dict[str, str]
    #: The Sphinx build kept between publications (:mod:`council_publish.kept_build`), if any.
    kept: Path | None = None

    #: Where Sphinx writes the site; published as a whole or not at all.
    html: Path = field(init=False)
    #: Sphinx's pickled pages, kept in the staging folder (never published).
    doctrees: Path = field(init=False)

    def __post_init__(self) -> None:
        # frozen: the staging folder's layout is derived once, here
        object.__setattr__(self, "html", self.staging / "html")
        object.__setattr__(self, "doctrees", self.staging / ".doctrees")


def run(ctx: BuildContext, what: str, cmd: list[str], cwd: Path | None = None) -> None:
    """Run one command of a step; its failure fails the build."""
    returncode = run_in_group(cmd, cwd=cwd or ctx.source, env=ctx.env)
    if returncode != 0:
        raise BuildFailed(f"{what} failed (exit status {returncode})")


#: prctl(2) option: the signal a child gets when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


try:  # looked up here, not in the forked child (no dlopen between fork and exec)
    _prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
except (OSError, AttributeError):  # pragma: no cover
    _prctl = None


#: Blocked while the child is forked (see :func:`started`).
_STOPS = {signal.SIGINT, signal.SIGTERM}


def _child_setup(mask: set[int]) -> Callable[[], None]:
    def setup() -> None:  # pragma: no cover - runs in the child
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    return setup


@contextlib.contextmanager
def started(cmd: list[str], cwd: Path, env: dict[str, str], stdin: int | None = None,
            stdout: Any = None, pass_fds: tuple[int, ...] = ()) -> Iterator[subprocess.Popen]:
    """*cmd* running in its own process group while the block runs; waited for at
    the block's end. Any interruption stops the whole group.

    sphinx-build, make, latexmk and pagefind start children of their own: an
    interrupted build (SIGINT, SIGTERM, any exception in the block) sends
    SIGTERM to the group, then SIGKILL to what is left, so nothing keeps
    writing into a staging directory that is about to be removed. If this
    process is killed outright, the direct child gets SIGTERM from the kernel.
    With *stdout* (a file), the command's output and errors go there; *pass_fds*
    are descriptors the command inherits (as :class:`subprocess.Popen`'s).
    """
    # SIGINT and SIGTERM wait while the child is forked: a handler that raises in
    # the interpreter's after-fork callbacks is ignored, and the build went on
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=stdin, process_group=0, preexec_fn=_child_setup(mask),
                                stdout=stdout, stderr=None if stdout is None else subprocess.STDOUT, pass_fds=pass_fds)
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        raise
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a signal that came meanwhile is handled here
        yield proc
        proc.wait()
    except BaseException:
        stop_group(proc)
        raise
    finally:
        if proc.stdin is not None:
            proc.stdin.close()


def run_in_group(cmd: list[str], cwd: Path, env: dict[str, str]) -> int:
    """Run *cmd* in its own process group (:func:`started`); its exit status."""
    with started(cmd, cwd, env) as proc:
        pass
    return proc.returncode


def stop_group(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM to *proc*'s process group, SIGKILL after *grace* seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            break
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # the leader is gone; members of its group may still run
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        break


def sphinx_args(ctx: BuildContext, builder: str, outdir: Path, *extra: str, doctrees: Path | None = None) -> list[str]:
    """The arguments of sphinx-build for one builder over *ctx*: warnings are errors,
    every warning is reported, the doctrees are the build's own (or *doctrees*)."""
    return ["-b", builder, "-W", "--keep-going", "-q", "-d", str(doctrees or ctx.doctrees), *extra,
            str(ctx.source), str(outdir)]


def sphinx_command(ctx: BuildContext, builder: str, outdir: Path, *extra: str, doctrees: Path | None = None) -> list[str]:
    # sphinx-build, exiting without freeing the build's objects one by one (council_publish.sphinx_run)
    return [sys.executable, "-m", "council_publish.sphinx_run",
            *sphinx_args(ctx, builder, outdir, *extra, doctrees=doctrees)]


def sphinx(ctx: BuildContext, builder: str, outdir: Path, *extra: str, doctrees: Path | None = None) -> None:
    run(ctx, f"sphinx-build -b {builder}", sphinx_command(ctx, builder, outdir, *extra, doctrees=doctrees))
