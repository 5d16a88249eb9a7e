"""Workarounds for the libraries the site is built with, in one place, with one switch.

Each :class:`Workaround` names the library and the exact version it was
written for, what it changes and why, and the ready upstream patch that would
make it unnecessary (``patches/*.diff``, a unified diff against that version's
source, to be offered upstream). A workaround is installed when a build
starts (``builder-inited``) and removed when the build ends
(``build-finished``), so nothing else running in the process keeps it, and
only when the installed library is the version it was written for: another
version builds unchanged, only slower.

``council_compat = False`` (``sphinx-build -D council_compat=0``) builds with
every library exactly as released. ``tests/compat/`` builds the site both
ways and compares the output byte for byte, and checks each function against
the original it replaces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from council.config import council_config

PATCH_DIR = Path(__file__).parent / "patches"


@dataclass(frozen=True)
class Workaround:
    name: str
    package: str
    version: str
    #: What it changes and why (one sentence; the module docstring has the rest).
    summary: str
    install: Callable[[], None]
    remove: Callable[[], None]
    #: File name of the upstream patch in ``patches/``, or "" with the reason in *upstream*.
    patch: str = ""
    upstream: str = ""
    #: Event handlers the workaround needs while the build runs: (event, handler, priority).
    handlers: tuple[tuple[str, Callable[..., Any], int], ...] = field(default=())

    def fits(self) -> bool:
        try:
            return metadata.version(self.package) == self.version
        except metadata.PackageNotFoundError:
            return False


def registry() -> list[Workaround]:
    """Every workaround, in the order they are installed."""
    from council.compat import (
        docutils_findall, gc_tuning, sphinx_design, sphinx_env_save, sphinx_events, sphinx_graphviz,
        sphinx_needs,
    )

    return [*docutils_findall.WORKAROUNDS, *sphinx_needs.WORKAROUNDS, *sphinx_events.WORKAROUNDS,
            *sphinx_graphviz.WORKAROUNDS, *sphinx_design.WORKAROUNDS, *sphinx_env_save.WORKAROUNDS,
            *gc_tuning.WORKAROUNDS]


def set_aside(app: Sphinx, event: str, handler: Callable[..., Any], attribute: str) -> None:
    """A library's listener of *event* (its function *handler*) disconnected for this build
    and kept under *attribute* of the application, for :func:`put_back` when the build ends."""
    for listener in list(app.events.listeners.get(event, [])):
        if listener.handler is handler:
            app.disconnect(listener.id)
            setattr(app, attribute, (event, listener))


def stand_in(app: Sphinx, event: str, handler: Callable[..., Any], replacement: Callable[..., Any],
             attribute: str) -> None:
    """A library's listener of *event* (its function *handler*) replaced by *replacement*
    for this build, in its place (the same priority, before and after the same listeners);
    the listener is kept under *attribute* for :func:`put_back`."""
    listeners = app.events.listeners.get(event, [])
    for index, listener in enumerate(listeners):
        if listener.handler is handler:
            listeners[index] = listener._replace(handler=replacement)
            setattr(app, attribute, (event, listener))


def put_back(app: Sphinx, attribute: str) -> None:
    """The listener :func:`set_aside` kept under *attribute* connected again, or the one
    :func:`stand_in` replaced in its place again."""
    kept = getattr(app, attribute, None)
    if kept is None:
        return
    setattr(app, attribute, None)
    event, listener = kept
    listeners = app.events.listeners.get(event, [])
    for index, current in enumerate(listeners):
        if current.id == listener.id:
            listeners[index] = listener
            return
    app.connect(event, listener.handler, priority=listener.priority)


def nothing() -> None:
    """The install and remove of a workaround that changes only the build's listeners
    (its :attr:`Workaround.handlers`), nothing global."""


#: Attribute of the application: the workarounds installed for its build.
_INSTALLED = "_council_compat_installed"


def installed(app: Sphinx) -> list[str]:
    """Names of the workarounds installed for *app*'s build."""
    return list(getattr(app, _INSTALLED, []))


def _install(app: Sphinx) -> None:
    done: list[Workaround] = []
    if council_config(app).compat:
        for workaround in registry():
            if workaround.fits():
                workaround.install()
                done.append(workaround)
    setattr(app, _INSTALLED, [w.name for w in done])
    app._council_compat_objects = done  # type: ignore[attr-defined]


def _remove(app: Sphinx, exception: BaseException | None) -> None:
    for workaround in reversed(getattr(app, "_council_compat_objects", [])):
        workaround.remove()
    app._council_compat_objects = []  # type: ignore[attr-defined]


def setup_compat(app: Sphinx) -> None:
    from council.compat.gc_tuning import quiet_env_load

    # the saved environment is loaded after config-inited, before builder-inited
    app.connect("config-inited", quiet_env_load, priority=900)
    # first of all builder-inited handlers, last of all build-finished ones
    app.connect("builder-inited", _install, priority=1)
    app.connect("build-finished", _remove, priority=999)
    for workaround in registry():
        for event, handler, priority in workaround.handlers:
            app.connect(event, handler, priority=priority)
