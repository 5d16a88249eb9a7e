"""The privacy lint over what is published, not only over what was written.

The lint of :mod:`council.read.privacy` reads the sources as Sphinx reads them; text
can still reach the site around it (a need field rendered by a view, an export
cell, a value injected by an extension). This step of ``council-build`` reads
the finished output as a reader or a program gets it:

- every ``.html`` page as rendered text (the text nodes, plus ``alt``,
  ``title`` and ``aria-label``), without ``<script>`` and ``<style>``; block
  elements end a line, so two table cells never run together; SVG images and
  XML feeds the same way (their text, not their coordinates);
- ``needs.json`` and every other JSON file (each string value, located by
  need id and field), and plain-text files (``_sources``);
- every ``.csv`` export and every ``.xlsx`` export (each cell of each sheet,
  shared strings resolved, read with :mod:`zipfile`: the exports are our own
  small files, and a spreadsheet library is not a runtime dependency).

Any finding fails the build naming the file, its line (HTML, CSV), need and
field (JSON) or sheet and cell (XLSX), with the value masked. The reviewed
allow-list of the sources applies here too.
"""

from __future__ import annotations

import bisect
import csv
import html
import io
import json
import re
import sys
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from council_publish.data_values import any_found, csv_values, json_values, pieces, plain_xml
from council_publish.output_cache import ResultCache, ValueMemo
from council_publish.pipeline import BuildFailed
from council.read.personal_data import Finding, find_personal_data
from council.read.privacy_allowlist import ALLOWLIST_FILE, Allowed, load_allowlist

_BLOCK = frozenset(
    "address article aside blockquote br caption dd details div dl dt figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot "
    "th thead title tr ul option button label".split()
)
_SKIPPED = frozenset({"script", "style", "template"})
_TEXT_ATTRS = ("alt", "title", "aria-label")


@dataclass(frozen=True, order=True)
class PublishedFinding:
    path: str
    where: str
    kind: str
    masked: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.where}: 公開される出力に個人情報と思われる{self.kind}"
            f"（{self.masked}）があります。元の原稿から取り除くか、公開情報であれば "
            f"{ALLOWLIST_FILE} に理由と確認者を添えて登録してください"
        )


_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[(?P<cdata>.*?)\]\]>|<(?P<close>/?)(?P<tag>[A-Za-z][\w:.-]*)(?P<attrs>[^>]*)>"
    r"|<[!?][^>]*>",
    re.S,
)
_ATTR = re.compile(r"""(?P<name>[\w:.-]+)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+))""")
_END_OF = {tag: re.compile(rf"</{tag}\s*>", re.I) for tag in _SKIPPED}


class _RenderedText:
    """The text a reader sees, with the source line of every piece.

    A small tokenizer rather than :class:`html.parser.HTMLParser`: the pages
    are the build's own well-formed output, and this is five times faster.
    """

    def __init__(self, markup: str) -> None:
        self.parts: list[str] = []
        self.offsets: list[int] = []  # offset in the text where a piece starts
        self.lines: list[int] = []  # its line in the file
        self._length = 0
        self._markup = markup
        self._line = 1
        self._counted = 0
        self._read()

    def _line_at(self, offset: int) -> int:
        self._line += self._markup.count("\n", self._counted, offset)
        self._counted = offset
        return self._line

    def _add(self, text: str, line: int) -> None:
        self.offsets.append(self._length)
        self.lines.append(line)
        self.parts.append(text)
        self._length += len(text)

    def _add_text(self, start: int, end: int) -> None:
        for piece in self._markup[start:end].splitlines(keepends=True):
            self._add(html.unescape(piece), self._line_at(start))
            start += len(piece)

    def _read(self) -> None:
        markup, pos = self._markup, 0
        while (m := _TOKEN.search(markup, pos)) is not None:
            self._add_text(pos, m.start())
            pos = m.end()
            if m.group("cdata") is not None:
                self._add_text(m.start("cdata"), m.end("cdata"))
                continue
            tag = (m.group("tag") or "").lower()
            if not tag:
                continue  # a comment, a doctype
            line = self._line_at(m.start())
            if tag in _BLOCK:
                self._add("\n", line)
            if m.group("close"):
                continue
            attrs = m.group("attrs")
            for a in _ATTR.finditer(attrs):
                if a.group("name").lower() in _TEXT_ATTRS:
                    value = a.group("dq") if a.group("dq") is not None else a.group("sq") or a.group("bare") or ""
                    if value:
                        self._add(f"\n{html.unescape(value)}\n", line)
            if tag in _SKIPPED and not attrs.rstrip().endswith("/"):
                end = _END_OF[tag].search(markup, pos)
                pos = end.end() if end else len(markup)
        self._add_text(pos, len(markup))

    def line_of(self, offset: int) -> int:
        return self.lines[max(0, bisect.bisect_right(self.offsets, offset) - 1)] if self.lines else 1


def _html_findings(text: str, allowed: Sequence[Allowed]) -> Iterator[tuple[str, Finding]]:
    page = _RenderedText(text)
    rendered = "".join(page.parts)
    line_starts = [0] + [m.end() for m in re.finditer("\n", rendered)]
    for finding in find_personal_data(rendered, allowed):
        yield str(page.line_of(line_starts[finding.lineno - 1])), finding


def _json_strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _json_strings(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _json_strings(item, f"{where}[{n}]")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield where, str(value)


def _json_findings(text: str, find: Callable[[str], Sequence[Finding]]) -> Iterator[tuple[str, Finding]]:
    data = json.loads(text)
    if not any_found(json_values(data), find):
        return  # no value can have a finding (council_publish.data_values)
    # needs.json: versions → needs → id → fields; name the need and field.
    versions = data.get("versions") if isinstance(data, dict) else None
    if isinstance(versions, dict):
        pieces = [_json_strings(version.get("needs", {}), "") for version in versions.values()
                  if isinstance(version, dict)]
        pieces.append(_json_strings({k: v for k, v in data.items() if k != "versions"}, ""))
    else:
        pieces = [_json_strings(data, "")]
    for piece in pieces:
        for where, value in piece:
            for finding in find(value):
                yield where, finding


def _csv_findings(text: str, find: Callable[[str], Sequence[Finding]]) -> Iterator[tuple[str, Finding]]:
    text = text.lstrip("\ufeff")
    if not any_found(csv_values(text), find):
        return
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        for column, cell in enumerate(row, start=1):
            for finding in find(cell):
                yield f"{lineno}:{column}列", finding


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _xml_text(element: ElementTree.Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{{{_NS['m']}}}t"))


def _workbook_sheets(book: zipfile.ZipFile) -> tuple[list[str], list[tuple[str, str]]]:
    """A workbook's shared strings and its sheets (name, member), in the workbook's order."""
    names = set(book.namelist())
    shared: list[str] = []
    if "xl/sharedStrings.xml" in names:
        root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
        shared = [_xml_text(si) for si in root.findall("m:si", _NS)]
    sheets: list[tuple[str, str]] = []
    if "xl/workbook.xml" in names and "xl/_rels/workbook.xml.rels" in names:
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        for sheet in workbook.iter(f"{{{_NS['m']}}}sheet"):
            target = targets.get(sheet.get(_REL), "").lstrip("/")
            target = target if target.startswith("xl/") else f"xl/{target}"
            sheets.append((sheet.get("name", target), target))
    known = {target for _, target in sheets}
    sheets += [(n, n) for n in sorted(names) if n.startswith("xl/worksheets/") and n.endswith(".xml")
               and n not in known]
    return shared, [(name, member) for name, member in sheets if member in names]


def _sheet_is_plain(book: zipfile.ZipFile, member: str) -> bool:
    """Whether a sheet is plain XML (:func:`plain_xml`) with unprefixed element names."""
    with book.open(member) as stream:
        return plain_xml(stream, unprefixed=True)


def xlsx_cells(data: bytes) -> Iterator[tuple[str, str, str]]:
    """(sheet name, cell reference, text) of every non-empty cell of a workbook."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        shared, sheets = _workbook_sheets(book)
        for sheet_name, member in sheets:
            with book.open(member) as stream:
                for ref, text in _sheet_cells(stream, shared):
                    yield sheet_name, ref, text


def _sheet_cells(stream: IO[bytes], shared: list[str]) -> Iterator[tuple[str, str]]:
    """(reference, text) of every non-empty cell of a sheet, read by ElementTree."""
    for cell in _cells(stream):
        text = _cell_text(cell, shared)
        if text:
            yield cell.get("r", "?"), text


#: How much of a sheet's XML is read at a time.
_PIECE = 1 << 23
#: A cell of plain sheet XML, its attributes and content: outside quotes, a tag
#: holds no '/' but its end's; '>' may stand in a quoted value, '<' may not.
_PLAIN_CELL = re.compile(rb"""<c(\s[^>"'/]*(?:(?:"[^"]*"|'[^']*')[^>"'/]*)*)?(?:/>|>([^<]*(?:<(?!/c[\s>])[^<]*)*)</c\s*>)""")
_PLAIN_TYPE = re.compile(rb"""\st\s*=\s*["']([^"']*)["']""")
_PLAIN_REF = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
_PLAIN_VALUE = re.compile(rb"<v(?:\s[^>]*)?>([^<]*)</v\s*>")
_PLAIN_TEXT = re.compile(rb"<t(?:\s[^>]*)?>([^<]*)</t\s*>")


def _plain_cell_text(kind: bytes, content: bytes, shared: list[str]) -> str:
    """:func:`_cell_text` of a cell of plain sheet XML, from its ``t`` and its content."""
    if kind == b"inlineStr":
        return html.unescape(b"".join(_PLAIN_TEXT.findall(content)).decode())
    value = _PLAIN_VALUE.search(content)
    if value is None:
        return ""
    text = html.unescape(value.group(1).decode())
    if kind == b"s":
        index = int(text)
        return shared[index] if index < len(shared) else ""
    return text


#: A cell with a second ``<t>`` (rich text runs, phonetic runs): its text is their join.
_SECOND_TEXT = re.compile(rb"</t\s*>[^<]*(?:<(?!/c[\s>]|t[\s>/])[^<]*)*<t[\s>/]")


def _piece_texts(piece: bytes) -> set[str] | None:
    """Every text a cell of a piece of plain sheet XML can have, but a shared string's,
    or ``None`` when a cell joins several texts. Without one, the text of a cell is
    that of its one ``<t>`` (an inline string) or of its first ``<v>`` (matches of
    these expressions are whole elements of text, as no '<' stands in plain XML but
    at a tag), or a shared string, or empty."""
    if _SECOND_TEXT.search(piece):
        return None
    raw = set(_PLAIN_TEXT.findall(piece))
    raw.update(_PLAIN_VALUE.findall(piece))
    return {html.unescape(text.decode()) for text in raw}


def _plain_sheet_findings(stream: IO[bytes], shared: list[str], find: Callable[[str], Sequence[Finding]]
                          ) -> Iterator[tuple[str, Finding]]:
    """(cell reference, finding) of plain sheet XML (:func:`_sheet_is_plain`), by regular
    expressions over pieces cut after a row: no Python per element, and a cell's
    reference read only for a finding. A piece none of whose texts (:func:`_piece_texts`)
    nor shared strings has a finding has none (the long table at N = 1,000 has 3 million
    cells: 34 s with ElementTree, 12 s cell by cell here, about 6 s by distinct texts); any
    other is read cell by cell, each distinct cell content checked once."""
    known: dict[tuple[bytes, bytes], Sequence[Finding]] = {}
    shared_clean = not any_found(set(shared), find)
    for piece in pieces(stream, _PIECE, b"</row>", keep=True):
        if shared_clean and (texts := _piece_texts(piece)) is not None and not any_found(texts, find):
            continue
        for cell in _PLAIN_CELL.finditer(piece):
            content = cell.group(2)
            if not content:
                continue
            attributes = cell.group(1) or b""
            at = attributes.find(b' t="')
            if at >= 0:
                kind = attributes[at + 4:attributes.find(b'"', at + 4)]
            elif b"t" in attributes:
                typed = _PLAIN_TYPE.search(attributes)
                kind = typed.group(1) if typed else b"n"
            else:
                kind = b"n"
            found = known.get((kind, content))
            if found is None:
                found = find(_plain_cell_text(kind, content, shared))
                if len(known) < ValueMemo.MOST_KEPT and len(content) <= ValueMemo.LONGEST_KEPT:
                    known[kind, content] = found
            if found:
                ref = _PLAIN_REF.search(attributes)
                for finding in found:
                    yield (ref.group(1).decode() if ref else "?"), finding


_CELL = f"{{{_NS['m']}}}c"


def _cells(stream: IO[bytes]) -> Iterator[ElementTree.Element]:
    """The cells of a worksheet, each whole, read as a stream: every element outside
    a cell is let go once read (the long table's sheet is hundreds of megabytes of
    XML; read whole, its tree took gigabytes)."""
    open_elements: list[ElementTree.Element] = []
    cells_open = 0
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        if event == "start":
            open_elements.append(element)
            cells_open += element.tag == _CELL
            continue
        open_elements.pop()
        if element.tag == _CELL:
            cells_open -= 1
            yield element
        if open_elements and not cells_open:
            open_elements[-1].remove(element)


def _cell_text(cell: ElementTree.Element, shared: list[str]) -> str:
    """The text of one cell: shared, inline or its value."""
    kind = cell.get("t", "n")
    value = cell.find("m:v", _NS)
    if kind == "s" and value is not None and value.text:
        index = int(value.text)
        return shared[index] if index < len(shared) else ""
    if kind == "inlineStr":
        inline = cell.find("m:is", _NS)
        return _xml_text(inline) if inline is not None else ""
    return value.text or "" if value is not None else ""


def _xlsx_findings(data: bytes, find: Callable[[str], Sequence[Finding]]) -> Iterator[tuple[str, Finding]]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        shared, sheets = _workbook_sheets(book)
        for sheet, member in sheets:
            if _sheet_is_plain(book, member):
                with book.open(member) as stream:
                    for ref, finding in _plain_sheet_findings(stream, shared, find):
                        yield f"{sheet}!{ref}", finding
                continue
            with book.open(member) as stream:
                for ref, text in _sheet_cells(stream, shared):
                    for finding in find(text):
                        yield f"{sheet}!{ref}", finding


class ValueFindings(ValueMemo):
    """:func:`find_personal_data` of the values of the open data, each distinct value
    checked once per scan (``needs.json`` at N = 1,000: 9.2 million strings, 94,138 distinct)."""

    def __init__(self, allowed: Sequence[Allowed] = (), kept: ResultCache | None = None) -> None:
        super().__init__(lambda value: tuple(find_personal_data(value, allowed)), kept)
        self.allowed = allowed


def scan_file(path: Path, allowed: Sequence[Allowed] = (), values: ValueFindings | None = None
              ) -> list[tuple[str, Finding]]:
    """Findings in one published file: (where in the file, finding). *values* remembers
    the findings of the data's values across the files of one scan (same *allowed*)."""
    suffix = path.suffix.lower()
    find = values if values is not None else ValueFindings(allowed)
    if suffix == ".xlsx":
        return list(_xlsx_findings(path.read_bytes(), find))
    text = path.read_text(encoding="utf-8", errors="replace")
    if suffix in {".html", ".htm", ".svg", ".xml", ".atom"}:
        return list(_html_findings(text, allowed))
    if suffix == ".json":
        return list(_json_findings(text, find))
    if suffix == ".csv":
        return list(_csv_findings(text, find))
    if suffix == ".txt":
        return [(str(f.lineno), f) for f in find_personal_data(text, allowed)]
    return []


#: The published files the scan reads: rendered pages, images with text, the
#: open data, feeds and plain text.
SCANNED_SUFFIXES = frozenset({".html", ".htm", ".svg", ".xml", ".atom", ".json", ".csv", ".xlsx", ".txt"})
#: Not content: the theme's assets, and the search index (made from the pages,
#: which are scanned).
SKIPPED_DIRS = frozenset({"_static", "pagefind", ".doctrees"})


def published_files(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in SCANNED_SUFFIXES
        and not SKIPPED_DIRS.intersection(p.relative_to(root).parts[:-1])
    )


def scan_site(root: Path, allowed: Sequence[Allowed] = (),
              cache_directory: Path | None = None) -> list[PublishedFinding]:
    """Every finding in the published files below *root*, sorted.

    With *cache_directory*, a file scanned at the last publication with the
    same bytes, the same allow-list and the same scanning code is not scanned
    again (:mod:`council_publish.output_cache`).
    """
    from council.read import privacy

    cache = ResultCache(cache_directory, "privacy-scan", [sys.modules[__name__], privacy], list(allowed))
    values = ValueFindings(allowed, kept=cache)
    findings = []
    for path in published_files(root):
        rel = str(path.relative_to(root))
        try:
            found = cache.get(rel, path, lambda p: scan_file(p, allowed, values))
        except (ValueError, zipfile.BadZipFile, ElementTree.ParseError) as exc:
            raise BuildFailed(f"privacy scan: {rel} を読めません: {exc}") from None
        for where, finding in found:
            findings.append(PublishedFinding(rel, where, finding.kind, finding.masked))
    cache.save()
    return sorted(findings)


def scan_published_step(ctx: Any) -> None:
    """council-build step: personal data in the published output fails the build."""
    allowed, problems = load_allowlist(Path(ctx.source, ALLOWLIST_FILE))
    if problems:
        raise BuildFailed(f"privacy scan: {'; '.join(problems)}")
    from council_publish.output_cache import cache_dir

    findings = scan_site(ctx.html, allowed, cache_dir(ctx))
    for finding in findings[:50]:
        print(f"council-privacy: {finding}", file=sys.stderr)
    if findings:
        files = sorted({f.path for f in findings})
        raise BuildFailed(
            f"privacy scan: {len(findings)} 件の個人情報と思われる値が公開される出力にあります"
            f"（{', '.join(files[:5])}{' ほか' if len(files) > 5 else ''}）"
        )
