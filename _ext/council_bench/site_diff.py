"""Compare two published sites file by file: what a restructuring changed.

``python -m council_bench.site_diff OLD NEW`` lists every file that is only in
one site or whose bytes differ, after setting aside what is *meant* to differ
between two publications of the same content and names it:

- ``?v=…`` cache-busting digests of static files (a stylesheet change changes
  the link on every page; the stylesheet itself is still compared);
- the publication's commit and its time (更新履歴, ``feed.xml``, 更新日);
- the size printed next to a PDF link (the PDF itself is compared);
- the creation time inside XLSX files (their sheets are compared);
- the search index (Pagefind orders its metadata by a hash map) and the
  manifest and signature (they list the digests compared here).

Exit status 0 when nothing else differs, 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

#: Files compared by content elsewhere or regenerated from what is compared.
SKIPPED = ("pagefind/", "SHA256SUMS", ".buildinfo", "objects.inv")

_VOLATILE = [
    (re.compile(rb"\?v=[0-9a-f]{8}"), b"?v=*"),
    (re.compile(rb"[0-9a-f]{40}"), b"<commit>"),
    # a release is named by its commit (更新履歴's anchors, the feed's entry ids)
    (re.compile(rb"(?<=release-)[0-9a-f]{12}|(?<=council/)[0-9a-f]{12}"), b"<short>"),
    (re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?"), b"<time>"),
    (re.compile("（PDF、[0-9,.]+ [KM]B）".encode()), "（PDF、*）".encode()),
    (re.compile("\\d{4}年\\d{1,2}月\\d{1,2}日".encode()), "<date>".encode()),
]


def normalised(path: Path) -> bytes:
    """The file's bytes without the parts that are meant to differ."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return b"".join(name.encode() + book.read(name) for name in sorted(book.namelist())
                            if name != "docProps/core.xml")
    data = path.read_bytes()
    if path.suffix in {".html", ".xml", ".json", ".txt"}:
        for pattern, replacement in _VOLATILE:
            data = pattern.sub(replacement, data)
    return data


def differences(old: Path, new: Path) -> list[str]:
    """``only in old/new: path`` and ``differs: path`` lines, sorted."""
    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*")
                if p.is_file() and not p.relative_to(root).as_posix().startswith(SKIPPED)}

    a, b = files(old), files(new)
    lines = [f"only in old: {p}" for p in sorted(a - b)] + [f"only in new: {p}" for p in sorted(b - a)]
    lines += [f"differs: {p}" for p in sorted(a & b) if normalised(old / p) != normalised(new / p)]
    return sorted(lines, key=lambda line: line.split(": ", 1)[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="council-site-diff", description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    args = parser.parse_args(argv)
    found = differences(args.old, args.new)
    print("\n".join(found) if found else "no difference")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
