"""A fiscal year's volume: its front matter followed by its cases' own PDFs.

Each case is typeset once, as its own 審議資料 (:mod:`council.latex.case_record`).
Its fiscal year's volume is the front matter that LaTeX typesets
(:mod:`council.latex.volume_front`: title page and the list of the 審議資料)
followed by the pages of the case PDFs as they are. Typesetting each volume
again cost as much LaTeX time as all its cases together (about half of a
first PDF build), and an edit of one case typeset its whole year again (at
1,000 cases, about 38 cases); joining takes a fraction of a second per case.

pikepdf (qpdf) joins the files. What a plain copy of pages would lose is
rebuilt:

- named destinations: hyperref gives every case the same names
  (``section.0.1``); each case's are renamed ``<case>/<name>`` in the
  volume's one name tree, and its links and bookmarks follow them;
- bookmarks: one per case (``資料2　<title>``), the case's own under it;
- the front matter's links to the cases (``council-case:<case>``) become
  links to the case's first page (named ``<case>``);
- page labels: the front matter's as printed, each case's pages as
  ``資料2-1``, ``資料2-2``… (the number printed on the page is the case's own).

The same inputs give the same bytes (no time, a deterministic file ID).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from decimal import Decimal
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, OutlineItem, String

from council.latex.documents import VOLUMES_FILE
from council.latex.volume_front import CASE_LINK
from council_publish.tounicode import save

#: The compiled front matter of volume ``<name>`` is kept as ``<name>-front.pdf``.
FRONT_SUFFIX = "-front"
#: Part of every cache key: a change in how volumes are joined joins them again.
JOIN_VERSION = b"volumes-1"


@dataclass(frozen=True)
class Plan:
    """One volume: its name, and the case PDFs it holds in order."""

    name: str
    cases: tuple[str, ...]


def plans(latex: Path) -> list[Plan]:
    """The volumes to join, as the LaTeX builder listed them (none without the file)."""
    path = latex / VOLUMES_FILE
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Plan(name, tuple(cases)) for name, cases in sorted(data.items())]


def join_key(front: Path, cases: list[Path]) -> str:
    """The cache key of a joined volume: its front matter and case PDFs, byte for byte."""
    digest = hashlib.sha256(JOIN_VERSION)
    for path in (front, *cases):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _destinations(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    return {str(key): value for key, value in NameTree(names.Dests).items()}


def _explicit(dest: pikepdf.Object) -> pikepdf.Object | None:
    """A destination array ([page /XYZ left top zoom]), from a name tree value."""
    if isinstance(dest, Dictionary):
        dest = dest.get("/D")
    return dest if isinstance(dest, Array) and len(dest) > 0 else None


def _view(dest: Array) -> list[object]:
    """The part of a destination after its page (/XYZ left top zoom), as new objects."""
    view: list[object] = []
    for item in list(dest)[1:]:
        if isinstance(item, Name):
            view.append(Name(str(item)))
        elif item is None or isinstance(item, bool):
            view.append(None)
        else:
            view.append(Decimal(str(item)))
    return view


def _goto(name: str) -> Dictionary:
    return Dictionary(S=Name.GoTo, D=String(name))


def _renamed_links(page: pikepdf.Page, prefix: str, known: set[str]) -> None:
    """Every link of *page* to a named destination of its case: to the renamed one."""
    for annot in page.obj.get("/Annots") or []:
        if annot.get("/Subtype") != Name.Link:
            continue
        action = annot.get("/A")
        if action is not None and action.get("/S") == Name.GoTo and isinstance(action.get("/D"), String):
            target = str(action.D)
            if target in known:
                annot.A = _goto(prefix + target)
        elif isinstance(annot.get("/Dest"), String) and str(annot.Dest) in known:
            annot.Dest = String(prefix + str(annot.Dest))


def _front_links(page: pikepdf.Page, cases: set[str]) -> None:
    """The front matter's ``council-case:<case>`` links: to the case's first page."""
    for annot in page.obj.get("/Annots") or []:
        action = annot.get("/A")
        if action is None or action.get("/S") != Name.URI:
            continue
        uri = str(action.get("/URI", ""))
        if uri.startswith(CASE_LINK) and uri[len(CASE_LINK):] in cases:
            annot.A = _goto(uri[len(CASE_LINK):])


def _outline_items(items: list[OutlineItem], prefix: str, known: set[str]) -> list[OutlineItem]:
    """A case's bookmarks for the joined file, pointing at its renamed destinations."""
    result = []
    for item in items:
        target = item.destination
        if target is None and item.action is not None and item.action.get("/S") == Name.GoTo:
            target = item.action.get("/D")
        new = OutlineItem(item.title, String(prefix + str(target))
                          if isinstance(target, (String, str)) and str(target) in known else None)
        new.children.extend(_outline_items(list(item.children), prefix, known))
        result.append(new)
    return result


def join(front: Path, cases: list[tuple[str, Path]], out: Path) -> None:
    """Write to *out* the volume: *front*, then each case PDF (name, path) in order."""
    with pikepdf.open(front) as volume:
        front_pages = len(volume.pages)
        names: dict[str, pikepdf.Object] = dict(_destinations(volume))
        labels: list[object] = [0, Dictionary(S=Name.D)]
        bookmarks: list[OutlineItem] = []
        for number, (case, path) in enumerate(cases, start=1):
            with pikepdf.open(path) as source:
                destinations = _destinations(source)
                known = set(destinations)
                position = {page.objgen: index for index, page in enumerate(source.pages)}
                first = len(volume.pages)
                with warnings.catch_warnings():
                    # pikepdf warns that a copy of pages loses named destinations:
                    # they are carried over here, renamed per case
                    warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                    volume.pages.extend(source.pages)
                pages = volume.pages[first:first + len(source.pages)]
                prefix = f"{case}/"
                for name, value in destinations.items():
                    dest = _explicit(value)
                    if dest is None or dest[0].objgen not in position:
                        continue
                    names[prefix + name] = Array([pages[position[dest[0].objgen]].obj, *_view(dest)])
                names[case] = Array([pages[0].obj, Name.Fit])
                for page in pages:
                    _renamed_links(page, prefix, known)
                with source.open_outline() as outline:
                    children = _outline_items(list(outline.root), prefix, known)
                title = str(source.docinfo.get("/Title", case))
                item = OutlineItem(f"資料{number}　{title}", String(case))
                item.children.extend(children)
                bookmarks.append(item)
                labels += [first, Dictionary(S=Name.D, P=String(f"資料{number}-"), St=1)]
        for page in volume.pages[:front_pages]:
            _front_links(page, {case for case, _ in cases})
        tree = NameTree.new(volume)
        for name in sorted(names):
            tree[name] = names[name]
        volume.Root.Names = volume.make_indirect(Dictionary(Dests=tree.obj))
        volume.Root.PageLabels = Dictionary(Nums=Array(labels))
        with volume.open_outline() as outline:
            outline.root.extend(bookmarks)
        save(volume, out)
