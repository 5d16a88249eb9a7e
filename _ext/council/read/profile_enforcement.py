"""The content profile enforced while a page is read.

* every directive and role is looked up through :class:`ProfileDispatcher`,
  installed for the page being read (the same lookup hook Sphinx itself uses
  for domains), so nested markup and rST inside ``{eval-rst}`` are checked
  too; a refused directive or role never runs;
* front matter is checked (and dropped when refused) before MyST reads it;
* links, image targets and graphviz ``URL=`` attributes with a script URL are
  refused after parsing, wherever they come from.

Each refusal is a ``council.profile`` warning at the file and line. What is
allowed is declared in :mod:`council.read.content_profile`; the checks of what
an allowed directive carries are in :mod:`council.read.profile_checks`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import CustomReSTDispatcher

from council.read.content_profile import (
    CONTENT,
    DIRECTIVES,
    ROLES,
    DirectiveRule,
    allowed_in,
    need_rule,
    profile_of,
    refusal,
)
from council.read.profile_checks import (
    confined_file,
    directive_problems,
    excerpt,
    front_matter_problems,
    is_script_url,
)

logger = logging.getLogger(__name__)


# -------------------------------------------------------------- the look-up


class _AnyOption(dict):
    """An option spec that accepts every option, so a refused directive is
    refused by name instead of failing on an option first."""

    def __init__(self) -> None:
        super().__init__({"class": directives.unchanged})

    def __missing__(self, key: str) -> Callable[[str], str]:
        return directives.unchanged


def _refused_directive(message: str | None = None) -> type[Directive]:
    """A directive that takes any argument, option and body and leaves nothing.

    A refused directive warns with *message*; a block refused before it was
    parsed (see :data:`_DROPPED`) was reported then and is dropped silently.
    """

    class RefusedDirective(Directive):
        has_content = True
        optional_arguments = 1
        final_argument_whitespace = True
        option_spec = _AnyOption()

        def run(self) -> list[nodes.Node]:
            if message is not None:
                _warn(self.state.document, self.lineno, message)
            return []

    return RefusedDirective


@cache
def _guarded_directive(cls: type[Directive], name: str, rule: DirectiveRule, root: Path) -> type[Directive]:
    class GuardedDirective(cls):  # type: ignore[misc, valid-type]
        def run(self) -> list[nodes.Node]:
            document = self.state.document
            source = document.settings.env.doc2path(document.settings.env.docname)
            problems = list(directive_problems(
                name, rule, list(self.arguments), dict(self.options or {}),
                list(self.content or []), root, Path(source).parent,
            ))
            for message in problems:
                _warn(document, self.lineno, message)
            return [] if problems else super().run()

    GuardedDirective.__name__ = f"Guarded{cls.__name__}"
    return GuardedDirective


def _warn(document: nodes.document, lineno: int | None, message: str) -> None:
    env = document.settings.env
    logger.warning(message, type="council", subtype="profile", location=(env.docname, lineno))


class ProfileDispatcher(CustomReSTDispatcher):
    """Directive and role look-up for one page, filtered by its profile.

    Enabled from ``source-read`` inside Sphinx's own per-page dispatcher, so it
    is consulted first and is removed with Sphinx's when the page is read.
    """

    def __init__(self, app: Sphinx, docname: str, rules: dict[str, DirectiveRule]) -> None:
        super().__init__()
        self.app = app
        self.docname = docname
        self.profile = profile_of(docname)
        self.rules = rules
        self.root = Path(app.srcdir)

    def _follow_current_page(self) -> None:
        # Should a page be read outside Sphinx's per-page dispatcher, the
        # profile still follows the page being read.
        current = getattr(self.app.env, "docname", None) or self.docname
        if current != self.docname:
            self.docname, self.profile = current, profile_of(current)

    def directive(self, directive_name: str, language_module: Any, document: nodes.document) -> Any:
        self._follow_current_page()
        name = directive_name.lower()
        if name == _DROPPED:
            return _refused_directive(), []
        rule = self.rules.get(name)
        cls, messages = super().directive(directive_name, language_module, document)
        if cls is None:
            return cls, messages  # a misspelt name: MyST and docutils say it is unknown
        if rule is None or not allowed_in(rule.scope, self.profile):
            return _refused_directive(refusal("ディレクティブ", name, self.profile)), []
        return _guarded_directive(cls, name, rule, self.root), messages

    def role(self, role_name: str, language_module: Any, lineno: int, reporter: Any) -> Any:
        self._follow_current_page()
        name = role_name.lower()
        scope = ROLES.get(name, (None,))[0] if name else CONTENT
        func, messages = super().role(role_name, language_module, lineno, reporter)
        if func is None:
            return func, messages  # a misspelt name: reported as unknown
        if scope is None or not allowed_in(scope, self.profile):
            message = refusal("ロール", name, self.profile)
            return self._refused_role(message), []
        if name != "download":
            return func, messages
        return self._download_role(func), messages

    def _refused_role(self, message: str) -> Callable[..., Any]:
        docname = self.docname

        def refused(name, rawtext, text, lineno, inliner, options=None, content=None):
            logger.warning(message, type="council", subtype="profile", location=(docname, lineno))
            return [nodes.Text(text)], []

        return refused

    def _download_role(self, func: Callable[..., Any]) -> Callable[..., Any]:
        root, docname, app = self.root, self.docname, self.app

        def download(name, rawtext, text, lineno, inliner, options=None, content=None):
            target = re.search(r"<([^<>]*)>\s*$", text)
            path = target.group(1) if target else text
            base = Path(app.env.doc2path(docname)).parent
            if is_script_url(path) or ("://" not in path and confined_file(root, base, path) is None):
                logger.warning(
                    f"ロール「download」のファイル「{excerpt(path)}」はプロジェクトの中の通常の"
                    "ファイルではありません。プロジェクトの中のファイルだけを参照できます",
                    type="council", subtype="profile", location=(docname, lineno),
                )
                return [nodes.Text(text)], []
            return func(name, rawtext, text, lineno, inliner, options or {}, content or [])

        return download


# ------------------------------------------------------------ Sphinx wiring

#: The name a refused ``{eval-rst}`` block is given: dropped without a second warning.
_DROPPED = "council-refused-block"
_EVAL_RST = re.compile(r"(`{3,}|~{3,}|:{3,})\s*\{eval-rst\}")


def _rules(app: Sphinx) -> dict[str, DirectiveRule]:
    from council.model.content_model import model_for

    model = model_for(app)
    rules = dict(DIRECTIVES)
    fields = list(model.field_labels)
    links = list(model.link_labels)
    for need_type, title in model.type_titles.items():
        rules[need_type] = need_rule(need_type, title, fields, links)
    return rules


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    profile = profile_of(docname)
    problems, text = front_matter_problems(source[0], profile)
    for problem in problems:
        logger.warning(problem.message, type="council", subtype="profile",
                       location=(docname, problem.lineno))
    if profile == CONTENT:
        # MyST parses {eval-rst} itself, without a directive look-up.
        lines = text.split("\n")
        for index, line in enumerate(lines):
            if _EVAL_RST.search(line):
                logger.warning(refusal("ディレクティブ", "eval-rst", profile), type="council",
                               subtype="profile", location=(docname, index + 1))
                # The block is dropped, unread and unshown (see ProfileDispatcher).
                lines[index] = _EVAL_RST.sub(lambda m: m.group(1) + "{" + _DROPPED + "}", line)
        text = "\n".join(lines)
    source[0] = text
    ProfileDispatcher(app, docname, _rules(app)).enable()


class RefuseScriptLinks(SphinxTransform):
    """Links and image targets with a script URL, from any markup, are refused."""

    default_priority = 101

    def apply(self, **kwargs: Any) -> None:
        reported: set[tuple[Any, str]] = set()
        for node in list(self.document.findall(nodes.Element)):
            for attribute in ("refuri", "uri", "target"):
                value = node.get(attribute)
                if isinstance(value, str) and is_script_url(value):
                    # A link and its target node carry the same URL: one warning.
                    key = (logging.get_node_location(node), value)
                    if key not in reported:
                        reported.add(key)
                        logger.warning(
                            f"リンク先「{excerpt(value)}」はスクリプトの URL です。"
                            "http(s) のアドレスかサイト内のページを指定してください",
                            type="council", subtype="profile", location=node,
                        )
                    node[attribute] = ""
                    if node.parent is not None and isinstance(node, nodes.reference):
                        node.replace_self(nodes.Text(node.astext()))
                        break


def _drop_empty_sources_dir(app: Sphinx, exception: Exception | None) -> None:
    # Page sources (with their `%` internal notes) are not published
    # (html_copy_source = False), but Sphinx still creates an empty _sources/.
    sources = Path(app.outdir, "_sources")
    if exception is None and sources.is_dir() and not any(sources.iterdir()):
        sources.rmdir()


def setup_content_profile(app: Sphinx) -> None:
    # Late, after the other source-read handlers (privacy lint, markup checks)
    # have seen the text as written.
    app.connect("source-read", _source_read, priority=900)
    app.add_transform(RefuseScriptLinks)
    app.connect("build-finished", _drop_empty_sources_dir)
