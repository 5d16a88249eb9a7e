"""Source files that cannot be published are refused before they are parsed.

Pure checks over a file's bytes (:func:`check_bytes`: too large, not UTF-8,
control characters, empty) and over its Markdown text (:func:`check_markup`:
a directive fence or option block that is never closed, an option given
twice). MyST silently takes an unclosed fence to run to the end of the file
and the last of two equal options; Sphinx stops with a traceback on bytes
that are not UTF-8. Each problem is reported as ``council.<code>`` at its
file and line; a file with a byte-level problem is not read at all.

A UTF-8 byte order mark and CRLF line endings are accepted: Sphinx reads
``utf-8-sig`` and splits lines universally, so such a file builds exactly like
its LF form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from council.config import MAX_SOURCE_BYTES, council_config

logger = logging.getLogger(__name__)

#: The largest source file read; the largest real case page is about 40 kB.

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|:{3,})\s*(?P<info>.*)$")
_OPTION = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:")


@dataclass(frozen=True, order=True)
class SourceProblem:
    lineno: int
    code: str
    message: str


def check_bytes(data: bytes, limit: int = MAX_SOURCE_BYTES) -> list[SourceProblem]:
    """Problems that make a file unreadable; an empty list when it can be parsed."""
    if len(data) > limit:
        return [SourceProblem(1, "source_too_large",
                              f"ファイルが大きすぎます（{len(data):,} バイト、上限 {limit:,} バイト）")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [SourceProblem(line, "encoding",
                              f"UTF-8 として読めないバイト列（0x{data[exc.start]:02x}）があります。"
                              "UTF-8 で保存し直してください")]
    problems = []
    for match in _CONTROL.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        problems.append(SourceProblem(line, "control_character",
                                      f"制御文字 U+{ord(match.group()):04X} があります"))
        break
    if not text.strip():
        problems.append(SourceProblem(1, "empty_document", "ファイルが空です（見出しも本文もありません）"))
    return problems


def check_markup(text: str) -> list[SourceProblem]:
    """Unclosed directive fences and option blocks, options given twice."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return sorted(_check_block(lines, 0, len(lines)))


def _check_block(lines: list[str], start: int, end: int) -> Iterator[SourceProblem]:
    i = start
    while i < end:
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence, info = match["fence"], match["info"]
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = next((k for k in range(i + 1, end) if close.match(lines[k])), None)
        directive = re.match(r"\{([\w:-]+)\}", info)
        if j is None:
            if directive:
                yield SourceProblem(i + 1, "unclosed_directive",
                                    f"ディレクティブ {{{directive[1]}}} のフェンス {fence} が"
                                    "閉じられていません")
            i += 1
            continue
        if directive:
            body = i + 1
            if body < j and lines[body].strip() == "---":
                stop = next((k for k in range(body + 1, j) if lines[k].strip() == "---"), None)
                if stop is None:
                    yield SourceProblem(body + 1, "unclosed_options",
                                        f"ディレクティブ {{{directive[1]}}} のオプション欄（---）が"
                                        "閉じられていません")
                else:
                    seen: dict[str, int] = {}
                    for k in range(body + 1, stop):
                        opt = _OPTION.match(lines[k])
                        if not opt:
                            continue
                        if opt["key"] in seen:
                            yield SourceProblem(k + 1, "duplicate_option",
                                                f"オプション '{opt['key']}' が {seen[opt['key']]} 行目と"
                                                "重複しています")
                        else:
                            seen[opt["key"]] = k + 1
                    body = stop + 1
            yield from _check_block(lines, body, j)
        i = j + 1


def _before_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    for docname in list(docnames):
        path = Path(env.doc2path(docname))
        problems = check_bytes(path.read_bytes(), council_config(app).max_source_bytes)
        for problem in problems:
            logger.warning(problem.message, type="council", subtype=problem.code,
                           location=f"{path}:{problem.lineno}")
        if any(p.code in ("source_too_large", "encoding") for p in problems):
            # Not parsed: it would crash Sphinx or take minutes; the build fails anyway.
            docnames.remove(docname)
            env.project.docnames.discard(docname)


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    if not str(app.env.doc2path(docname)).endswith(".md"):
        return
    for problem in check_markup(source[0]):
        logger.warning(problem.message, type="council", subtype=problem.code,
                       location=(docname, problem.lineno))


def setup_sources(app: Sphinx) -> None:
    app.connect("env-before-read-docs", _before_read)
    # Before the privacy lint and any other reader of the text.
    app.connect("source-read", _source_read, priority=400)
