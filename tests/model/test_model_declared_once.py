"""Each concept of the content model is declared once, in ubproject.toml.

Code reads need types (by their role in ``[council.roles]``), link types, type
titles and colours, and the allowed values of enumerated fields from
:mod:`council.model`. A collection literal in the code that spells two or more
of them is a second declaration that drifts when the model changes; this test
names each one by file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from council.model.content_model import ContentModel, load_model
from helpers import REPO

MODEL = load_model(REPO / "ubproject.toml")
EXT = REPO / "_ext"
#: The model package is where the declarations are read; everything else reads it.
SOURCES = sorted(p for p in EXT.rglob("*.py") if "model" not in p.relative_to(EXT).parts[1:2])


def vocabularies(model: ContentModel) -> dict[str, set[str]]:
    """What the model declares, each as the set of its spellings."""
    found = {
        "need types": set(model.type_titles),
        "type titles": set(model.type_titles.values()),
        "link types": set(model.link_labels),
        "type colours": {colour.lower() for colour in model.type_colors.values()},
    }
    for name in model.field_schemas:
        values = model.field_values(name)
        if len(values) >= 2:
            found[f"values of the field '{name}'"] = set(values)
    return found


VOCABULARIES = vocabularies(MODEL)


def spelled_vocabularies(source: str, filename: str) -> list[str]:
    """``file:line: kind [names]`` for each literal that spells two or more names of one vocabulary."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
            continue
        elements = node.keys if isinstance(node, ast.Dict) else node.elts
        # a dict keyed by link names is a need's record (its links as fields), not a list of links
        record = isinstance(node, ast.Dict)
        strings = {
            e.value.lower() if e.value.startswith("#") else e.value
            for e in elements
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        }
        for kind, names in VOCABULARIES.items():
            if len(strings & names) >= 2 and not (record and kind == "link types"):
                found.append(f"{filename}:{node.lineno}: {kind} {sorted(strings & names)}")
    return found


def test_the_model_has_the_vocabularies_the_check_looks_for() -> None:
    assert len(SOURCES) > 40
    assert {"case", "entrustment", "development", "safeguard", "clause"} <= VOCABULARIES["need types"]
    assert {"part_of", "satisfies", "binds"} <= VOCABULARIES["link types"]
    assert "values of the field 'council'" in VOCABULARIES
    assert MODEL.roles.works == ("entrustment", "development")


@pytest.mark.parametrize(
    "source, expected",
    [
        ('WORK_TYPES = ("entrustment", "development")\n', "need types ['development', 'entrustment']"),
        ('if kind in {"safeguard", "exemption"}:\n    pass\n', "need types ['exemption', 'safeguard']"),
        ('LINKS = ["satisfies", "binds"]\n', "link types ['binds', 'satisfies']"),
        ('COLOURS = {"case": "#D7E8F7", "clause": "#e6e0f4"}\n', "need types ['case', 'clause']"),
        ('COUNCILS = ("情報公開・個人情報保護審議会", "個人情報保護管理運営会議")\n',
         "values of the field 'council' ['個人情報保護管理運営会議', '情報公開・個人情報保護審議会']"),
        ('TITLES = ["案件", "業務委託"]\n', "type titles ['案件', '業務委託']"),
    ],
)
def test_the_check_finds_a_spelled_vocabulary(source: str, expected: str) -> None:
    assert f"bad.py:1: {expected}" in spelled_vocabularies(source, "bad.py")


def test_one_name_alone_is_not_a_vocabulary() -> None:
    assert spelled_vocabularies('KIND = ("case", "something else")\n', "ok.py") == []


def test_a_need_record_with_its_links_is_not_a_list_of_links() -> None:
    assert spelled_vocabularies('need = {"id": "X", "part_of": "C", "terms": "ED_A"}\n', "ok.py") == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(EXT)))
def test_no_model_vocabulary_is_spelled_in_code(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert spelled_vocabularies(source, str(path.relative_to(REPO))) == []
