"""A fix to Sphinx 9.0.4 for large sites: events emitted without a copy of their arguments as text.

``EventManager.emit`` formats ``repr(args)`` for a debug message on every
event, before the logger decides whether the message is shown (only with
``-vv``). sphinx-needs emits ``needs-before-post-processing`` and
``needs-before-sealing`` with every need of the site as the argument, so each
build wrote every need out as text and threw the text away: at 300
synthetic cases 270 MB held at once, nearly all the post-processing's peak
of memory (measured with memray, ``docs/performance.md``), and about three
times as much at 1,000 cases.

The workaround gives ``sphinx.events`` a bounded :func:`reprlib.repr` in
place of the built-in ``repr`` it calls there (the module's only use of
``repr``): the debug message shows the start of the arguments, as Sphinx's
own message did in earlier releases (``repr(args)[:100]``); nothing else
changes.
Patch: ``sphinx-9.0.4-emit-repr.diff``.
"""

from __future__ import annotations

import reprlib

import sphinx.events

from council.compat import Workaround

PATCHED_VERSION = "9.0.4"

#: Limits of the debug message's text of the arguments (a few items of each collection).
_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxdict = _REPR.maxlist = _REPR.maxtuple = _REPR.maxset = 4
_REPR.maxstring = _REPR.maxother = 80


def bounded_repr(value: object) -> str:
    """The start of ``repr(value)``: a few items of each collection, long texts cut."""
    return _REPR.repr(value)


def _install() -> None:
    sphinx.events.repr = bounded_repr  # type: ignore[attr-defined]


def _remove() -> None:
    sphinx.events.__dict__.pop("repr", None)


WORKAROUNDS = [
    Workaround(
        "sphinx-emit-repr", "sphinx", PATCHED_VERSION,
        "an event's debug message formats a bounded repr of its arguments, not every need of the site",
        _install, _remove,
        patch="sphinx-9.0.4-emit-repr.diff",
    ),
]
