"""Interface text and markup fixes applied to every HTML page (council.html.ui_text)."""

from __future__ import annotations

from council.html.ui_text import TABLE_WRAPPER_LABEL, translate


def test_a_table_that_scrolls_sideways_can_take_the_keyboard_focus() -> None:
    body = translate('<div class="table-wrapper colwidths-auto docutils container"><table></table></div>')
    assert body == (f'<div class="table-wrapper colwidths-auto docutils container" tabindex="0" role="region" '
                    f'aria-label="{TABLE_WRAPPER_LABEL}"><table></table></div>')


def test_permalink_titles_are_in_japanese() -> None:
    assert translate('<a title="Link to this heading">') == '<a title="この見出しへのリンク">'
