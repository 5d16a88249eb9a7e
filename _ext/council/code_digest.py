"""Which code a kept result depends on: its modules and the project modules they import.

Results kept across builds (the release history's comparisons, the output
checks' results) are keyed by a digest of the code that made them. A module's
own source is not enough: the history's comparison formats clause names with
``council.html.link_names``, the privacy scan's detectors live in
``council.read``. :func:`code_files` follows the ``import`` statements (at any
depth, inside functions too) through the project's packages, so a change to any
module a result depends on makes a new key, and a kept result is never stale.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any


def code_files(modules: Iterable[ModuleType], project: tuple[str, ...] = ("council",)) -> list[str]:
    """The source files of *modules* and of every module of the packages *project* they
    import, directly or not, found by reading their ``import`` statements."""
    return sorted(_sources(modules, project).values())


def _sources(modules: Iterable[ModuleType], project: tuple[str, ...]) -> dict[str, str]:
    """Module name -> source file, for :func:`code_files`."""
    seen: dict[str, str] = {}
    todo = [(module.__name__, module.__file__) for module in modules]
    while todo:
        name, file = todo.pop()
        if name in seen or not file:
            continue
        seen[name] = file
        for node in ast.walk(ast.parse(Path(file).read_bytes(), file)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            for imported in names:
                if imported.split(".", 1)[0] not in project or imported in seen:
                    continue
                try:
                    spec = importlib.util.find_spec(imported)
                except (ImportError, ValueError):
                    spec = None
                if spec is not None and spec.origin and spec.origin.endswith(".py"):
                    todo.append((imported, spec.origin))
    return seen


def code_digest(modules: Iterable[ModuleType], project: tuple[str, ...] = ("council",)) -> Any:
    """A SHA-256 (to update further) of each module of :func:`code_files` by name and
    source bytes: the same wherever the project is checked out."""
    digest = hashlib.sha256()
    for name, file in sorted(_sources(modules, project).items()):
        digest.update(name.encode() + b"\0" + Path(file).read_bytes() + b"\0")
    return digest
