"""Steps that concern a few pages do not walk the others: a directive marks its
page when it is read, and the step looks at the mark before walking the page's
tree (at N = 1,000 every walk of every page costs the workers seconds)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from docutils import nodes
from docutils.utils import new_document

from council.html.elements import html_forms
from council.html.neutral_nodes import DETAILS, DETAILS_SUMMARY, NEED_ID
from council.resolve.placeholders import page_marked
from council.rules.suspect import PAGE_MARK as SUSPECT, ResolveSuspectLinks, suspect_placeholder
from council.views.history import PAGE_MARK as HISTORY, ReleaseHistory, history_placeholder


class _PageBuilder:
    format = "html"


class _VolumeBuilder(_PageBuilder):
    """Joins pages into one tree, as the LaTeX builder does."""

    def assemble_doctree(self) -> None: ...


def _document(docname: str, metadata: dict[str, Any], builder: object) -> nodes.document:
    app = SimpleNamespace(builder=builder)
    env = SimpleNamespace(docname=docname, metadata=metadata, _app=app)
    app.env = env
    document = new_document(docname)
    document.settings.env = env
    return document


def _walks(document: nodes.document) -> list[object]:
    """Record each walk of *document* from its root."""
    seen: list[object] = []
    original = document.findall

    def findall(condition: object = None, *args: Any, **kwargs: Any) -> Any:
        seen.append(condition)
        return original(condition, *args, **kwargs)

    document.findall = findall  # type: ignore[method-assign]
    return seen


def test_a_page_is_marked_by_its_metadata_and_a_volume_always() -> None:
    metadata = {"docs/history": {HISTORY: True}, "cases/a": {}}
    assert page_marked(_document("docs/history", metadata, _PageBuilder()).settings.env._app, HISTORY)
    assert not page_marked(_document("cases/a", metadata, _PageBuilder()).settings.env._app, HISTORY)
    assert not page_marked(_document("cases/new", metadata, _PageBuilder()).settings.env._app, HISTORY)
    # a volume's tree holds the history page whatever page it starts from
    assert page_marked(_document("cases/a", metadata, _VolumeBuilder()).settings.env._app, HISTORY)


@pytest.mark.parametrize(("step", "mark", "placeholder"), [
    (ReleaseHistory, HISTORY, history_placeholder),
    (ResolveSuspectLinks, SUSPECT, suspect_placeholder),
])
def test_a_page_without_the_mark_is_not_walked(step: Any, mark: str, placeholder: type) -> None:
    document = _document("cases/a", {"cases/a": {}}, _PageBuilder())
    walks = _walks(document)
    step(document).apply()
    assert walks == []
    # a marked page is walked for its placeholders (here none: nothing to replace)
    document = _document("docs/x", {"docs/x": {mark: True}}, _PageBuilder())
    document += nodes.paragraph("", "本文")
    walks = _walks(document)
    step(document).apply()
    assert walks == [placeholder]


def test_html_forms_walks_the_page_once_and_changes_what_three_walks_did() -> None:
    document = new_document("cases/a")
    toggle = nodes.container(classes=[DETAILS])
    toggle += nodes.paragraph("", "本文", classes=[DETAILS_SUMMARY])
    link = nodes.reference("", "SG_2020_A_01", classes=[NEED_ID], refid="x")
    toggle += nodes.paragraph("", "", link)
    literal = nodes.literal("", "CL_B_10")
    toggle += nodes.paragraph("", "", literal)
    document += toggle
    document += nodes.paragraph("", "", nodes.literal("", "not_an_id"))
    walks = _walks(document)
    html_forms(document)
    assert len(walks) == 1
    shown = document.pformat()
    assert "<container" not in shown and "<details" in shown
    # the link and the literal inside the toggle both became breakable IDs
    assert shown.count("<need_id_text>") == 2
    other = document[-1][0]
    assert isinstance(other, nodes.literal) and other.children == [nodes.Text("not_an_id")]
