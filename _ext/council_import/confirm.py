"""Record that a reviewer confirmed a case page's traces (``council-confirm``).

``council-confirm cases/x.md`` writes, on every safeguard of the page that is
not ``trace: 提案``, the fingerprints of the checklist items and clauses it
links to (``confirmed_against``, see :mod:`council.rules.suspect`); from then on a
change of those texts flags the link 要再確認. ``council-confirm --check``
lists the suspect links of the project (exit status 1 when there are some).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from council_import.site_model import site_model
from council.rules.suspect import (
    FIELD, TAG, _links, confirmed_links, format_confirmed, need_fingerprint, notice_lines,
)
from council_import.pages import read_needs

def _project_needs(project: Path) -> dict[str, dict[str, Any]]:
    """Needs of the project's pages as plain dicts, as sphinx-needs stores them."""
    out: dict[str, dict[str, Any]] = {}
    for folder in ("clauses", "cases"):
        for path in sorted((project / folder).glob("*.md")):
            for n in read_needs(path.read_text(encoding="utf-8")):
                need = {"id": n.id, "type": n.type, "content": n.content, "docname": f"{folder}/{path.stem}"}
                need.update(n.options)
                need.update({k: list(v) for k, v in n.links.items()})
                out[n.id] = need
    return out


def confirm_page(path: Path, needs: Mapping[str, Mapping[str, Any]], ids: set[str] | None = None) -> list[str]:
    """Write ``confirmed_against`` on the confirmed safeguards of one page.

    A safeguard still marked ``trace: 提案`` is skipped: confirming means
    reviewing the links first. Returns the IDs written.
    """
    text = path.read_text(encoding="utf-8")
    written: list[str] = []
    links = confirmed_links(site_model())

    def rewrite(match: re.Match[str]) -> str:
        block = match.group(0)
        m = re.search(r"^id: (\S+)$", block, re.M)
        if not m or (ids and m.group(1) not in ids) or re.search(r"^trace: 提案$", block, re.M):
            return block
        need = needs.get(m.group(1)) or {}
        targets = [t for name in links for t in _links(need, name) if t in needs]
        value = format_confirmed({t: need_fingerprint(needs[t]) for t in targets})
        block = re.sub(rf"^{FIELD}: .*\n", "", block, flags=re.M)
        block = re.sub(r"^(binds: .*\n)", rf"\1{FIELD}: {value}\n", block, count=1, flags=re.M)
        written.append(m.group(1))
        return block

    new = re.sub(r"^```\{safeguard\}.*?\n---\n.*?\n---\n", rewrite, text, flags=re.M | re.S)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="council-confirm",
        description="確認済みの対応付けの指紋を記録し、対応先の文言が変わったもの（要再確認）を示す",
    )
    parser.add_argument("pages", nargs="*", type=Path, help="確認した案件のページ（指紋を記録する）")
    parser.add_argument("--check", action="store_true", help="指紋を記録せず、要再確認の対応付けを示す")
    parser.add_argument("--id", action="append", dest="ids", help="記録する対策の ID（複数可。既定: ページのすべての確認済みの対策）")
    parser.add_argument("--project", type=Path, default=Path("."), help="サイトのディレクトリ（既定: 現在のディレクトリ）")
    args = parser.parse_args(argv)
    needs = _project_needs(args.project)
    if not args.check:
        if not args.pages:
            parser.error("案件のページを指定してください（要再確認の一覧は --check）")
        for page in args.pages:
            done = confirm_page(page, needs, set(args.ids or ()))
            print(f"{page}: {len(done)} 件の対策に確認時の指紋を記録しました")
        return 0
    lines = notice_lines(needs)
    for line in lines:
        print(line)
    print(f"{TAG}: {len(lines)} 件")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
