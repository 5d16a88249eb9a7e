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
