"""Pure checks of the content profile and the date rules."""

from __future__ import annotations

import datetime

import pytest

from council.read.profile_checks import (
    front_matter_problems,
    graphviz_script_urls,
    is_declarative_filter,
    is_script_url,
)
from council.rules.validation import fiscal_year_of, parse_start


@pytest.mark.parametrize("expression", [
    'type == "safeguard" and trace == "提案"',
    'not (status in ["open", "closed"]) or number != 3',
    '"CL_B_13" in binds',
])
def test_declarative_filters_pass(expression):
    assert is_declarative_filter(expression)


@pytest.mark.parametrize("expression", [
    "__import__('os').system('x') == 0",
    "id.startswith('SG')",
    "binds[0] == 'CL_B_13'",
    "_ == 1",
    "[x for x in binds]",
    "lambda: 1",
    "type == 'a' if True else 'b'",
    "type ==",
])
def test_code_filters_are_refused(expression):
    assert not is_declarative_filter(expression)


@pytest.mark.parametrize(("url", "script"), [
    ("javascript:alert(1)", True),
    (" JavaScript:alert(1)", True),
    ("java\tscript:alert(1)", True),
    ("vbscript:msgbox", True),
    ("data:text/html,<script>", True),
    ("https://example.com/javascript:", False),
    ("../cases/x.html", False),
])
def test_script_urls(url, script):
    assert is_script_url(url) is script


def test_graphviz_link_attributes():
    code = 'digraph { a [URL="javascript:alert(1)"]; b [href=<vbscript:x>]; c [URL="https://x"]; }'
    assert graphviz_script_urls(code) == ["javascript:alert(1)", "vbscript:x"]


def test_front_matter_alias_is_refused_and_blanked():
    text = "---\na: &a [1]\nb: *a\n---\n# 見出し\n"
    problems, parsed = front_matter_problems(text, "content")
    assert [(p.lineno, p.message) for p in problems] == [
        (2, "フロントマターに YAML のアンカー・エイリアス（&・*）は使えません"),
    ]
    assert parsed == "\n\n\n\n# 見出し\n"


def test_front_matter_allowed_key_is_kept():
    text = "---\norphan: true\n---\n# 見出し\n"
    assert front_matter_problems(text, "content") == ([], text)


def test_front_matter_site_key_is_refused_on_case_pages():
    problems, _ = front_matter_problems("---\ntocdepth: 2\n---\n", "content")
    assert [p.lineno for p in problems] == [2]
    assert front_matter_problems("---\ntocdepth: 2\n---\n", "site")[0] == []


@pytest.mark.parametrize(("value", "day"), [
    ("2025-02-28", datetime.date(2025, 2, 28)),
    ("2024-02-29", datetime.date(2024, 2, 29)),
    ("2025-09", datetime.date(2025, 9, 1)),
    ("2025-02-30", None),
    ("2025-02-29", None),
    ("0000-01-01", None),
])
def test_parse_start(value, day):
    assert parse_start(value) == day


@pytest.mark.parametrize(("day", "year"), [
    (datetime.date(2018, 2, 1), 2017),
    (datetime.date(2018, 3, 31), 2017),
    (datetime.date(2018, 4, 1), 2018),
    (datetime.date(2019, 1, 1), 2018),
])
def test_fiscal_year_of(day, year):
    assert fiscal_year_of(day) == year
