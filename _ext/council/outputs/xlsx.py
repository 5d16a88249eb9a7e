"""A small XLSX (Office Open XML spreadsheet) writer for the matrix exports.

Every case has three tables and each is published as a workbook, so a site
of a thousand cases writes thousands of workbooks. openpyxl spent about ten
milliseconds on each (half a minute at that size) building and serialising
a cell object per value; the exports need only one sheet of text and number
cells with a bold header row, the header row and first column frozen, an auto
filter, column widths, a % format and a fill per status. This module writes exactly that as XML text: the parts Excel and
LibreOffice require (content types, relationships, workbook, styles, sheet,
document properties), strings inline in the cells. The tests read the files
back with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from council.outputs.reproducible import zip_member

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: Rows of the sheet written to the archive at a time.
_ROWS_PER_PIECE = 500

_CONTENT_TYPES = _HEAD + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)

_ROOT_RELS = _HEAD + (
    f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)

_WORKBOOK_RELS = _HEAD + (
    f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)

_APP = _HEAD + (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>council-trace</Application></Properties>"
)

#: Style index 0 is the default, 1 the header, 2 a percentage; a fill colour gets 3, 4, ...
_HEADER_STYLE = 1
_PERCENT_STYLE = 2
_FIRST_FILL_STYLE = 3


def _col(index: int) -> str:
    """Column letters of a 1-based column number (1 -> A, 27 -> AA)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _styles(fills: Sequence[str]) -> str:
    solid = "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{c}"/><bgColor rgb="FF{c}"/>'
        "</patternFill></fill>"
        for c in fills
    )
    fill_xfs = "".join(
        f'<xf numFmtId="0" fontId="0" fillId="{2 + i}" borderId="0" xfId="0" applyFill="1"/>'
        for i in range(len(fills))
    )
    return _HEAD + (
        f'<styleSheet xmlns="{_MAIN}">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        f'<fills count="{2 + len(fills)}"><fill><patternFill patternType="none"/></fill>'
        f'<fill><patternFill patternType="gray125"/></fill>{solid}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{_FIRST_FILL_STYLE + len(fills)}">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
        '<alignment vertical="top" wrapText="1"/></xf>'
        '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        f"{fill_xfs}</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _cell(ref: str, value: str | int | float, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = escape(str(value))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"{s}><is><t{space}>{text}</t></is></c>'


def _sheet(headers: Sequence[str], rows: Sequence[Sequence[str | int | float]], widths: Sequence[float],
           styles: Mapping[tuple[int, str], int], percent_columns: Collection[int] = ()) -> Iterator[str]:
    """The sheet's XML in pieces of a few hundred rows: the long tables of a large
    site would otherwise be one string of hundreds of megabytes."""
    last = f"{_col(len(headers))}{len(rows) + 1}"
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1)
    )
    letters = [_col(i) for i in range(1, len(headers) + 1)]
    parts = [
        _HEAD,
        f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">',
        f'<dimension ref="A1:{last}"/>',
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" state="frozen"/>'
        '<selection pane="topRight"/><selection pane="bottomLeft"/>'
        '<selection pane="bottomRight" activeCell="B2" sqref="B2"/></sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{cols}</cols>" if cols else "",
        "<sheetData>",
        '<row r="1">',
        *(_cell(f"{letters[i]}1", h, _HEADER_STYLE) for i, h in enumerate(headers)),
        "</row>",
    ]
    for number, row in enumerate(rows, start=2):
        parts.append(f'<row r="{number}">')
        parts.extend(
            _cell(f"{letters[i]}{number}", value,
                  _PERCENT_STYLE if i in percent_columns and isinstance(value, float)
                  else styles.get((i, value), 0) if isinstance(value, str) else 0)
            for i, value in enumerate(row)
        )
        parts.append("</row>")
        if number % _ROWS_PER_PIECE == 0:
            yield "".join(parts)
            parts = []
    parts += ["</sheetData>", f'<autoFilter ref="A1:{last}"/>', "</worksheet>"]
    yield "".join(parts)


def _core(title: str, creator: str, when: dt.datetime) -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return _HEAD + (
        '<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(creator)}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def sheet_name(name: str) -> str:
    """A valid sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31].strip("'")
    return cleaned or "Sheet1"


def write_workbook(
    path: Path,
    *,
    sheet: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str | int | float]],
    widths: Sequence[float] = (),
    fills: Mapping[int, Mapping[str, str]] | None = None,
    percent_columns: Collection[int] = (),
    title: str = "",
    creator: str = "",
    when: dt.datetime = dt.datetime(2000, 1, 1),
) -> None:
    """Write a one-sheet workbook of text and number cells.

    :param headers: the first row, bold and frozen, with an auto filter over the table
    :param widths: column widths in characters, from the first column on
    :param fills: column index -> cell value -> RGB colour ("C6EFCE") to fill it with
    :param percent_columns: column indexes whose numbers are shares, shown with a % format
    :param when: creation time, also the date of every member of the ZIP file
    """
    colours = sorted({c for by_value in (fills or {}).values() for c in by_value.values()})
    style_of = {colour: _FIRST_FILL_STYLE + i for i, colour in enumerate(colours)}
    styles = {(column, value): style_of[colour]
              for column, by_value in (fills or {}).items() for value, colour in by_value.items()}
    name = sheet_name(sheet)
    quoted = name.replace("'", "''")
    workbook = _HEAD + (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<bookViews><workbookView/></bookViews>'
        f'<sheets><sheet name="{escape(name)}" sheetId="1" r:id="rId1"/></sheets>'
        '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"{escape(chr(39) + quoted + chr(39))}!$A$1:${_col(len(headers))}${len(rows) + 1}</definedName>"
        "</definedNames></workbook>"
    )
    members = [
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("docProps/app.xml", _APP),
        ("docProps/core.xml", _core(title, creator, when)),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ("xl/styles.xml", _styles(colours)),
    ]
    stamp = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in members:
            archive.writestr(zip_member(member, stamp, zipfile.ZIP_DEFLATED), text.encode("utf-8"))
        # the same bytes as writestr() of the whole text: deflate does not depend on how its input is cut
        with archive.open(zip_member("xl/worksheets/sheet1.xml", stamp, zipfile.ZIP_DEFLATED), "w") as sheet_xml:
            for piece in _sheet(headers, rows, widths, styles, percent_columns):
                sheet_xml.write(piece.encode("utf-8"))
    tmp.replace(path)
