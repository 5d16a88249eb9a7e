"""Read the needs written on MyST pages (case pages, editions, checklist).

A small reader for the two directive styles the site uses: a YAML block
between ``---`` lines, or ``:name: value`` option lines. It serves the
importer (known clauses and checklist items) and the evaluation (curated
mappings), without running Sphinx.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from council_import.site_model import site_model

NEED_TYPES = tuple(site_model().type_titles)
LINK_FIELDS = tuple(site_model().link_labels)
_OPEN_RE = re.compile(r"^(`{3,}|:{3,})\{(" + "|".join(NEED_TYPES) + r")\}\s*(.*?)\s*$")


@dataclass
class PageNeed:
    type: str
    title: str
    options: dict[str, str]
    content: str
    path: str
    line: int
    links: dict[str, list[str]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.options.get("id", "")


def read_needs(text: str, path: str = "<page>") -> list[PageNeed]:
    lines = text.splitlines()
    needs: list[PageNeed] = []
    i = 0
    while i < len(lines):
        m = _OPEN_RE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, need_type, title = m.groups()
        start = i + 1
        j = i + 1
        options: dict[str, str] = {}
        if j < len(lines) and lines[j].strip() == "---":
            j += 1
            while j < len(lines) and lines[j].strip() != "---":
                key, _, value = lines[j].partition(":")
                if key.strip() and not key.startswith("#"):
                    options[key.strip()] = value.strip()
                j += 1
            j += 1
        else:
            while j < len(lines) and (om := re.match(r"^:([a-z_]+):\s*(.*)$", lines[j])):
                options[om.group(1)] = om.group(2).strip()
                j += 1
        body: list[str] = []
        while j < len(lines) and lines[j].strip() != fence:
            body.append(lines[j])
            j += 1
        need = PageNeed(need_type, title, options, "\n".join(body).strip(), path, start)
        need.links = {
            name: [v.strip() for v in options[name].split(",") if v.strip()]
            for name in LINK_FIELDS
            if name in options
        }
        needs.append(need)
        i = j + 1
    return needs


def read_dir(directory: Path, pattern: str = "*.md") -> list[PageNeed]:
    out: list[PageNeed] = []
    for path in sorted(directory.glob(pattern)):
        out.extend(read_needs(path.read_text(encoding="utf-8"), str(path)))
    return out
