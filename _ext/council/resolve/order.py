"""The order of the work done on a page after reading, in one list.

When a page is written, Sphinx runs its post-transforms by priority, then
emits ``doctree-resolved`` (whose handlers also run by priority), then hands
the page to the writer. This module is the one place that says what the site
does there and in which order, with the reason for each position:

- :data:`POST_TRANSFORMS`: the site's post-transforms in the order they run;
  their priorities are *derived* from that order (:func:`priority`), so
  moving a step is moving its line. Every builder (or only the ``formats``
  given) runs them. Upstream post-transforms fix the band they fall in:
  Sphinx's ``ReferencesResolver`` (10) has resolved the cross-references
  before the first step (a step that makes ``pending_xref`` nodes would
  leave them unresolved, so steps make finished links), furo wraps the
  tables of the source (500, HTML) before the first step, Sphinx's LaTeX
  footnote transform (600) runs just before the need rendering (same
  priority, registered first);
- :data:`DOCTREE_RESOLVED`: what still runs at ``doctree-resolved``, after
  every post-transform. Its priorities are relative to sphinx-needs, which
  does its own work there (``needextract`` at 100; need layouts, tables and
  flows at 500): a step is here only when it must see what sphinx-needs made,
  or is still to be converted (``todo``).

:func:`setup_order` gives every listed post-transform its priority;
``tests/resolve/test_stage_order.py`` checks that the build registers
exactly what is listed here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from sphinx.application import Sphinx


@dataclass(frozen=True)
class Step:
    """One piece of work on a written page."""

    name: str
    #: ``module:attribute`` of the post-transform class or the handler.
    target: str
    why: str
    #: Builder formats it runs for (empty: every builder).
    formats: tuple[str, ...] = ()
    #: ``doctree-resolved`` only: the priority, relative to sphinx-needs' handlers.
    at: int | None = None
    #: Still to be done on this step (who converts it, what is left), for the lead.
    todo: str = ""


#: Priority of the first post-transform; the next ones follow every PRIORITY_STEP.
FIRST_PRIORITY = 590
PRIORITY_STEP = 5

POST_TRANSFORMS: tuple[Step, ...] = (
    Step("relying-cases", "council.resolve.relying_cases:RelyingCases",
         "adds the relying cases after each clause and checklist item need node: "
         "before those nodes are printed or rendered (they are gone afterwards)"),
    Step("print-needs", "council.latex.print_record:PrintNeeds",
         "prints every need, and a case's coverage in place of its case-trace placeholder, "
         "from the needs data: before the need rendering, which would otherwise lay them out",
         formats=("latex",)),
    Step("need-rendering", "council.html.render:NeedRendering",
         "renders the needs left after printing for every builder: before the HTML case page "
         "layout, which reads the rendered case box and measures"),
    Step("case-page-layout", "council.html.case_page:CasePageLayout",
         "orders the case page and wraps its case-trace placeholder in the reviewer material "
         "(the notes go before it): before the trace views replace the placeholder; its "
         "rewriting of literal need IDs must not reach the IDs of the trace tables",
         formats=("html",)),
    Step("trace-views", "council.resolve.trace_views:ResolveTraceViews",
         "replaces the trace placeholders by matrices, coverage, graphs and diffs: after the "
         "print (which replaces the case placeholders of a PDF) and the case page layout; "
         "its links are finished references, so the resolved references are not needed"),
    Step("browse-lists", "council.directives.browse:ResolveBrowseLists",
         "replaces the case lists and figures placeholders; depends on no other step"),
    Step("suspect-list", "council.rules.suspect:ResolveSuspectLinks",
         "replaces the suspect links placeholder by its table; depends on no other step"),
    Step("release-history", "council.views.history:ReleaseHistory",
         "fills the 更新履歴 page from the releases, in every builder (the reference volume "
         "prints it); depends on no other step"),
    Step("case-history", "council.views.history:CaseHistory",
         "adds 「この案件の更新履歴」 to a case page: after case-page-layout, which would "
         "otherwise move it among the reviewer material", formats=("html",)),
    Step("pdf-link", "council.html.downloads:PdfLink",
         "the PDF line under the title of a case page whose downloads do not list its PDF "
         "(a page sphinx-needs laid out itself): after case-page-layout, which adds the downloads",
         formats=("html",)),
)

DOCTREE_RESOLVED: tuple[Step, ...] = (
    Step("stable-container-ids", "council.outputs.reproducible:_stable_container_ids",
         "renumbers the random SNCB- ids that sphinx-needs gives to the need containers it lays "
         "out itself at doctree-resolved (500): must run after it, so stays here", at=900),
    Step("print-need-boxes", "council.latex.documents:_print_needs",
         "turns the layout tables of the needs sphinx-needs laid out (500) into breakable boxes, "
         "and sets every table for the page: after "
         "sphinx-needs", formats=("latex",), at=900),
)


def priority(name: str) -> int:
    """The priority of the post-transform or ``doctree-resolved`` handler *name*."""
    for index, step in enumerate(POST_TRANSFORMS):
        if step.name == name:
            return FIRST_PRIORITY + PRIORITY_STEP * index
    for step in DOCTREE_RESOLVED:
        if step.name == name and step.at is not None:
            return step.at
    raise KeyError(f"no step {name!r} in council.resolve.order")


def load(step: Step) -> object:
    """The class or function *step* names."""
    module, _, attribute = step.target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def setup_order(app: Sphinx) -> None:
    """Give each listed post-transform its priority from the list (whoever registers it)."""
    for step in POST_TRANSFORMS:
        load(step).default_priority = priority(step.name)
