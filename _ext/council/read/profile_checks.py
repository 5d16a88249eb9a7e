"""Pure checks of what the markup of a page carries, for the content profile.

Script URLs (``javascript:`` and the like, also in graphviz ``URL=``
attributes), sphinx-needs filters beyond comparisons, files outside the
project, dynamic functions in needs, and front matter beyond the allowed keys.
Each check returns the messages of the author's guide; the allow-list itself is
:mod:`council.read.content_profile`.
"""

from __future__ import annotations

import ast
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from council.read.content_profile import FRONT_MATTER, GUIDE, DirectiveRule, allowed_in, refusal

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


def excerpt(text: str, limit: int = 40) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


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
            yield (f"ディレクティブ「{name}」のファイル「{excerpt(path)}」はプロジェクトの中の"
                   "通常のファイルではありません。プロジェクトの中のファイルだけを参照できます")
    urls = [arguments[0]] if rule.url_argument and arguments else []
    urls += [str(options[o]) for o in rule.url_options if options.get(o)]
    for url in urls:
        if is_script_url(url):
            yield (f"ディレクティブ「{name}」のリンク先「{excerpt(url)}」はスクリプトの URL です。"
                   "http(s) のアドレスかサイト内のページを指定してください")
    for option in rule.filter_options:
        if options.get(option) and not is_declarative_filter(str(options[option])):
            yield (f"ディレクティブ「{name}」の :{option}: 「{excerpt(options[option])}」は使えません。"
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
            yield (f"ディレクティブ「graphviz」のリンク先「{excerpt(url)}」はスクリプトの URL です。"
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
