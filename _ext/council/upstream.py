"""Two fixes to sphinx-needs 9.1.0 for large sites, same results.

Both are applied only to the pinned version they were written against
(``pyproject.toml``); another version runs unchanged, only slower. Each is
checked against the original in ``tests/unit/test_upstream.py``.

- ``NeedItem.add_backlink`` looks through the target's list of back-links
  before adding one, so a clause relied on by thousands of safeguards costs
  millions of comparisons: the post-processing grew with the square of the
  number of cases. Its only caller, ``build_backlinks``, sorts every list
  right after and drops duplicates while sorting (``sort_backlinks``), so
  the look-up is not needed for the result.
- ``NeedsList.write_json`` writes needs.json with :func:`json.dump`, which
  runs Python's pure-Python encoder; :func:`json.dumps` runs the C encoder
  and gives the same text five times as fast.
"""

from __future__ import annotations

import json
import os

import sphinx_needs
from sphinx_needs.need_item import NeedItem, NeedLink
from sphinx_needs.needsfile import NeedsList

PATCHED_VERSION = "9.1.0"

_original_add_backlink = NeedItem.add_backlink
_original_write_json = NeedsList.write_json


def add_backlink(self: NeedItem, link_type: str, backlink: str | NeedLink) -> None:
    """As the original, except duplicates are left to ``sort_backlinks``."""
    backlinks = self._backlinks
    if link_type not in backlinks:
        raise KeyError(f"Link type {link_type!r} does not exist in backlinks.")
    backlinks[link_type].append(NeedLink.from_string(backlink) if isinstance(backlink, str) else backlink)


def write_json(self: NeedsList, needs_file: str = "needs.json", needs_path: str = "") -> None:
    """As the original, with the C encoder."""
    self._finalise()
    needs_dir = needs_path if needs_path else self.outdir
    text = json.dumps(self.needs_list, sort_keys=True)
    with open(os.path.join(needs_dir, needs_file), "w") as f:
        f.write(text)


def apply() -> bool:
    """Install the fixes when the installed sphinx-needs is the one they fit."""
    if sphinx_needs.__version__ != PATCHED_VERSION:
        return False
    NeedItem.add_backlink = add_backlink
    NeedsList.write_json = write_json
    return True


def applied() -> bool:
    return NeedItem.add_backlink is add_backlink and NeedsList.write_json is write_json
