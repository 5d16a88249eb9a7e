"""Line breaks inside Japanese sentences are dropped, English spacing kept."""

import pytest

from council.cjk import join_cjk_lines


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("付されたもの。\n19項版と比べ", "付されたもの。19項版と比べ"),
        ("個人情報保護対策\nチェックリスト", "個人情報保護対策チェックリスト"),
        ("an English\nsentence", "an English\nsentence"),
        ("see\n特記事項", "see特記事項"),
        ("行末の空白  \n次の行", "行末の空白次の行"),
    ],
)
def test_join_cjk_lines(text, joined):
    assert join_cjk_lines(text) == joined
