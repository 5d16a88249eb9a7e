"""The Sphinx extension does not depend on the tools around it.

``council_publish`` (council-build), ``council_import`` and ``council_bench`` use
the extension ``council``; the extension imports none of them, so a build by
plain ``sphinx-build`` loads no publishing code and the publishing steps can
change without touching what decides the pages (and the kept build's key).
"""

from __future__ import annotations

import ast
from pathlib import Path

EXT = Path(__file__).resolve().parents[2] / "_ext"
OUTSIDE = ("council_publish", "council_import", "council_bench")


def imported(path: Path) -> set[str]:
    """The top-level packages *path* imports, anywhere in the module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_the_extension_imports_none_of_the_tools_around_it() -> None:
    found = {path.relative_to(EXT).as_posix(): sorted(imported(path) & set(OUTSIDE))
             for path in sorted((EXT / "council").rglob("*.py"))}
    assert {path: names for path, names in found.items() if names} == {}


def test_the_check_sees_an_import_in_a_function(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import os\ndef f():\n    from council_publish.pipeline import run\n", encoding="utf-8")
    assert imported(probe) == {"os", "council_publish"}
