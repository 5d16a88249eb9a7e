"""Line breaks inside Japanese sentences are dropped, English spacing kept."""

import pytest

from council.read.cjk import join_cjk_lines


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


def test_soft_breaks_next_to_japanese_are_dropped_in_built_pages(tmp_path, make_app):
    """MyST gives each soft break a text node of its own, after inline markup too."""
    from docutils import nodes

    from council.read.cjk import setup_cjk

    (tmp_path / "conf.py").write_text('extensions = ["myst_parser"]\n', encoding="utf-8")
    (tmp_path / "index.md").write_text(
        "# 見出し\n\nこれは**合成データ**の\n案件です。\nan English\nsentence と\n日本語。\n",
        encoding="utf-8")
    app = make_app("html", srcdir=tmp_path)
    setup_cjk(app)
    app.build()
    paragraph = next(app.env.get_doctree("index").findall(nodes.paragraph))
    assert paragraph.astext() == "これは合成データの案件です。an English\nsentence と日本語。"
