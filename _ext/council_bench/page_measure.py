"""``council-measure-pages SITE_DIR``: how readable the built case pages are.

For each case page of a built HTML site, in Debian's Chromium (Playwright,
``/usr/bin/chromium``): the page height at 375 px and at 1280 px, the share
of need-ID characters in the visible text of the article, and the number of
visible links whose text is only another need's ID (a need's own permalink
excepted). A measurement to print and compare, not a timed test; the
targets (issue 14) are printed with the figures.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
MAX_HEIGHT_375 = 15_000
MAX_ID_SHARE = 0.10

#: Evaluated in the page: visible article text, ID characters, ID-only links.
_MEASURE_JS = r"""
() => {
  const id = /[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+/g;
  const only = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
  const article = document.querySelector('article') || document.body;
  const text = article.innerText.replace(/\s+/g, '');
  const idChars = (text.match(id) || []).reduce((n, m) => n + m.length, 0);
  let idOnly = 0;
  for (const a of article.querySelectorAll('a[href]')) {
    if (!a.checkVisibility || !a.checkVisibility()) { if (a.offsetParent === null) continue; }
    const label = a.innerText.trim();
    if (!only.test(label)) continue;
    // a need's own permalink (inside the element it links to) is not a link to another need
    const fragment = decodeURIComponent((a.getAttribute('href').split('#')[1] || ''));
    const holder = fragment ? document.getElementById(fragment) : null;
    if (holder && holder.contains(a)) continue;
    idOnly += 1;
  }
  return {chars: text.length, idChars, idOnly, height: document.documentElement.scrollHeight};
}
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def case_pages(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in (site / "cases").glob("*.html") if p.name != "index.html")


def measure(site: Path, pages: list[str], browser: object | None = None) -> list[dict]:
    """The figures of *pages*; *browser* is a running Playwright browser, or one is started."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            own = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            try:
                return measure(site, pages, own)
            finally:
                own.close()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    results = []
    try:
        context = browser.new_context(locale="ja-JP")
        page = context.new_page()
        for path in pages:
            row: dict = {"page": path}
            for width in (375, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(base + path)
                data = page.evaluate(_MEASURE_JS)
                row[f"height_{width}"] = data["height"]
                if width == 1280:
                    row["id_share"] = round(data["idChars"] / max(1, data["chars"]), 4)
                    row["id_only_links"] = data["idOnly"]
            results.append(row)
        context.close()
    finally:
        server.shutdown()
        server.server_close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="council-measure-pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built HTML directory (e.g. _build/site/html)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    pages = case_pages(args.site)
    if not pages:
        print(f"{args.site}: 案件のページがありません", file=sys.stderr)
        return 2
    rows = measure(args.site, pages)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    print(f"{'page':40} {'h@375':>8} {'h@1280':>8} {'ID%':>6} {'ID-only':>7}")
    for row in rows:
        print(f"{row['page']:40} {row['height_375']:>8} {row['height_1280']:>8} "
              f"{row['id_share'] * 100:>5.1f}% {row['id_only_links']:>7}")
    tallest = max(row["height_375"] for row in rows)
    worst = max(row["id_share"] for row in rows)
    links = sum(row["id_only_links"] for row in rows)
    print(f"tallest at 375: {tallest} px (target ≤ {MAX_HEIGHT_375}); ID share max {worst * 100:.1f}% "
          f"(target ≤ {MAX_ID_SHARE * 100:.0f}%); ID-only links {links} (target 0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
