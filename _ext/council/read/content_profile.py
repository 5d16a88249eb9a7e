"""The content profile: which markup a page may use.

Authors are trusted with content, not with the build machine. MyST, docutils
and sphinx-needs offer markup that runs code (sphinx-needs ``:filter:``
strings and directive bodies are Python, ``:jinja_content:`` and MyST
substitutions are Jinja, ``[[…]]`` dynamic functions evaluate filters),
reads any file (``include``, ``literalinclude``, ``image``, ``download``,
``csv-table :file:``), changes the configuration from front matter
(``myst:``, ``html_meta``) or rewrites other pages' needs (``needextend``,
``needimport``). None of these libraries has an allow-list of markup, so this
module declares one (:data:`DIRECTIVES`, :data:`ROLES`, :data:`FRONT_MATTER`).
:mod:`council.read.profile_checks` checks what an allowed construct carries
and :mod:`council.read.profile_enforcement` enforces the profile while a page
is read.

Pages under ``cases/`` and ``clauses/`` (what the importer writes) get the
narrow ``content`` list; every other page the wider ``site`` list. Each
refusal names the construct and the author's guide section listing what is
allowed; the guide's table is generated from the data here
(:func:`guide_table`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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


def refusal(kind: str, name: str, profile: str) -> str:
    return (f"{kind}「{name}」は{_SCOPE_TEXT[profile]}では使えません。使える書式は{GUIDE}にあります")


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
