"""A fix to sphinx-design 0.8.0 for large sites: no search of every written page for a
new-tab mark the site's pages cannot carry.

sphinx-design connects ``_resolve_new_tab_refs`` to ``doctree-resolved``: on every page
written it visits every node (``findall`` with a Python predicate) for an element marked
``sd_new_tab``, the mark a card's ``link-new-tab`` or a button's ``new-tab`` option sets,
to give that element's links ``target="_blank"``. This site's content profile
(:mod:`council.read.content_profile`) refuses those options on every page, and the
site's own code never sets the mark, so the search finds nothing, on pages made of
large tables: at N = 1,000 it was 9.9 s of the 240 s the workers spent writing pages
(``docs/performance.md``).

So, while the profile refuses every option of sphinx-design that sets the mark
(:func:`profile_allows_new_tabs`), the handler is disconnected for the build and
connected again when the build ends. A profile that allows one keeps it.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from council.compat import Workaround, nothing

PATCHED_VERSION = "0.8.0"

#: The options of sphinx-design 0.8.0 that mark an element ``sd_new_tab``, by directive.
NEW_TAB_OPTIONS = {
    "card": "link-new-tab",
    "grid-item-card": "link-new-tab",
    "button-link": "new-tab",
    "button-ref": "new-tab",
}

#: Attribute of the application: the handler disconnected for its build.
_DISCONNECTED = "_council_new_tab_walk"


def profile_allows_new_tabs() -> bool:
    """Whether any page may use an option that sets the new-tab mark."""
    from council.read.content_profile import DIRECTIVES

    for directive, option in NEW_TAB_OPTIONS.items():
        rule = DIRECTIVES.get(directive)
        if rule is not None and (rule.options is None or option in rule.options):
            return True
    return False


def _disconnect(app: Sphinx) -> None:
    from sphinx_design import extension

    from council.compat import installed, set_aside

    if "sphinx-design-new-tab-walk" in installed(app) and not profile_allows_new_tabs():
        set_aside(app, "doctree-resolved", extension._resolve_new_tab_refs, _DISCONNECTED)


def _reconnect(app: Sphinx, exception: BaseException | None) -> None:
    from council.compat import put_back

    put_back(app, _DISCONNECTED)


WORKAROUNDS = [
    Workaround(
        "sphinx-design-new-tab-walk", "sphinx-design", PATCHED_VERSION,
        "no search of every written page for the new-tab mark of options the content profile refuses",
        nothing, nothing,
        upstream="none: sphinx-design cannot know that no page carries the mark without looking; "
                 "this site knows from its content profile",
        handlers=(
            # after the workarounds are installed (builder-inited, 1)
            ("builder-inited", _disconnect, 2),
            # before they are removed (build-finished, 999)
            ("build-finished", _reconnect, 998),
        ),
    ),
]
