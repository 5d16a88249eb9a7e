"""Copyable Japanese text: a ToUnicode map for every Adobe-Japan1 font of a PDF.

The PDFs are typeset with upLaTeX and dvipdfmx (about five times faster than
LuaLaTeX for a case record: 2.7 s instead of 14.6 s, most of LuaLaTeX's time
being its start-up). dvipdfmx embeds the Harano Aji fonts as CID-keyed fonts
of the Adobe-Japan1 collection without a ToUnicode map (``pdffonts``:
``uni no``), so copying text and screen readers would depend on the viewer
knowing the collection. Adobe publishes the map from that collection to
Unicode as a ToUnicode CMap (``Adobe-Japan1-UCS2``, shipped by poppler-data
and TeX Live); this step attaches it, without its variation selectors, to
every such font that lacks one,
with pikepdf, and saves the file with a deterministic ID (the same input
gives the same bytes).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pikepdf
from pikepdf import Name

#: Where Debian's poppler-data and TeX Live keep Adobe's map, in order of preference.
CMAP_PATHS = (
    Path("/usr/share/poppler/cMap/Adobe-Japan1/Adobe-Japan1-UCS2"),
    Path("/usr/share/texlive/texmf-dist/fonts/cmap/adobemapping/ToUnicode/Adobe-Japan1-UCS2"),
)


class MapMissing(RuntimeError):
    """Adobe-Japan1-UCS2 is not installed."""


#: A variation selector at the end of a code's Unicode text (VS1–16, VS17–256).
_VARIATION = re.compile(rb"(?i)(<(?:[0-9a-f]{4})+?)(?:db40dd[0-9a-e][0-9a-f]|fe0[0-9a-f])>")


@functools.cache
def japan1_map() -> bytes:
    """Adobe's map, its variation selectors dropped: the glyph of 鍵 that upLaTeX
    sets maps to 鍵 followed by VS17 (U+E0100); copied text, search and the
    source it is compared with have the plain character."""
    for path in CMAP_PATHS:
        if path.is_file():
            return _VARIATION.sub(rb"\1>", path.read_bytes())
    raise MapMissing("Adobe-Japan1-UCS2 がありません（Debian の poppler-data を入れてください: make system-deps）: "
                     + ", ".join(str(p) for p in CMAP_PATHS))


def _japan1_fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    fonts: dict[tuple[int, int], pikepdf.Dictionary] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != Name.Font:
            continue
        if obj.get("/Subtype") != Name.Type0 or "/ToUnicode" in obj:
            continue
        descendants = obj.get("/DescendantFonts") or []
        info = descendants[0].get("/CIDSystemInfo") if len(descendants) else None
        if info is not None and str(info.get("/Registry")) == "Adobe" and str(info.get("/Ordering")) == "Japan1":
            fonts[obj.objgen] = obj
    return [fonts[key] for key in sorted(fonts)]


def add_tounicode(path: Path) -> int:
    """Give every Adobe-Japan1 font of the PDF at *path* its ToUnicode map; the
    number of fonts it was added to. The file is rewritten in place."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        fonts = _japan1_fonts(pdf)
        if fonts:
            cmap = pdf.make_stream(japan1_map())
            for font in fonts:
                font.ToUnicode = cmap
        save(pdf, path)
    return len(fonts)


def save(pdf: pikepdf.Pdf, path: Path) -> None:
    """Write *pdf* so that the same content gives the same bytes (an ID from the content)."""
    pdf.save(path, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
