"""The reviewed allow-list of public facts that look like personal data.

Public facts (the ward's public telephone number, a contractor's address)
are allowed by ``privacy-allowlist.toml`` at the project root: each entry
names the exact value, why it is public and who reviewed it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from council.config import PRIVACY_ALLOWLIST_FILE

ALLOWLIST_FILE = PRIVACY_ALLOWLIST_FILE


@dataclass(frozen=True)
class Allowed:
    value: str
    reason: str
    reviewer: str
    kind: str = ""


def load_allowlist(path: Path) -> tuple[list[Allowed], list[str]]:
    """The reviewed entries of the allow-list, and the problems with it."""
    if not path.is_file():
        return [], []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return [], [f"{path.name} を読めません: {exc}"]
    entries, problems = [], []
    for n, entry in enumerate(data.get("allow", []), start=1):
        missing = [k for k in ("value", "reason", "reviewer") if not str(entry.get(k, "")).strip()]
        if missing:
            problems.append(
                f"{path.name} の {n} 番目の項目に {'、'.join(missing)} がありません"
                "（値・公開情報である理由・確認者が必要です）"
            )
            continue
        entries.append(
            Allowed(
                value=str(entry["value"]),
                reason=str(entry["reason"]),
                reviewer=str(entry["reviewer"]),
                kind=str(entry.get("kind", "")),
            )
        )
    return entries, problems
