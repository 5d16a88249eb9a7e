"""Scan of the published output: nothing in it may run script in a reader's browser.

A ``council-build`` step after the search index, over everything the site
publishes. It fails the build, naming each file (and line for markup), on:

- a ``javascript:``, ``vbscript:`` or ``data:`` URL in ``href``, ``src``,
  ``xlink:href``, ``action``, ``formaction``, ``data``, ``poster`` or
  ``background`` (and in what an SVG ``<set>``/``<animate>`` writes into an
  attribute); the value is read as a browser reads it (entities decoded, tabs
  and line breaks removed, surrounding blanks and control characters ignored,
  any case);
- an event-handler attribute (``on…``) or ``srcdoc`` on any element;
- a ``<meta http-equiv="refresh">``, and the embedding elements ``<iframe>``,
  ``<frame>``, ``<object>``, ``<embed>``, ``<applet>``, ``<base>`` (none of
  which the theme or the site emits);
- a ``<script>`` not emitted by the theme or the site itself, recognised thus:
  a script with ``src`` must name, relative to its page, a ``.js`` file inside
  the output's ``_static/`` (where Sphinx copies the theme's, the extensions'
  and the site's own static files, and nothing an author writes) or
  ``pagefind/`` (written by the site's search step); an inline script must
  be, after its blanks are collapsed, an inline script of a template of the
  theme (furo and Sphinx's basic theme it extends), of sphinx-needs (its
  ``permalink.html``) or of the site's ``_templates/``: a literal script by
  its SHA-256, a script with ``{{ … }}`` values as a pattern in which each
  value may only be a path-like word (letters, digits, ``_ . / -``), so a
  value cannot add code. These are read from the templates at each build, so
  a theme upgrade needs no list to be kept; a script with ``{% … %}`` logic
  is refused. The ``<object>`` that Sphinx's graphviz uses to show an SVG
  graph is allowed when it names an ``.svg`` file of ``_images/`` (that file
  is scanned like any SVG).

These checks run on ``.html``/``.htm``/``.xhtml`` pages and ``.svg`` images
(``_images/`` included) as markup. String values of the published data
(``.json`` such as ``needs.json``, ``.csv`` and ``.xlsx`` exports, ``.xml``
feeds) are checked as a consumer could use them: a value that is a script or
data URL, or that mentions a ``javascript:``/``vbscript:`` URL anywhere (an
Excel ``HYPERLINK`` formula, a link in an export), or that holds markup
failing the checks above. Any file under ``_downloads/`` that a browser would
render as a page or an image with script (``.html``, ``.htm``, ``.xhtml``,
``.xht``, ``.shtml``, ``.svg``, ``.svgz``, ``.xml``, ``.xsl``, ``.xslt``) is
refused outright: it would be served from the site's own origin.

Written here rather than with an HTML sanitiser (bleach, nh3): those rewrite
markup to make it safe, whereas this must leave the output byte-for-byte as
built and only say where it is unsafe, with the theme's own scripts allowed.

Usage: ``python -m council_publish.output_scan SITE_DIR`` (exit status 1 on any finding).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import html
import io
import json
import re
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit
from xml.parsers import expat

from council_publish.data_values import any_found, csv_values, json_values, pieces, plain_xml
from council_publish.output_cache import ValueMemo
from council_publish.pipeline import BuildFailed

MARKUP_SUFFIXES = {".html", ".htm", ".xhtml", ".svg", ".svgz"}
#: Downloads a browser would render in the site's origin.
REFUSED_DOWNLOADS = {".html", ".htm", ".xhtml", ".xht", ".shtml", ".svg", ".svgz", ".xml", ".xsl", ".xslt"}
URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "data", "poster", "background"}
#: Attributes through which SVG animation writes a value into another attribute.
ANIMATION_VALUES = {"to", "from", "values", "by"}
EMBEDDING = {"iframe", "frame", "object", "embed", "applet", "base"}
SCRIPT_DIRS = ("_static", "pagefind")
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_URL_BLANKS = re.compile(r"[\t\n\r]")
_SCRIPT_URL_ANYWHERE = re.compile(r"(?i)\b(?:javascript|vbscript)\s*:")
_INLINE_SCRIPT = re.compile(r"<script(\s[^>]*)?>(.*?)</script\s*>", re.S | re.I)


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    where: str  # a line number for markup, a location in the data otherwise
    message: str

    def __str__(self) -> str:
        sep = ":" if self.where.isdigit() else ": "
        return f"{self.path}{sep}{self.where}: {self.message}"


def scheme_of(value: str) -> str | None:
    """The dangerous scheme a browser would see at the start of *value*."""
    url = _URL_BLANKS.sub("", value).strip("".join(chr(c) for c in range(0x21))).lower()
    return next((s for s in BAD_SCHEMES if url.startswith(s)), None)


def _normalized(script: str) -> str:
    return " ".join(script.split())


def script_hash(script: str) -> str:
    return hashlib.sha256(_normalized(script).encode("utf-8")).hexdigest()


def template_dirs(source: Path) -> list[Path]:
    """The site's templates, the theme's (furo, Sphinx's basic theme) and sphinx-needs'.

    The packages are found, not imported: importing furo loads Sphinx, half a
    second of every one-case check, whose own process does not otherwise need it."""
    from importlib.util import find_spec

    def package(name: str) -> Path | None:
        spec = find_spec(name)
        return Path(spec.origin).parent if spec and spec.origin else None

    dirs = [source / "_templates"]
    furo = package("furo")
    if furo:  # furo is a pinned dependency
        dirs.append(furo / "theme" / "furo")
    dirs.append(package("sphinx") / "themes" / "basic")
    dirs.append(package("sphinx_needs") / "templates")
    return dirs


_JINJA_VALUE = re.compile(r"\{\{.*?\}\}")
#: What a ``{{ value }}`` of a template's inline script may become.
_SAFE_VALUE = r"[\w./-]*"


@dataclass(frozen=True)
class KnownScripts:
    """The inline scripts of the templates: literal ones by hash, others as patterns."""

    hashes: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern[str], ...] = ()

    def __contains__(self, body: str) -> bool:
        if script_hash(body) in self.hashes:
            return True
        text = _normalized(body)
        return any(p.fullmatch(text) for p in self.patterns)


def known_inline_scripts(dirs: Iterable[Path]) -> KnownScripts:
    """Every inline ``<script>`` of the templates in *dirs*."""
    hashes, patterns = set(), []
    for directory in dirs:
        for template in sorted(directory.rglob("*.html")) if directory.is_dir() else []:
            for attrs, body in _INLINE_SCRIPT.findall(template.read_text(encoding="utf-8")):
                if "src=" in (attrs or "") or "{%" in body or not body.strip():
                    continue
                if "{{" in body:
                    literal = _JINJA_VALUE.split(_normalized(body))
                    patterns.append(re.compile(_SAFE_VALUE.join(re.escape(part) for part in literal)))
                else:
                    hashes.add(script_hash(body))
    return KnownScripts(frozenset(hashes), tuple(patterns))


class _Markup(HTMLParser):
    """Findings of one HTML page, SVG image or markup fragment."""

    def __init__(self, allowed_script: Any, inline_ok: KnownScripts) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_script = allowed_script
        self.inline_ok = inline_ok
        self.found: list[tuple[int, str]] = []
        self._script_line: int | None = None
        self._script_body: list[str] = []
        self._script_type = ""

    def _add(self, message: str) -> None:
        self.found.append((self.getpos()[0], message))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self._add(f"イベント属性 {name} があります（<{tag}>）")
            elif name == "srcdoc":
                self._add(f"srcdoc 属性があります（<{tag}>）")
            elif name in URL_ATTRIBUTES and (scheme := scheme_of(value)):
                self._add(f"{name} に {scheme} の URL があります（<{tag}>）")
        if tag in {"set", "animate"} and "href" in values.get("attributename", "").lower():
            for name in ANIMATION_VALUES & values.keys():
                if any(scheme_of(part) for part in values[name].split(";")):
                    self._add(f"<{tag}> が href に {scheme_of(values[name].split(';')[0]) or '危険な'} の URL を書き込みます")
        if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            self._add('<meta http-equiv="refresh"> があります（別のページへの自動移動）')
        if tag in EMBEDDING and not (tag == "object" and self._graph(values)):
            self._add(f"埋め込み要素 <{tag}> があります")
        if tag == "script":
            src = values.get("src")
            if src is not None:
                if not self.allowed_script(src, *SCRIPT_DIRS):
                    self._add(f"サイトの静的ファイル（_static/・pagefind/）ではないスクリプトを読み込みます: {src}")
            else:
                self._script_line = self.getpos()[0]
                self._script_body = []
                self._script_type = values.get("type", "").strip().lower()

    def _graph(self, values: dict[str, str]) -> bool:
        """The ``<object>`` of a graphviz SVG in ``_images/``."""
        data = values.get("data", "")
        return (values.get("type") == "image/svg+xml" and data.endswith(".svg")
                and self.allowed_script(data, "_images"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._script_line is not None:
            self._script_body.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script_line is not None:
            body = "".join(self._script_body)
            if self._script_type in DATA_BLOCK_TYPES and _is_json(body):
                pass  # a data block (the open-data page's JSON-LD): browsers never run it
            elif body not in self.inline_ok:
                head = _normalized(body)[:40]
                self.found.append((self._script_line,
                                   f"テーマ・サイトのテンプレートにないインラインの <script> があります（{head}）"))
            self._script_line = None


#: <script> types that browsers treat as data, never as a program.
DATA_BLOCK_TYPES = frozenset({"application/ld+json", "application/json"})


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def scan_markup(text: str, allowed_script: Any = lambda src, *dirs: False,
                inline_ok: KnownScripts = KnownScripts()) -> list[tuple[int, str]]:
    """(line, message) for every unsafe construct of one page or fragment."""
    parser = _Markup(allowed_script, inline_ok)
    parser.feed(text)
    parser.close()
    if parser._script_line is not None:  # an unclosed <script> runs to the end of the page
        parser.handle_endtag("script")
    return parser.found


def scan_value(value: str) -> list[str]:
    """Messages for one string value of the published data."""
    if ":" not in value and "<" not in value:
        return []  # no URL scheme, no markup (lower-casing never makes an ASCII ":")
    found = []
    if scheme := scheme_of(value):
        found.append(f"値が {scheme} の URL です")
    elif _SCRIPT_URL_ANYWHERE.search(value):
        found.append("値に javascript:/vbscript: の URL があります")
    if "<" in value:
        found.extend(message for _line, message in scan_markup(value))
    return found


# ------------------------------------------------------------------ data files
# Each reader yields (place, value) for every string of a file. The open data
# hold millions of strings (needs.json at N = 1,000: 9.2 million), and nearly
# all are clean: a place is a cheap tuple, made into words (:func:`_place`)
# only for a finding.
def _place(place: Any) -> str:
    """The words for a place yielded by a reader."""
    kind = place[0]
    if kind == "json":
        steps = []
        while place[1] is not None:
            kind, parent, step = place
            steps.append(step)
            place = parent
        return "$" + "".join(reversed(steps))
    if kind == "csv":
        return f"{place[1]} 行 {place[2]} 列"
    return place[1]


def _json_strings(value: Any) -> Iterator[tuple[Any, str]]:
    """Every string of a JSON document (keys too), walked without recursion; a place is
    ``("json", parent place, step)``."""
    root = ("json", None, "")
    stack: list[tuple[Any, Any]] = [(root, value)]
    while stack:
        place, item = stack.pop()
        if isinstance(item, str):
            yield place, item
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                stack.append((("json", place, f".{key}"), child))
                stack.append((("json", place, "（キー）"), key))
        elif isinstance(item, list):
            for index in range(len(item) - 1, -1, -1):
                stack.append((("json", place, f"[{index}]"), item[index]))


def _csv_strings(text: str) -> Iterator[tuple[Any, str]]:
    for row_number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        for column, cell in enumerate(row, start=1):
            yield ("csv", row_number, column), cell


def _xml_strings(source: bytes | IO[bytes], where: str = "") -> Iterator[tuple[Any, str]]:
    """Every attribute value and every run of text of an XML document, read as a stream
    with expat: no tree is built (the long table's sheet is hundreds of megabytes of
    XML; read whole, its tree took gigabytes, and building even a passing tree was
    most of the scan). A place names the element (and attribute), not its position."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    parser = expat.ParserCreate(namespace_separator="}")
    found: list[tuple[Any, str]] = []
    names: dict[tuple[str, str], tuple[str, str]] = {}
    open_tags: list[str] = []
    text: list[str] = []

    def place(tag: str, attribute: str = "") -> tuple[str, str]:
        local = tag.rsplit("}", 1)[-1]
        names[tag, attribute] = ("xml", f"{where}<{local} {attribute.rsplit('}', 1)[-1]}>" if attribute
                                 else f"{where}<{local}>")
        return names[tag, attribute]

    def text_run() -> None:  # the text since the last tag, as one value
        run = "".join(text)
        text.clear()
        if run.strip() and open_tags:
            found.append((names.get((open_tags[-1], "")) or place(open_tags[-1]), run))

    def start(tag: str, attributes: dict[str, str]) -> None:
        if text:
            text_run()
        for name, value in attributes.items():
            found.append((names.get((tag, name)) or place(tag, name), value))
        open_tags.append(tag)

    def end(tag: str) -> None:
        if text:
            text_run()
        open_tags.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    parser.buffer_text = True
    while chunk := stream.read(1 << 20):
        parser.Parse(chunk, False)
        yield from found
        found.clear()
    parser.Parse(b"", True)
    yield from found


#: A tag of plain XML (see :func:`plain_xml`): '>' may stand in a quoted value, '<' may not.
_XML_TAG = re.compile(rb"""<(/?)([^\s/>]+)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_XML_ATTRIBUTE = re.compile(rb"""([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
#: What a value must hold to be worth checking: a URL's ":" or a reference ("&lt;", "&#58;").
_XML_CANDIDATE = re.compile(rb"[:&]")


#: How much of a stream the plain reader reads at a time.
_CHUNK = 1 << 23


def _plain_xml_strings(stream: IO[bytes], where: str) -> Iterator[tuple[Any, str]]:
    """:func:`_xml_strings` of plain XML (:func:`plain_xml`), yielding only the values
    that hold a ":" or a reference: the others can have no finding (see
    :func:`scan_value`). Found by regular expressions from each such character back
    to the '<' before it (every '<' starts a tag), so a sheet of millions of cells
    costs no Python per cell (the long table's workbook at N = 1,000: 30 s with
    expat's callbacks, 6 s here). Read in pieces cut before a '<'."""
    for piece in pieces(stream, _CHUNK, b"<", keep=False):
        yield from _plain_xml_piece(piece, where)


def _plain_xml_piece(data: bytes, where: str) -> Iterator[tuple[Any, str]]:
    """The candidate values of a piece of plain XML that starts at a '<' (or the document's start)."""
    covered = 0
    for match in _XML_CANDIDATE.finditer(data):
        at = match.start()
        if at < covered:
            continue
        lt = data.rfind(b"<", 0, at)
        tag = _XML_TAG.match(data, lt) if lt >= 0 else None
        if tag is not None and at < tag.end():
            element = tag.group(2).decode().rsplit(":", 1)[-1]
            for attribute in _XML_ATTRIBUTE.finditer(tag.group(3)):
                value = attribute.group(2) if attribute.group(2) is not None else attribute.group(3)
                name = attribute.group(1).decode().rsplit(":", 1)[-1]
                yield ("xml", f"{where}<{element} {name}>"), html.unescape(value.decode())
            covered = tag.end()
            continue
        end = data.find(b"<", at)
        end = len(data) if end < 0 else end
        text = data[tag.end() if tag is not None else 0:end].decode()
        if text.strip():
            element = tag.group(2).decode().rsplit(":", 1)[-1] if tag is not None else ""
            place = f"{where}</{element}> の後" if tag is not None and tag.group(1) else f"{where}<{element}>"
            yield ("xml", place), html.unescape(text)
        covered = end


def _xlsx_strings(path: Path) -> Iterator[tuple[Any, str]]:
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith((".xml", ".rels")):
                with archive.open(member) as stream:
                    plain = plain_xml(stream)
                with archive.open(member) as stream:
                    yield from (_plain_xml_strings if plain else _xml_strings)(stream, f"{member} ")


def _data_strings(path: Path, check: Any) -> Iterator[tuple[Any, str]]:
    """(place, value) of the values of a data file that *check* may find something in:
    none of a JSON or CSV file none of whose distinct values has a finding
    (:mod:`council_publish.data_values`), every value otherwise."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        document = json.loads(path.read_bytes())
        if any_found(json_values(document), check):
            yield from _json_strings(document)
    elif suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        if any_found(csv_values(text), check):
            yield from _csv_strings(text)
    elif suffix == ".xlsx":
        yield from _xlsx_strings(path)
    elif suffix in {".xml", ".atom", ".rss"}:
        yield from _xml_strings(path.read_bytes())


DATA_SUFFIXES = {".json", ".csv", ".xlsx", ".xml", ".atom", ".rss"}


# ------------------------------------------------------------------------ site
def _in_site_dirs(root: Path, page: Path) -> Any:
    """Whether a URL of *page* names a ``.js`` (or, for ``_images``, ``.svg``)
    file inside one of the given directories of the output."""

    def allowed(url: str, *dirs: str) -> bool:
        parts = urlsplit(url.strip())
        if parts.scheme or parts.netloc or not parts.path.endswith((".svg" if dirs == ("_images",) else ".js")):
            return False
        path = unquote(parts.path)
        # the 404 page is served at any depth, so it links from the site's root ("/_static/…")
        target = (root / path.lstrip("/") if path.startswith("/") else page.parent / path).resolve()
        return any(target.is_relative_to((root / d).resolve()) for d in dirs)

    return allowed


def scan_file(root: Path, path: Path, inline_ok: Any, values: ValueMemo | None = None) -> list[Finding]:
    """The findings in one file of the output *root*. *values* remembers the messages
    of the data's values across the files of one scan: the open data repeat a few
    values millions of times (see :class:`council_publish.published_privacy.ValueFindings`)."""
    rel = path.relative_to(root).as_posix()
    suffix = path.suffix.lower()
    found: list[Finding] = []
    if rel.startswith("_downloads/") and suffix in REFUSED_DOWNLOADS:
        return [Finding(rel, "1", f"ダウンロードに {suffix} のファイルは置けません"
                                  "（ブラウザが開くとサイトのページとして動くため）")]
    try:
        if suffix in MARKUP_SUFFIXES:
            data = path.read_bytes()
            if suffix == ".svgz":
                data = gzip.decompress(data)
            text = data.decode("utf-8", errors="replace")
            for line, message in scan_markup(text, _in_site_dirs(root, path), inline_ok):
                found.append(Finding(rel, str(line), message))
        elif suffix in DATA_SUFFIXES:
            check = ValueMemo(scan_value) if values is None else values
            for where, value in _data_strings(path, check):
                for message in check(value):
                    found.append(Finding(rel, _place(where), message))
    except (ValueError, OSError, zipfile.BadZipFile, expat.ExpatError, EOFError) as exc:
        found.append(Finding(rel, "1", f"検査できない形式です（{type(exc).__name__}）"))
    return found


def scan_site(root: Path, source: Path, cache_directory: Path | None = None, under: str = "") -> list[Finding]:
    """Every finding below the output *root* (or only in its folder *under*), sorted;
    *source* holds the site's templates.

    With *cache_directory*, a file scanned at the last publication with the
    same bytes, the same templates and this module unchanged is not scanned
    again (:mod:`council_publish.output_cache`).
    """
    from council_publish.output_cache import ResultCache

    root = root.resolve()
    inline_ok = known_inline_scripts(template_dirs(source))
    settings = (sorted(inline_ok.hashes), [p.pattern for p in inline_ok.patterns])
    cache = ResultCache(cache_directory, "output-scan", [sys.modules[__name__]], settings)
    values = ValueMemo(scan_value)
    found: list[Finding] = []
    for path in sorted(p for p in (root / under).rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        found.extend(cache.get(rel, path, lambda p: scan_file(root, p, inline_ok, values)))
    cache.save()
    return sorted(found)


def scan_output_step(ctx: Any) -> None:
    """council-build step: any finding fails the build, naming file and line."""
    from council_publish.output_cache import cache_dir

    _report(scan_site(ctx.html, ctx.source, cache_dir(ctx)))


def scan_folder_step(ctx: Any, folder: str) -> None:
    """:func:`scan_output_step` of one folder of the output (the search index's, scanned
    once it is in place: :mod:`council_publish.checks`), without a cache."""
    _report(scan_site(ctx.html, ctx.source, under=folder))


def _report(found: list[Finding]) -> None:
    for finding in found[:50]:
        print(f"council-output-scan: {finding}", file=sys.stderr)
    if found:
        more = f" ほか {len(found) - 1} 件" if len(found) > 1 else ""
        raise BuildFailed(f"出力の検査: スクリプトを動かしうる内容があります: {found[0]}{more}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="council-output-scan", description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path, help="the built HTML directory")
    parser.add_argument("--source", type=Path, default=Path.cwd(), help="project directory (its _templates/)")
    args = parser.parse_args(argv)
    if not args.site.is_dir():
        print(f"council-output-scan: {args.site} はディレクトリではありません", file=sys.stderr)
        return 2
    found = scan_site(args.site, args.source)
    for finding in found:
        print(f"{args.site}/{finding}", file=sys.stderr)
    print(f"council-output-scan: {len(found)} 件")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
