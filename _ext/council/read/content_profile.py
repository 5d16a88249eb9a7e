"""The content profile: which markup a page may use, checked while it is read.

Authors are trusted with content, not with the build machine. MyST, docutils
and sphinx-needs offer markup that runs code (sphinx-needs ``:filter:``
strings and directive bodies are Python, ``:jinja_content:`` and MyST
substitutions are Jinja, ``[[…]]`` dynamic functions evaluate filters),
reads any file (``include``, ``literalinclude``, ``image``, ``download``,
``csv-table :file:``), changes the configuration from front matter
(``myst:``, ``html_meta``) or rewrites other pages' needs (``needextend``,
``needimport``). None of these libraries has an allow-list of markup, so this
module declares one (:data:`DIRECTIVES`, :data:`ROLES`, :data:`FRONT_MATTER`)
and enforces it:

* every directive and role is looked up through :class:`ProfileDispatcher`,
  installed for the page being read (the same lookup hook Sphinx itself uses
  for domains), so nested markup and rST inside ``{eval-rst}`` are checked
  too; a refused directive or role never runs;
* front matter is checked (and dropped when refused) before MyST reads it;
* links, image targets and graphviz ``URL=`` attributes with a script URL are
  refused after parsing, wherever they come from.

Pages under ``cases/`` and ``clauses/`` (what the importer writes) get the
narrow ``content`` list; every other page the wider ``site`` list. Each
refusal is a ``council.profile`` warning at the file and line that names the
construct and the author's guide section listing what is allowed; the guide's
table is generated from the data here (:func:`guide_table`).
"""

from __future__ import annotations

import ast
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import CustomReSTDispatcher

logger = logging.getLogger(__name__)

#: Folders whose pages get the narrow list (case and clause pages, importer output).
CONTENT_DIRS = ("cases/", "clauses/")
CONTENT, SITE = "content", "site"
#: Where the allowed constructs are listed (named in every refusal).
GUIDE = "作成の手引き「使える書式（コンテンツプロファイル）」"


@dataclass(frozen=True)
class DirectiveRule:
    """What a directive may carry. ``options=None``: every option it declares."""

    scope: str
    what: str
    options: frozenset[str] | None = frozenset()
    content: bool = True
    #: The first argument names a file, which must lie inside the project.
    path_argument: bool = False
    #: The first argument is a link (no script URL).
    url_argument: bool = False
    path_options: frozenset[str] = frozenset()
    url_options: frozenset[str] = frozenset()
    #: Options holding a sphinx-needs filter: only the declarative subset.
    filter_options: frozenset[str] = frozenset()
    #: A need: no dynamic functions ``[[…]]`` anywhere in it.
    need: bool = False


def _opts(*names: str) -> frozenset[str]:
    return frozenset(names)


_ADMONITION = _opts("class", "name")
_TOCTREE = _opts("maxdepth", "caption", "glob", "hidden", "titlesonly", "name", "reversed")

#: Directives allowed besides the need types of ``ubproject.toml`` (which are
#: allowed everywhere, see :func:`need_rule`).
DIRECTIVES: dict[str, DirectiveRule] = {
    "admonition": DirectiveRule(CONTENT, "注記（見出し付き）", _ADMONITION),
    "note": DirectiveRule(CONTENT, "注記", _ADMONITION),
    "warning": DirectiveRule(CONTENT, "注意", _ADMONITION),
    "important": DirectiveRule(CONTENT, "重要", _ADMONITION),
    "tip": DirectiveRule(CONTENT, "ヒント", _ADMONITION),
    "seealso": DirectiveRule(CONTENT, "参照", _ADMONITION),
    "toctree": DirectiveRule(CONTENT, "目次", _TOCTREE),
    "case-trace": DirectiveRule(CONTENT, "案件の対応表（本サイトの拡張）", None),
    "edition-diff": DirectiveRule(CONTENT, "特記事項の版の比較（本サイトの拡張）", None),
    "council-cases": DirectiveRule(SITE, "案件の一覧（本サイトの拡張）", None),
    "council-figures": DirectiveRule(SITE, "数値（本サイトの拡張）", None),
    "trace-matrix": DirectiveRule(SITE, "対応表（本サイトの拡張）", None),
    "council-history": DirectiveRule(SITE, "更新履歴（本サイトの拡張）", None),
    "council-licence": DirectiveRule(SITE, "利用条件（本サイトの拡張）", None),
    "council-a11y-results": DirectiveRule(SITE, "アクセシビリティの試験結果（本サイトの拡張）", None),
    "suspect-links": DirectiveRule(SITE, "要再確認の対応付けの一覧（本サイトの拡張）", None),
    "needtable": DirectiveRule(
        SITE, "ニーズの表（:filter: は比較と and・or・not だけ、本文なし）",
        _opts("filter", "columns", "style", "sort", "types", "status", "tags", "colwidths",
              "class", "caption"),
        content=False, filter_options=_opts("filter"),
    ),
    "code-block": DirectiveRule(SITE, "コードの表示", _opts("caption", "linenos", "name", "class")),
    "list-table": DirectiveRule(SITE, "表", _opts("header-rows", "widths", "align", "class", "name")),
    "csv-table": DirectiveRule(
        SITE, "CSV の表（:file: はプロジェクト内、:url: は不可）",
        _opts("header-rows", "header", "widths", "align", "class", "name", "delim", "file",
              "encoding"),
        path_options=_opts("file"),
    ),
    "image": DirectiveRule(
        SITE, "画像（ファイルはプロジェクト内、:target: にスクリプト URL は不可）",
        _opts("alt", "width", "height", "align", "class", "name", "target", "scale"),
        path_argument=True, url_options=_opts("target"),
    ),
    "figure": DirectiveRule(
        SITE, "図（image と同じ条件）",
        _opts("alt", "width", "height", "align", "class", "name", "target", "scale",
              "figwidth", "figclass"),
        path_argument=True, url_options=_opts("target"),
    ),
    "literalinclude": DirectiveRule(
        SITE, "ファイルの引用（プロジェクト内のファイルだけ）",
        _opts("language", "lines", "caption", "name", "linenos", "start-after", "end-before"),
        path_argument=True,
    ),
    "button-link": DirectiveRule(
        SITE, "ボタン（リンク先にスクリプト URL は不可）",
        _opts("color", "outline", "expand", "click-parent", "tooltip", "shadow", "align",
              "ref-type", "class"),
        url_argument=True,
    ),
    "card": DirectiveRule(
        SITE, "カード（:link: にスクリプト URL は不可）",
        _opts("link", "link-type", "link-alt", "shadow", "class-card", "class-body",
              "class-title", "class-header", "class-footer", "margin", "width", "text-align"),
        url_options=_opts("link"),
    ),
    "graphviz": DirectiveRule(
        SITE, "図（graphviz、本文に書いたものだけ、URL 属性にスクリプト URL は不可）",
        _opts("alt", "caption", "align", "class", "name", "layout"),
    ),
    "eval-rst": DirectiveRule(SITE, "reStructuredText（中の書式も同じ表で確かめます）"),
}

#: Roles allowed (the empty name is the default role of reStructuredText).
ROLES: dict[str, tuple[str, str]] = {
    "need": (CONTENT, "ニーズへのリンク"),
    "doc": (CONTENT, "ページへのリンク"),
    "ref": (CONTENT, "見出し・ラベルへのリンク"),
    "sub": (CONTENT, "下付き文字"),
    "sup": (CONTENT, "上付き文字"),
    "numref": (SITE, "図表番号への参照"),
    "download": (SITE, "ダウンロード（プロジェクト内のファイルだけ）"),
}

#: Front-matter keys allowed (Sphinx's file-wide metadata).
FRONT_MATTER: dict[str, tuple[str, str]] = {
    "orphan": (CONTENT, "目次に載せないページ"),
    "nosearch": (SITE, "検索の対象にしない"),
    "tocdepth": (SITE, "ページ内目次の深さ"),
}

#: Options every need directive accepts besides its fields and link types.
NEED_OPTIONS = _opts("id", "status", "tags", "collapse", "hide")

_SCOPE_TEXT = {CONTENT: "案件・条項のページ（cases/・clauses/）", SITE: "このサイトのページ"}


def profile_of(docname: str) -> str:
    """``content`` for case and clause pages, ``site`` for every other page."""
    return CONTENT if docname.startswith(CONTENT_DIRS) else SITE


def allowed_in(scope: str, profile: str) -> bool:
    """A construct declared for *scope* may be used on a page of *profile*."""
    return scope == CONTENT or profile == SITE


def need_rule(need_type: str, title: str, fields: Iterable[str], links: Iterable[str]) -> DirectiveRule:
    return DirectiveRule(
        CONTENT, f"{title}（ニーズ）", NEED_OPTIONS | frozenset(fields) | frozenset(links),
        need=True,
    )


# ------------------------------------------------------------------ pure checks

_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
_STRIP = re.compile(r"[\x00-\x20\x7f]+")


def is_script_url(url: str) -> bool:
    """A URL a browser would run or render as a document (``javascript:`` etc.).

    Browsers ignore control characters and spaces inside the scheme, so they
    are removed before comparing.
    """
    return _STRIP.sub("", url).lower().startswith(_SCRIPT_SCHEMES)


_FILTER_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.Compare,
    ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Name, ast.Load, ast.Constant, ast.List,
    ast.Tuple,
)


def is_declarative_filter(expression: str) -> bool:
    """A sphinx-needs filter made only of comparisons of fields with literals.

    sphinx-needs evaluates a filter as a Python expression; with no calls,
    attribute access or subscripts, it can only compare values.
    """
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if not isinstance(node, _FILTER_NODES):
            return False
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return False
        if isinstance(node, ast.Constant) and not isinstance(node.value, (str, int, float, bool)):
            return False
    return True


def confined_file(root: Path, base: Path, given: str) -> Path | None:
    """The regular file *given* names (relative to *base*, or to *root* when it
    starts with ``/``), or None when it resolves outside *root* or is not a
    regular file (a device, a FIFO, a directory, a dangling link, a loop)."""
    given = given.strip()
    if not given or "://" in given or given.startswith("<"):
        return None
    target = root / given.lstrip("/") if given.startswith("/") else base / given
    try:
        resolved = target.resolve(strict=True)
        mode = resolved.stat().st_mode
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(root.resolve()) or not stat.S_ISREG(mode):
        return None
    return resolved


_DYNAMIC = re.compile(r"\[\[.*?\]\]", re.S)
_GRAPHVIZ_URL = re.compile(
    r"\b(?:URL|href|tailURL|headURL|labelURL|edgeURL|tailhref|headhref|labelhref|edgehref)"
    r"\s*=\s*(?:\"((?:[^\"\\]|\\.)*)\"|<([^>]*)>|([^\s,;\]]+))",
    re.I,
)


def graphviz_script_urls(code: str) -> list[str]:
    """Script URLs among the link attributes of a graphviz graph."""
    urls = []
    for match in _GRAPHVIZ_URL.finditer(code):
        url = next(g for g in match.groups() if g is not None)
        if is_script_url(url):
            urls.append(url)
    return urls


def _excerpt(text: str, limit: int = 40) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def refusal(kind: str, name: str, profile: str) -> str:
    return (f"{kind}「{name}」は{_SCOPE_TEXT[profile]}では使えません。使える書式は{GUIDE}にあります")


@dataclass(frozen=True)
class Refusal:
    lineno: int
    message: str


def directive_problems(
    name: str, rule: DirectiveRule, arguments: list[str], options: dict[str, Any],
    content: Iterable[str], root: Path, base: Path,
) -> Iterator[str]:
    """What a directive of an allowed name carries that the profile refuses."""
    if rule.options is not None:
        for option in options:
            if option not in rule.options:
                yield (f"ディレクティブ「{name}」のオプション「:{option}:」は使えません。"
                       f"使える書式は{GUIDE}にあります")
    body = "\n".join(content)
    if not rule.content and body.strip():
        yield (f"ディレクティブ「{name}」に本文は書けません（本文は Python のコードとして"
               f"実行されます）。使える書式は{GUIDE}にあります")
    paths = [arguments[0]] if rule.path_argument and arguments else []
    paths += [str(options[o]) for o in rule.path_options if options.get(o)]
    for path in paths:
        if "://" in path and not is_script_url(path) and rule.path_argument and name in ("image", "figure"):
            continue  # an image on another site is linked, not read
        if is_script_url(path) or confined_file(root, base, path) is None:
            yield (f"ディレクティブ「{name}」のファイル「{_excerpt(path)}」はプロジェクトの中の"
                   "通常のファイルではありません。プロジェクトの中のファイルだけを参照できます")
    urls = [arguments[0]] if rule.url_argument and arguments else []
    urls += [str(options[o]) for o in rule.url_options if options.get(o)]
    for url in urls:
        if is_script_url(url):
            yield (f"ディレクティブ「{name}」のリンク先「{_excerpt(url)}」はスクリプトの URL です。"
                   "http(s) のアドレスかサイト内のページを指定してください")
    for option in rule.filter_options:
        if options.get(option) and not is_declarative_filter(str(options[option])):
            yield (f"ディレクティブ「{name}」の :{option}: 「{_excerpt(options[option])}」は使えません。"
                   "フィールド名と文字列・数値の比較（==、!=、in、not in）と and・or・not だけを"
                   "書けます")
    if rule.need:
        texts = [*arguments, *(str(v) for v in options.values()), body]
        if any(_DYNAMIC.search(text) for text in texts):
            yield ("ニーズに動的関数（[[…]]）は書けません。値は原典のとおり文字で"
                   "書いてください")
    if name == "graphviz":
        if arguments:
            yield ("ディレクティブ「graphviz」でファイルは読めません。図は本文に書いてください")
        for url in graphviz_script_urls(body):
            yield (f"ディレクティブ「graphviz」のリンク先「{_excerpt(url)}」はスクリプトの URL です。"
                   "http(s) のアドレスかサイト内のページを指定してください")


# ------------------------------------------------------------- front matter

_FRONT_MATTER = re.compile(r"\A(---[ \t]*\r?\n)(.*?\r?\n)?(---[ \t]*)(?:\r?\n|\Z)", re.S)


def front_matter_problems(text: str, profile: str) -> tuple[list[Refusal], str]:
    """Refusals for a page's front matter, and the text to parse instead.

    A refused front matter is blanked (its lines kept, so line numbers hold)
    before MyST reads it: it could change MyST's configuration or expand a
    YAML alias bomb. Malformed YAML is left to MyST, which reports it.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return [], text
    block = match.group(2) or ""
    problems: list[Refusal] = []
    try:
        for event in yaml.parse(block, Loader=yaml.SafeLoader):
            anchor = getattr(event, "anchor", None)
            if isinstance(event, yaml.AliasEvent) or anchor:
                problems.append(Refusal(
                    event.start_mark.line + 2,
                    "フロントマターに YAML のアンカー・エイリアス（&・*）は使えません",
                ))
                break
        if not problems:
            data = yaml.safe_load(block)
            if isinstance(data, dict):
                for lineno, key in _top_keys(block):
                    scope = FRONT_MATTER.get(key, (None,))[0]
                    if key in data and (scope is None or not allowed_in(scope, profile)):
                        problems.append(Refusal(lineno, refusal("フロントマターのキー", key, profile)))
    except yaml.YAMLError:
        return [], text
    if not problems:
        return [], text
    blank = "\n" * match.group(0).count("\n")
    return problems, blank + text[match.end():]


def _top_keys(block: str) -> Iterator[tuple[int, str]]:
    for offset, line in enumerate(block.splitlines()):
        key = re.match(r"^([^\s#:][^:]*?)\s*:", line)
        if key:
            yield offset + 2, key.group(1).strip("'\"")


# -------------------------------------------------------------- the look-up


class _AnyOption(dict):
    """An option spec that accepts every option, so a refused directive is
    refused by name instead of failing on an option first."""

    def __init__(self) -> None:
        super().__init__({"class": directives.unchanged})

    def __missing__(self, key: str) -> Callable[[str], str]:
        return directives.unchanged


def _refused_directive(kind: str, message: str) -> type[Directive]:
    class RefusedDirective(Directive):
        has_content = True
        optional_arguments = 1
        final_argument_whitespace = True
        option_spec = _AnyOption()

        def run(self) -> list[nodes.Node]:
            _warn(self.state.document, self.lineno, message)
            return []

    return RefusedDirective


def _dropped_directive() -> type[Directive]:
    class DroppedDirective(Directive):
        has_content = True
        optional_arguments = 1
        final_argument_whitespace = True
        option_spec = _AnyOption()

        def run(self) -> list[nodes.Node]:
            return []

    return DroppedDirective


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
            return _dropped_directive(), []
        rule = self.rules.get(name)
        cls, messages = super().directive(directive_name, language_module, document)
        if cls is None:
            return cls, messages  # a misspelt name: MyST and docutils say it is unknown
        if rule is None or not allowed_in(rule.scope, self.profile):
            return _refused_directive("ディレクティブ", refusal("ディレクティブ", name, self.profile)), []
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
                    f"ロール「download」のファイル「{_excerpt(path)}」はプロジェクトの中の通常の"
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
                            f"リンク先「{_excerpt(value)}」はスクリプトの URL です。"
                            "http(s) のアドレスかサイト内のページを指定してください",
                            type="council", subtype="profile", location=node,
                        )
                    node[attribute] = ""
                    if node.parent is not None and isinstance(node, nodes.reference):
                        node.replace_self(nodes.Text(node.astext()))
                        break


def guide_table() -> str:
    """The author's guide's table of allowed constructs (Markdown)."""
    rows = ["| 種類 | 名前 | 使えるページ | 説明 |", "| --- | --- | --- | --- |"]
    where = {CONTENT: "すべて", SITE: "cases/・clauses/ 以外"}
    rows.append("| ディレクティブ | 各ニーズの型（case、safeguard など ubproject.toml の型） | すべて | "
                "オプションは id・status・tags・collapse・hide と各フィールド・リンクだけ。"
                "動的関数 `[[…]]` は不可 |")
    for name, rule in DIRECTIVES.items():
        rows.append(f"| ディレクティブ | `{name}` | {where[rule.scope]} | {rule.what} |")
    for name, (scope, what) in ROLES.items():
        rows.append(f"| ロール | `{name}` | {where[scope]} | {what} |")
    for name, (scope, what) in FRONT_MATTER.items():
        rows.append(f"| フロントマター | `{name}` | {where[scope]} | {what} |")
    return "\n".join(rows)


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
