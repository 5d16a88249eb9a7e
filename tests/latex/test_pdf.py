"""The official PDFs: volumes and case records, fonts, text, links, layout, cache."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from bs4 import BeautifulSoup

from council.latex.documents import REFERENCE_VOLUME, VOLUME_PREFIX, case_fiscal_year, case_pages, page_title
from council.latex.print_tables import TEXT_WIDTH_PT
from council.latex.record_layout import APPENDIX_PREFIX, ESTIMATE_LABEL
from council.latex.trace_print import CHECKLIST_WIDTHS
from helpers import REPO

pytestmark = pytest.mark.pdf

CASES = [path.stem for path in case_pages(REPO)]
YEARS = sorted({case_fiscal_year(path) for path in case_pages(REPO)})
VOLUMES = [*(f"{VOLUME_PREFIX}{year}" for year in YEARS), REFERENCE_VOLUME]
#: Overfull boxes tolerated per document, and by how much.
MAX_OVERFULL = 5
MAX_OVERFULL_PT = 5.0
#: Letter-spaced runs of Japanese tolerated per document: a list line before a long
#: file name (the downloads of the edition comparison) is justified.
MAX_SPACED_RUNS = 2
#: Text that only the web site may show.
DEVELOPER_TEXT = ("127.0.0.1", "localhost", "Noneedspassedthefilters", "council-build", "pytest",
                  "sphinx-build", "makehtml", "makesite", "Traceback")


def documents() -> list[str]:
    return [*VOLUMES, *CASES]


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _cited_text(content: str) -> str:
    """A clause's or item's text as printed: Markdown list markers dropped, no white space."""
    lines = [re.sub(r"^[-*] ", "", line.strip()) for line in content.splitlines()]
    return _squeeze("".join(lines))


def test_volumes_and_one_pdf_per_case(pdf_dir: Path) -> None:
    assert sorted(p.stem for p in pdf_dir.glob("*.pdf")) == sorted(documents())


def test_the_latex_build_writes_no_second_needs_json(published: Path, latex_dir: Path) -> None:
    # needs.json is the HTML build's (published); the LaTeX build of the same needs
    # wrote 249 MB more at N = 1,000 that nothing read
    assert (published / "html" / "needs.json").is_file()
    assert not (latex_dir / "needs.json").exists()


@pytest.mark.parametrize("name", documents())
def test_every_font_embedded_with_tounicode(pdf_dir: Path, name: str) -> None:
    out = subprocess.run(["pdffonts", str(pdf_dir / f"{name}.pdf")],
                         capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, "no fonts listed"
    # the last five columns: emb sub uni object-number generation
    flags = [re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", row) for row in rows]
    assert all(flags), rows
    assert [row for row, flag in zip(rows, flags) if flag.group(1) != "yes"] == []
    assert [row for row, flag in zip(rows, flags) if flag.group(3) != "yes"] == [], "no ToUnicode map"
    assert not [row for row in rows if "Type 3" in row], "bitmap (Type 3) fonts"


@pytest.mark.parametrize("name", documents())
def test_no_text_outside_the_page(pdf_dir: Path, name: str) -> None:
    """Every word of every page lies inside the page box (``pdftotext -bbox``)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf_dir / f"{name}.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    outside, page, words = [], 0, 0
    width = height = 0.0
    for line in out.splitlines():
        if match := re.search(r'<page width="([\d.]+)" height="([\d.]+)"', line):
            page += 1
            width, height = map(float, match.groups())
        elif match := re.search(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" '
                                r'yMax="([-\d.]+)">(.*)</word>', line):
            words += 1
            x0, y0, x1, y1 = map(float, match.groups()[:4])
            if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
                outside.append((page, match.group(5)))
    assert page and words
    assert outside == []


@pytest.mark.parametrize("stem", CASES)
def test_case_pdf_prints_every_cited_clause_and_item(pdf_dir: Path, pdf_needs: dict, pdf_body_text,
                                                    stem: str) -> None:
    text = pdf_body_text(pdf_dir / f"{stem}.pdf")
    mine = [n for n in pdf_needs.values() if n["docname"] == f"cases/{stem}" and n["type"] == "safeguard"]
    cited = {t for n in mine for t in n["satisfies"] + n["binds"]}
    assert mine and cited
    assert [n["id"] for n in mine if _squeeze(n["content"])[:40] not in text] == []
    assert sorted(t for t in cited if _cited_text(pdf_needs[t]["content"]) not in text) == []


@pytest.mark.parametrize("stem", CASES)
def test_case_pdf_prints_its_trace_as_tables(pdf_dir: Path, pdf_needs: dict, pdf_body_text, stem: str) -> None:
    """In place of the web's graph and matrices: per work item, the clauses its measures
    rely on by name; the whole checklist, each item with its full text."""
    text = pdf_body_text(pdf_dir / f"{stem}.pdf")
    start = text.index("充足状況の集計")
    trace = text[start:text.index("付録依拠する特記事項とチェックリスト項目", start)]
    docname = f"cases/{stem}"
    works = [n for n in pdf_needs.values() if n["docname"] == docname and n["type"] in ("entrustment", "development")]
    assert works
    for work in works:
        kind = "業務委託" if work["type"] == "entrustment" else "開発・変更"
        assert f"{kind}{work['id'].rsplit('_', 1)[-1]}の対策が依拠する項目・条項" in trace, work["id"]
    measures = [n for n in pdf_needs.values() if n["docname"] == docname and n["type"] == "safeguard"]
    clauses = {pdf_needs[c]["id"] for n in measures for c in n["binds"]}
    assert [c for c in sorted(clauses)
            if _squeeze(f"第{pdf_needs[c]['number']}項{pdf_needs[c]['heading']}") not in trace] == []
    # the checklist's first column (half the line), read on its own: pdftotext
    # interleaves the lines of side-by-side cells
    column = _column_text(pdf_dir / f"{stem}.pdf", "チェックリスト項目", share=CHECKLIST_COLUMN)
    items = [n for n in pdf_needs.values() if n["type"] == "checkitem"]
    assert [n["id"] for n in items if _cited_text(n["content"]) not in column] == []


#: The share of the line the checklist table's first column takes (council.latex.trace_print).
CHECKLIST_COLUMN = CHECKLIST_WIDTHS[0] / sum(CHECKLIST_WIDTHS)


def _column_text(pdf: Path, header: str, share: float) -> str:
    """The text of a table's first column (*share* of the line), on every page that
    repeats its *header*, read down the column."""
    import html

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = []
    for page in out.split("<page ")[1:]:
        words = [(float(x0), float(y0), html.unescape(w)) for x0, y0, w in re.findall(
            r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="[-\d.]+" yMax="[-\d.]+">(.*)</word>', page)]
        # the header of the table's first column (the same word may head another table's second)
        heads = sorted(w for w in words if w[2] == header)
        if not heads or heads[0][0] > min(w[0] for w in words) + 10:
            continue
        left, top = heads[0][0], heads[0][1]
        column = sorted((w[1], w[0], w[2]) for w in words
                        if top < w[1] < FOOTER_TOP and left - 6 <= w[0] < left + share * TEXT_WIDTH_PT - 3)
        # down the column line by line (a line's Latin and Japanese words differ by < 1 pt)
        lines: list[list[tuple[float, float, str]]] = []
        for word in column:
            if lines and word[0] - lines[-1][0][0] < 3:
                lines[-1].append(word)
            else:
                lines.append([word])
        text += [w[2] for line in lines for w in sorted(line, key=lambda w: w[1])]
    return "".join(text)


@pytest.mark.parametrize("stem", CASES)
def test_case_pdf_references_are_working_links(latex_dir: Path, pdf_dir: Path, pdf_needs: dict,
                                               stem: str) -> None:
    """Each reference of a measure links into the appendix, which links back; every
    internal link of the PDF lands on a destination that exists."""
    tex = (latex_dir / f"{stem}.tex").read_text(encoding="utf-8")
    labels = set(re.findall(r"\\label\{\\detokenize\{([^}]*)\}\}", tex))
    refs = re.findall(r"\\hyperref\[\\detokenize\{([^}]*)\}\]", tex)
    assert set(refs) <= labels, sorted(set(refs) - labels)[:10]
    docname = f"cases/{stem}"
    mine = [n for n in pdf_needs.values() if n["docname"] == docname and n["type"] == "safeguard"]
    references = [(n["id"], t) for n in mine for t in n["satisfies"] + n["binds"]]
    forward = [r for r in refs if r.startswith(f"{docname}:{APPENDIX_PREFIX}")]
    # from each measure, again from its row in the trace tables, and from each cited item's row
    cited_items = {t for n in mine for t in n["satisfies"]}
    assert len(forward) == 2 * len(references) + len(cited_items)
    for need_id, target in references:
        assert f"{docname}:{APPENDIX_PREFIX}{target}" in refs, (need_id, target)
        assert f"{docname}:{need_id}" in refs  # back from the appendix
    reader = pypdf.PdfReader(pdf_dir / f"{stem}.pdf")
    named = set(reader.named_destinations)
    links = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            dest = annot.get("/Dest") or (action.get("/D") if action and action.get("/S") == "/GoTo" else None)
            if dest is not None:
                links.append(str(dest))
    assert len(links) >= 2 * len(references)
    assert [d for d in links if d not in named] == []


@pytest.mark.parametrize("stem", CASES)
def test_case_pdf_cover_in_the_wards_form(pdf_dir: Path, pdf_needs: dict, stem: str) -> None:
    case = next(n for n in pdf_needs.values() if n["docname"] == f"cases/{stem}" and n["type"] == "case")
    # read as laid out: a value's second line is on the line below its first
    cover = _squeeze(subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf_dir / f"{stem}.pdf"), "-"],
                                    capture_output=True, text=True, check=True).stdout)
    for label in ("審議機関", "手続", "根拠規定", "担当部課", "資料番号", "公開日", "開始年度"):
        assert label in cover
    for value in (case["council"], case["department"], *case["legal_basis"], *case["procedure"],
                  _squeeze(case["title"]), f"{case['fiscal_year']}年度）"):
        assert _squeeze(value) in cover, value
    assert re.search(r"(令和|平成)(元|[0-9]+)年[0-9]+月[0-9]+日（20[0-9]{2}年", cover)


def test_site_estimates_are_labelled(pdf_dir: Path, pdf_text) -> None:
    """The site's own mappings carry a label in print (and a frame, see the rendered pages)."""
    text = pdf_text(pdf_dir / "2019-jiritsu.pdf")
    assert f"{ESTIMATE_LABEL}本サイトによる対応付け" in text
    assert f"{ESTIMATE_LABEL}遡及的なギャップ分析（参考）" in text


@pytest.mark.parametrize("stem", CASES)
def test_case_pdf_colophon(pdf_dir: Path, stem: str) -> None:
    # read as laid out: a value's last line is on the line below the one before
    pdf = pdf_dir / f"{stem}.pdf"
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                             text=True, check=True).stdout).group(1))
    text = _squeeze(subprocess.run(["pdftotext", "-layout", "-f", str(max(pages - 1, 1)), "-l", str(pages),
                                    str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    # its heading, then its first line (the footer names the section too)
    colophon = text[text.rindex("この文書について公開場所"):]
    assert f"cases/{stem}.html" in colophon
    # under the public address (html_baseurl) once the site has one
    assert re.search(rf"pdf/{stem}\.pdf（SHA-256は(https://[^（）]+/)?SHA256SUMSに掲載しています）",
                     colophon.replace("公開サイトの", "")), colophon
    assert "令和7年11月20日（2025年11月20日）" in colophon  # the page's date (tests: SOURCE_DATE_EPOCH)


@pytest.mark.parametrize("name", documents())
def test_public_content_only(pdf_dir: Path, pdf_text, name: str) -> None:
    text = pdf_text(pdf_dir / f"{name}.pdf")
    assert [t for t in DEVELOPER_TEXT if t in text] == []
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,} [a-z]{3,}",
                         subprocess.run(["pdftotext", str(pdf_dir / f"{name}.pdf"), "-"],
                                        capture_output=True, text=True).stdout), "English prose"


def test_volumes_hold_their_years_cases(pdf_dir: Path, pdf_needs: dict, pdf_text, pdf_body_text) -> None:
    cases = [n for n in pdf_needs.values() if n["type"] == "case"]
    for year in YEARS:
        text = pdf_text(pdf_dir / f"{VOLUME_PREFIX}{year}.pdf")
        for case in cases:
            assert (_squeeze(case["title"]) in text) == (case["fiscal_year"] == year), (year, case["id"])
    reference = pdf_body_text(pdf_dir / f"{REFERENCE_VOLUME}.pdf").replace("•", "")
    for need in pdf_needs.values():
        if need["type"] in ("clause", "checkitem"):
            assert _cited_text(need["content"]) in reference, need["id"]
    for web_only in ("author-guide", "performance", "verification"):
        assert _squeeze(page_title(REPO / "docs" / f"{web_only}.md")) not in _outline(pdf_dir / f"{REFERENCE_VOLUME}.pdf")


def _outline(pdf: Path) -> str:
    def titles(outline: list) -> list[str]:
        result = []
        for item in outline:
            result.extend(titles(item) if isinstance(item, list) else [item.title])
        return result

    return _squeeze("".join(titles(pypdf.PdfReader(pdf).outline)))


@pytest.mark.parametrize("name", documents())
def test_metadata_and_bookmarks(pdf_dir: Path, name: str) -> None:
    reader = pypdf.PdfReader(pdf_dir / f"{name}.pdf")
    assert reader.outline, "no bookmarks"
    assert reader.trailer["/Root"]["/Lang"] == "ja"
    meta = reader.metadata
    assert meta.subject and meta.get("/Keywords")
    if name in CASES:
        assert meta.title == page_title(REPO / "cases" / f"{name}.md")
        assert "審議資料" in meta.subject
        assert f"CASE_{name[:4]}" in meta["/Keywords"]
        outline = _outline(pdf_dir / f"{name}.pdf")
        assert "付録" in outline and "この文書について" in outline
    else:
        assert meta.title


def _body_lines(pdf: Path) -> list[list[float]]:
    """Per page, the tops (pt from the page's top) of the words of the body."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [[float(y) for y in re.findall(r'<word xMin="[-\d.]+" yMin="([-\d.]+)"', page)
             if float(y) < FOOTER_TOP]
            for page in out.split("<page ")[1:]]


#: Where the running head ends and the footer starts (pt from the top of an A4 page).
HEAD_BOTTOM, FOOTER_TOP = 60.0, 770.0


def _stranded(pdf: Path, places: list[tuple[str, object]]) -> list[tuple[int, str]]:
    """Destinations with nothing of the body below them on their page (a heading left
    at a page's foot, a link landing on the page before its target)."""
    reader = pypdf.PdfReader(pdf)
    index = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    lines = _body_lines(pdf)
    result = []
    for name, dest in places:
        top = dest.get("/Top")
        ref = getattr(dest.page, "indirect_reference", None) or dest.page
        page = index.get(getattr(ref, "idnum", None))
        if top is None or page is None:
            continue
        y = float(reader.pages[page].mediabox.height) - float(top)
        if not [line for line in lines[page] if line > y + 30]:
            result.append((page + 1, name))
    return result


@pytest.mark.parametrize("name", documents())
def test_headings_kept_with_their_content(pdf_dir: Path, name: str) -> None:
    pdf = pdf_dir / f"{name}.pdf"

    def walk(items: list) -> list[tuple[str, object]]:
        found = []
        for item in items:
            found += walk(item) if isinstance(item, list) else [(item.title, item)]
        return found

    assert _stranded(pdf, walk(pypdf.PdfReader(pdf).outline)) == []


@pytest.mark.parametrize("name", documents())
def test_links_land_on_their_target(pdf_dir: Path, name: str) -> None:
    """No link destination at a page's foot with its target on the next page."""
    pdf = pdf_dir / f"{name}.pdf"
    places = list(pypdf.PdfReader(pdf).named_destinations.items())
    assert places
    assert _stranded(pdf, places) == []


@pytest.mark.parametrize("name", documents())
def test_no_letter_spaced_japanese(pdf_dir: Path, name: str) -> None:
    """Justified narrow columns spread Japanese apart: ``pdftotext`` then reads each
    character as a word of its own. No run of three such characters on a line."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf_dir / f"{name}.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    runs, page, run, last = [], 0, "", None
    for line in out.splitlines():
        if "<page " in line:
            page, last = page + 1, None
        match = re.search(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="[-\d.]+">(.*)</word>', line)
        if not match:
            continue
        x0, y0, x1 = map(float, match.groups()[:3])
        single = len(match.group(4)) == 1 and ord(match.group(4)) > 0x3000
        if single and last and abs(last[1] - y0) < 1:
            run += match.group(4)
        else:
            if len(run) >= 3:
                runs.append((page, run))
            run = match.group(4) if single else ""
        last = (x1, y0) if single else None
    assert len(runs) <= MAX_SPACED_RUNS, runs


@pytest.mark.parametrize("name", documents())
def test_running_heads_and_page_numbers_fit(pdf_dir: Path, name: str) -> None:
    """The running head stays on one line; no footer text runs under the page number."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf_dir / f"{name}.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    two_lines, covered = [], []
    for number, page in enumerate(out.split("<page ")[1:], 1):
        words = [(float(x0), float(y0), float(x1), word) for x0, y0, x1, word in re.findall(
            r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="[-\d.]+">(.*)</word>', page)]
        head = sorted(y for x0, y, x1, w in words if y < HEAD_BOTTOM)
        if head and head[-1] - head[0] > 3:  # Latin and Japanese baselines differ by < 1 pt
            two_lines.append(number)
        foot = [w for w in words if w[1] > FOOTER_TOP]
        numbers = [w for w in foot if re.fullmatch(r"[0-9ivxl]+", w[3])]
        if numbers:
            page_number = max(numbers, key=lambda w: w[2])
            if [w for w in foot if w is not page_number and w[2] > page_number[0] - 2
                    and abs(w[1] - page_number[1]) < 8]:
                covered.append(number)
    assert two_lines == []
    assert covered == []


@pytest.mark.parametrize("name", documents())
def test_latex_log_clean(latex_dir: Path, name: str) -> None:
    log = (latex_dir / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    assert [line for line in log.splitlines() if line.startswith("! ")] == []
    overfull = [float(pt) for pt in re.findall(r"^Overfull \\[hv]box \(([\d.]+)pt too", log, re.M)]
    assert len(overfull) <= MAX_OVERFULL
    assert max(overfull, default=0) <= MAX_OVERFULL_PT
    assert "Hyper reference" not in log  # no dangling internal link
    assert (latex_dir / f"{name}.latexmk.log").is_file()  # latexmk's output in a file


@pytest.mark.parametrize("stem", CASES)
def test_case_page_links_its_pdf(published: Path, stem: str) -> None:
    page = published / "html" / "cases" / f"{stem}.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in soup.select(".council-downloads a[href$='.pdf']")]
    assert links == [f"../pdf/{stem}.pdf"]
    assert (page.parent / links[0]).resolve().is_file()
    # the slot its size is written into by the publish step after the PDFs
    assert soup.select_one(f".council-downloads [data-council-pdf='{stem}.pdf']") is not None


def test_case_pdf_numbered_as_in_its_volume(pdf_dir: Path, pdf_text) -> None:
    """2019-sasaeai is chapter 2 of the 2019 volume: its sections are 2.1, 2.2 in both PDFs."""
    case = pdf_text(pdf_dir / "2019-sasaeai.pdf")
    volume = pdf_text(pdf_dir / f"{VOLUME_PREFIX}2019.pdf")
    toc = case[case.index("目次"):case.index("目次") + 600]
    assert "0.1" not in toc
    heading = re.search(r"2\.1業務委託1:[^2]{5}", toc)
    assert heading, toc
    assert heading.group(0) in volume
    assert "2.1.1区が行う対策【運用上の対策】" in toc
    # its tables too: numbered per chapter, untitled tables using up no number
    assert "表2.1:充足状況の集計" in case and "表2.1:充足状況の集計" in volume
    assert "表2.2:業務委託1の対策が依拠する項目・条項" in case
    assert "表2.2:業務委託1の対策が依拠する項目・条項" in volume


def test_republish_after_one_edit_rebuilds_its_pdf_and_its_volume(
    published: Path, site_source: Path, pdf_cache: Path, tmp_path: Path, publish_site,
) -> None:
    """Exactly the edited case's PDF is compiled, its fiscal year's volume joined
    again from it, and these two change; every other PDF comes from the cache."""
    before = {p.name: p.read_bytes() for p in (published / "html" / "pdf").glob("*.pdf")}
    source = tmp_path / "project"
    shutil.copytree(site_source, source)
    page = source / "cases" / "2019-sasaeai.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\n本サイトの試験用の追記。\n", encoding="utf-8")
    output = publish_site(source, tmp_path / "site", pdf_cache)
    jobs = dict(line.split("\t")[:2] for line in (output / "latex" / "pdf-jobs.txt").read_text().splitlines())
    assert sorted(name for name, how in jobs.items() if how != "cached") == ["2019-sasaeai", f"{VOLUME_PREFIX}2019"]
    assert jobs["2019-sasaeai"] == "compiled" and jobs[f"{VOLUME_PREFIX}2019"] == "joined"
    after = {p.name: p.read_bytes() for p in (output / "html" / "pdf").glob("*.pdf")}
    assert sorted(after) == sorted(before)
    assert sorted(n for n in after if after[n] != before[n]) == ["2019-sasaeai.pdf", f"{VOLUME_PREFIX}2019.pdf"]


def test_volume_is_its_front_matter_and_its_case_pdfs(pdf_dir: Path, latex_dir: Path) -> None:
    """A fiscal year's volume holds its cases' own PDFs, page for page, after its
    front matter; the front's list links to each case's first page, each case has
    a bookmark with its own under it, and every internal link lands on a name."""
    plan = json.loads((latex_dir / "volumes.json").read_text(encoding="utf-8"))
    assert sorted(plan) == [f"{VOLUME_PREFIX}{year}" for year in YEARS]
    for volume_name, cases in plan.items():
        volume = pypdf.PdfReader(pdf_dir / f"{volume_name}.pdf")
        front = len(pypdf.PdfReader(latex_dir / f"{volume_name}-front.pdf").pages)
        page_index = {page.indirect_reference.idnum: n for n, page in enumerate(volume.pages)}
        named = volume.named_destinations
        offset = front
        outline = [item for item in volume.outline if not isinstance(item, list)]
        for number, case in enumerate(cases, start=1):
            own = pypdf.PdfReader(pdf_dir / f"{case}.pdf")
            for k in (0, len(own.pages) // 2, len(own.pages) - 1):
                assert volume.pages[offset + k].extract_text() == own.pages[k].extract_text(), (case, k)
            assert volume.page_labels[offset] == f"資料{number}-1"
            assert page_index[named[case].page.idnum] == offset
            mark = next(item for item in outline if item.title.startswith(f"資料{number}　"))
            assert mark.title == f"資料{number}　{own.metadata.title}"
            assert volume.get_destination_page_number(mark) == offset
            offset += len(own.pages)
        assert offset == len(volume.pages)
        front_links = []
        for page in volume.pages:
            for annot in page.get("/Annots") or []:
                annot = annot.get_object()
                action = annot.get("/A") or {}
                assert not str(action.get("/URI", "")).startswith("council-case:"), volume_name
                target = annot.get("/Dest") or (action.get("/D") if action.get("/S") == "/GoTo" else None)
                if target is not None:
                    assert str(target) in named, (volume_name, str(target))
                    if str(target) in cases:
                        front_links.append(str(target))
        assert set(front_links) == set(cases), volume_name


def _format_of(log: Path) -> str | None:
    """The format a LaTeX run started from, as the first line of its log names it."""
    match = re.search(r"\(preloaded format=(\S+) ", log.read_text(encoding="utf-8", errors="replace"))
    return match.group(1) if match else None


def test_cases_and_fronts_start_from_their_shared_preamble(latex_dir: Path) -> None:
    """The preamble every case shares is read once into a format, and so is the one
    the volumes' front matters share (council_publish.latex_formats)."""
    cases = {_format_of(latex_dir / f"{stem}.log") for stem in CASES}
    fronts = {_format_of(latex_dir / f"{VOLUME_PREFIX}{year}.log") for year in YEARS}
    assert len(cases) == 1 and next(iter(cases)).startswith("council-format-"), cases
    assert len(fronts) == 1 and next(iter(fronts)).startswith("council-format-"), fronts
    assert cases != fronts


def _printed(pdf: Path) -> dict:
    """What a reader gets from *pdf*: each page's drawing (its redundant colour
    resets aside), links, size; the bookmarks, named destinations and metadata."""
    import pikepdf

    with pikepdf.open(pdf) as doc:
        pages = []
        for page in doc.pages:
            streams = page.Contents if isinstance(page.Contents, pikepdf.Array) else [page.Contents]
            drawing = b"".join(stream.read_bytes() for stream in streams).replace(b"0 G 0 g ", b"")
            links = [[round(float(v), 2) for v in annot.Rect] for annot in page.get("/Annots", [])]
            pages.append((drawing, links, [float(v) for v in page.MediaBox]))
        with doc.open_outline() as outline:
            def titles(items):
                return [(item.title, titles(item.children)) for item in items]
            bookmarks = titles(outline.root)
        names = sorted(pikepdf.NameTree(doc.Root.Names.Dests).keys())
        return {"pages": pages, "bookmarks": bookmarks, "names": names,
                "info": {str(k): str(v) for k, v in doc.docinfo.items()}}


def test_a_pdf_from_the_format_is_the_pdf_without_it(latex_dir: Path, tmp_path: Path) -> None:
    """Compiled from its whole preamble (no format), a case PDF and a volume's
    front matter print exactly what the published ones print."""
    import os

    from council_publish import pdf_jobs

    outputs = {tex.stem for tex in latex_dir.glob("*.tex")}
    shutil.copytree(latex_dir, tmp_path / "latex", ignore=lambda _, names: [
        n for n in names if Path(n).stem in outputs and n.endswith((".pdf", ".aux", ".toc", ".out", ".log", ".dvi",
                                                                    ".fls", ".fdb_latexmk"))
        or n.endswith("-front.pdf") or n == "volumes.json"])
    alone = {"2019-jiritsu", f"{VOLUME_PREFIX}2019"}
    for tex in (tmp_path / "latex").glob("*.tex"):
        if tex.stem not in alone:
            tex.unlink()
    results = pdf_jobs.compile_all(tmp_path / "latex", dict(os.environ), cache=tmp_path / "cache",
                                   logs=tmp_path / "logs", formats=False)
    assert sorted((r.name, r.how) for r in results) == sorted((name, "compiled") for name in alone)
    assert _format_of(tmp_path / "latex" / "2019-jiritsu.log") == "uplatex"
    assert _printed(tmp_path / "latex" / "2019-jiritsu.pdf") == _printed(latex_dir / "2019-jiritsu.pdf")
    assert (_printed(tmp_path / "latex" / f"{VOLUME_PREFIX}2019.pdf")
            == _printed(latex_dir / f"{VOLUME_PREFIX}2019-front.pdf"))
