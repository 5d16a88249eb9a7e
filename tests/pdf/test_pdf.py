"""The official PDFs: fonts, text, bookmarks, metadata, links, LaTeX log."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pytest
from bs4 import BeautifulSoup

from council.latex import BOOK_NAME, case_pages, page_title
from helpers import REPO

pytestmark = pytest.mark.pdf

CASES = [path.stem for path in case_pages(REPO)]
#: Overfull boxes tolerated per document: wide matrices leave a few IDs a
#: hair (under MAX_OVERFULL_PT) wider than their column.
MAX_OVERFULL = 20
MAX_OVERFULL_PT = 5.0


def documents() -> list[str]:
    return [BOOK_NAME, *CASES]


def test_one_pdf_per_case_and_the_book(pdf_dir: Path) -> None:
    assert sorted(p.stem for p in pdf_dir.glob("*.pdf")) == sorted(documents())


@pytest.mark.parametrize("name", documents())
def test_every_font_embedded(pdf_dir: Path, name: str) -> None:
    out = subprocess.run(["pdffonts", str(pdf_dir / f"{name}.pdf")],
                         capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, "no fonts listed"
    # the last five columns: emb sub uni object-number generation
    flags = [re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", row) for row in rows]
    assert all(flags), rows
    not_embedded = [row for row, flag in zip(rows, flags) if flag.group(1) != "yes"]
    assert not_embedded == []
    assert not [row for row in rows if "Type 3" in row], "bitmap (Type 3) fonts"


def test_book_has_every_case_title_and_safeguard_text(pdf_dir: Path, pdf_needs: dict, pdf_text) -> None:
    text = pdf_text(pdf_dir / f"{BOOK_NAME}.pdf")
    cases = [n for n in pdf_needs.values() if n["type"] == "case"]
    safeguards = [n for n in pdf_needs.values() if n["type"] == "safeguard"]
    assert cases and safeguards
    missing = [n["id"] for n in cases if "".join(n["title"].split()) not in text]
    missing += [n["id"] for n in safeguards if "".join(n["content"].split())[:15] not in text]
    assert missing == []


@pytest.mark.parametrize("stem", CASES)
def test_case_pdf_has_its_safeguards(pdf_dir: Path, pdf_needs: dict, pdf_text, stem: str) -> None:
    text = pdf_text(pdf_dir / f"{stem}.pdf")
    docname = f"cases/{stem}"
    mine = [n for n in pdf_needs.values() if n["docname"] == docname and n["type"] == "safeguard"]
    assert "".join(page_title(REPO / f"{docname}.md").split()) in text
    assert [n["id"] for n in mine if "".join(n["content"].split())[:15] not in text] == []


@pytest.mark.parametrize("name", documents())
def test_bookmarks_title_and_language(pdf_dir: Path, name: str) -> None:
    reader = pypdf.PdfReader(pdf_dir / f"{name}.pdf")
    assert reader.outline, "no bookmarks"
    assert reader.trailer["/Root"]["/Lang"] == "ja"
    expected = (
        "新宿区 個人情報保護 審議案件トレーサビリティ" if name == BOOK_NAME
        else page_title(REPO / "cases" / f"{name}.md")
    )
    assert reader.metadata.title == expected


def test_book_bookmarks_follow_the_structure(pdf_dir: Path) -> None:
    reader = pypdf.PdfReader(pdf_dir / f"{BOOK_NAME}.pdf")

    def titles(outline: list) -> list[str]:
        result = []
        for item in outline:
            result.extend(titles(item) if isinstance(item, list) else [item.title])
        return result

    every = "".join(titles(reader.outline))
    for stem in CASES:
        assert page_title(REPO / "cases" / f"{stem}.md") in every


def test_safeguard_links_are_internal_and_resolve(latex_dir: Path, pdf_needs: dict) -> None:
    tex = (latex_dir / f"{BOOK_NAME}.tex").read_text(encoding="utf-8")
    labels = set(re.findall(r"\\label\{\\detokenize\{([^}]*)\}\}", tex))
    refs = set(re.findall(r"\\hyperref\[\\detokenize\{([^}]*)\}\]", tex))
    assert refs and refs <= labels, sorted(refs - labels)[:10]
    for need in pdf_needs.values():
        if need["type"] == "safeguard":
            for target in need["satisfies"] + need["binds"]:
                docname = pdf_needs[target]["docname"]
                assert f"{docname}:{target}" in refs, (need["id"], target)


@pytest.mark.parametrize("name", documents())
def test_latex_log_clean(latex_dir: Path, name: str) -> None:
    log = (latex_dir / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    assert [line for line in log.splitlines() if line.startswith("! ")] == []
    overfull = [float(pt) for pt in re.findall(r"^Overfull \\[hv]box \(([\d.]+)pt too", log, re.M)]
    assert len(overfull) <= MAX_OVERFULL
    assert max(overfull, default=0) <= MAX_OVERFULL_PT
    assert "Hyper reference" not in log  # no dangling internal link


@pytest.mark.parametrize("stem", CASES)
def test_case_page_links_its_pdf(published: Path, stem: str) -> None:
    page = published / "html" / "cases" / f"{stem}.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in soup.select(".council-downloads a[href$='.pdf']")]
    assert links == [f"../pdf/{stem}.pdf"]
    assert (page.parent / links[0]).resolve().is_file()
    # the slot its size is written into by the publish step after the PDFs
    assert soup.select_one(f".council-downloads [data-council-pdf='{stem}.pdf']") is not None


def test_book_and_case_pdfs_are_numbered_from_one(pdf_dir, pdf_text):
    """The book opens with the cases as chapter 1; a case PDF's sections are 1, 2, 2.1."""
    book = pdf_text(pdf_dir / "council-trace.pdf")
    contents = book[book.index("目次"):]
    assert contents.index("第1章案件一覧") < contents.index("第2章")
    case = pdf_text(pdf_dir / "2018-fureai.pdf")
    toc = case[case.index("目次"):case.index("目次") + 400]
    assert "0.1" not in toc
    assert "2.1委託にあたり区が行う情報保護対策" in toc
