"""How the cross-case pages grow with the number of cases.

``council-crossview-measure -n 300`` builds the real site and a synthetic
site of *n* cases (``council_bench.synthetic``, with this site's ``traceability/``
pages copied in) and prints, for each cross-case page, its visible text length
and, with ``--browser``, its rendered height in Chromium at 1280 and 375 px,
with the ratio synthetic / real. The target is a ratio of at most 2: the
pages show one row per clause, checklist item or kind of data, never one
column per case.

A measurement, not a timed test: it takes minutes (one build of each site).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

from council_bench import synthetic

#: The cross-case pages (docnames under traceability/).
PAGES = ("traceability/index", "traceability/clause-case", "traceability/checkitem-case",
         "traceability/data-case", "traceability/compare", "traceability/downloads")
WIDTHS = (1280, 375)


def build(srcdir: Path, outdir: Path) -> Path:
    """An HTML build of *srcdir* (warnings allowed: a synthetic site lacks the docs pages)."""
    from sphinx.cmd.build import build_main

    code = build_main(["-b", "html", "-q", "-E", str(srcdir), str(outdir)])
    if code:
        raise SystemExit(f"build of {srcdir} failed ({code})")
    return outdir


def synthetic_site(target: Path, n: int) -> Path:
    """A synthetic project of *n* cases with the real site's cross-case pages."""
    synthetic.generate(target, n)
    shutil.copytree(synthetic.REPO / "traceability", target / "traceability")
    index = target / "index.md"
    text = index.read_text(encoding="utf-8")
    text, found = re.subn(r"(```\{toctree\}[^`]*?\n)(```)", r"\1traceability/index\n\2", text, count=1)
    if not found:
        text += "\n```{toctree}\n:hidden:\n\ntraceability/index\n```\n"
    index.write_text(text, encoding="utf-8")
    return target


def text_length(html: Path) -> int:
    """Characters of the page's main text (white space excluded)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("article") or soup.body
    for hidden in main.find_all("details"):
        for child in list(hidden.children):  # closed: only the summary shows
            if getattr(child, "name", None) != "summary":
                child.extract()
    return len(re.sub(r"\s+", "", main.get_text()))


def heights(outdir: Path, pages: tuple[str, ...]) -> dict[tuple[str, int], int]:
    """Rendered height of each page at each width, in Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    result = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                for name in pages:
                    page.goto((outdir / f"{name}.html").as_uri())
                    result[(name, width)] = page.evaluate("document.documentElement.scrollHeight")
                page.close()
        finally:
            browser.close()
    return result


def measure(outdir: Path, browser: bool) -> dict[str, dict[str, int]]:
    figures = {name: {"text": text_length(outdir / f"{name}.html")} for name in PAGES}
    if browser:
        for (name, width), height in heights(outdir, PAGES).items():
            figures[name][f"h{width}"] = height
    return figures


def report(real: dict[str, dict[str, int]], synth: dict[str, dict[str, int]], n: int) -> str:
    keys = list(next(iter(real.values())))
    lines = ["| ページ | " + " | ".join(f"{k}（実サイト / {n}件 / 比）" for k in keys) + " |",
             "| --- |" + " --- |" * len(keys)]
    for name in PAGES:
        cells = []
        for key in keys:
            a, b = real[name][key], synth[name][key]
            cells.append(f"{a:,} / {b:,} / {b / a:.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="council-crossview-measure",
        description="Compare the cross-case pages of the real site with a synthetic site of N cases.",
    )
    parser.add_argument("-n", "--cases", type=int, default=300, help="synthetic cases (default 300)")
    parser.add_argument("--browser", action="store_true", help="also measure rendered heights in Chromium")
    parser.add_argument("--workdir", type=Path, help="where to build (default: a temporary directory)")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="crossview-"))
    real = measure(build(synthetic.REPO, work / "real" / "html"), args.browser)
    project = synthetic_site(work / f"synthetic-{args.cases}", args.cases)
    synth = measure(build(project, work / f"synthetic-{args.cases}-html"), args.browser)
    print(report(real, synth, args.cases))
    worst = max(synth[p][k] / real[p][k] for p in PAGES for k in real[p])
    print(f"\nlargest ratio: {worst:.2f} (target: 2.00 or less)")
    return 0 if worst <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
