"""council.config: every value declared once, checked once with a Japanese message."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sphinx.errors import ConfigError

from council.config import PREFIX, CouncilConfig, load


def _config(**values) -> SimpleNamespace:
    defaults = {PREFIX + name: value for name, value in vars(CouncilConfig()).items()}
    return SimpleNamespace(**{**defaults, **{PREFIX + k: v for k, v in values.items()}})


def test_defaults_load_unchanged() -> None:
    assert load(_config()) == CouncilConfig()


@pytest.mark.parametrize("given, expected", [(0, False), ("0", False), ("1", True), (True, True)])
def test_command_line_switches_are_read_as_booleans(given, expected) -> None:
    assert load(_config(compat=given)).compat is expected


def test_a_wrong_type_is_refused_naming_the_setting() -> None:
    with pytest.raises(ConfigError) as info:
        load(_config(compat="maybe"))
    assert str(info.value) == "設定 council_compat の値 'maybe' は使えません（bool で指定してください）"


def test_the_configuration_object_cannot_be_changed_after_loading() -> None:
    config = load(_config())
    with pytest.raises(AttributeError):
        config.compat = False  # type: ignore[misc]


def test_a_value_below_its_minimum_is_refused() -> None:
    with pytest.raises(ConfigError) as info:
        load(_config(navigation_maxdepth=0))
    assert str(info.value) == "設定 council_navigation_maxdepth の値 0 は 1 以上にしてください"


def test_no_module_registers_or_reads_a_council_value_itself() -> None:
    """One configuration object: only council.config registers values, others read the object."""
    import re
    from pathlib import Path

    ext = Path(__file__).resolve().parents[2] / "_ext"
    offenders = []
    for path in sorted(ext.rglob("*.py")):
        if path.name == "config.py" and path.parent.name == "council":
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"add_config_value\(\s*[\"']council_|config\.council_\w+", text):
            line = text.count("\n", 0, match.start()) + 1
            offenders.append(f"{path.relative_to(ext)}:{line}: {match.group(0)}")
    assert offenders == []
