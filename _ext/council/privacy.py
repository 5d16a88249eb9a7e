"""Privacy lint: the published record must not carry a resident's personal data.

:func:`find_personal_data` is a pure function over text; it finds what looks
like a telephone number, an e-mail address, a 12-digit individual number
(マイナンバー) or a postal address followed by a personal name, also when
written with full-width digits and separators. Field names such as 電話番号 or
メールアドレス are words, not data, and never match.

Public facts (the ward's public telephone number, a contractor's address)
are allowed by a reviewed allow-list, ``privacy-allowlist.toml`` at the
project root: each entry names the exact value, why it is public and who
reviewed it.

The Sphinx hook scans every source file as read (``source-read`` and
``include-read``), which covers page text, need contents and need fields with
their exact file and line, and reports ``council.privacy`` with the kind of
data and a masked value: the message never repeats what it found.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

ALLOWLIST_FILE = "privacy-allowlist.toml"

# Full-width digits, letters and separators folded one-to-one to ASCII, so that
# offsets in the folded text are offsets in the original text.
_FOLD = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    **{0xFF21 + i: ord("A") + i for i in range(26)},
    **{0xFF41 + i: ord("a") + i for i in range(26)},
    **{ord(c): ord("-") for c in "－‐‑‒–—―ー−"},
    **{ord("＠"): ord("@"), ord("．"): ord("."), ord("＿"): ord("_"), ord("＋"): ord("+")},
    **{ord("（"): ord("("), ord("）"): ord(")"), ord("\u3000"): ord(" ")},
}

_SEP = r"[- ]"
KINDS: dict[str, re.Pattern[str]] = {
    # 12 digits, alone or as 4-4-4; checked first so that it is not taken for a
    # telephone number.
    "個人番号": re.compile(rf"(?<![\d-])\d{{4}}{_SEP}?\d{{4}}{_SEP}?\d{{4}}(?![\d-])"),
    "メールアドレス": re.compile(
        r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
    ),
    # Japanese numbers: 0 + area/mobile code, with separators or parentheses
    # (03-1234-5678, 03(1234)5678, 090-1234-5678), 10 or 11 digits in a row,
    # or the international form +81.
    "電話番号": re.compile(
        r"(?<![\d-])(?:"
        r"(?:\+81[- ]?|0)\d{1,4}(?:-|\(| )\d{1,4}(?:-|\)|\) ?| )\d{3,4}"
        r"|0\d{9,10}"
        r")(?![\d-])"
    ),
    # A postal code or a 丁目・番地・号 address, then within the same line a
    # name with an honorific: a resident's address and name together.
    "住所と氏名": re.compile(
        r"(?:〒 ?\d{3}-?\d{4}|[0-9一二三四五六七八九十]+丁目 ?\d+(?:番地?|-)(?: ?\d+号?)?)"
        r"[^\n]{0,40}?"
        r"[\u4e00-\u9fff\u3040-\u30ffA-Za-z]{1,10} ?[\u4e00-\u9fff\u3040-\u30ffA-Za-z]{0,10}"
        r" ?(?:様|さん|殿)"
    ),
}


@dataclass(frozen=True, order=True)
class Finding:
    lineno: int
    kind: str
    value: str

    @property
    def masked(self) -> str:
        return mask(self.value)


@dataclass(frozen=True)
class Allowed:
    value: str
    reason: str
    reviewer: str
    kind: str = ""


def fold(text: str) -> str:
    """Full-width digits, letters and separators as ASCII (same length)."""
    return text.translate(_FOLD)


def mask(value: str) -> str:
    """Keep the first character and the separators; hide everything else."""
    return value[:1] + "".join(c if c in "-()@. 　" else "*" for c in value[1:])


def find_personal_data(text: str, allowed: Sequence[Allowed] = ()) -> list[Finding]:
    """Every match in *text* (1-based line numbers), except allowed values."""
    folded = fold(text)
    allowed_values = {fold(a.value) for a in allowed}
    taken: list[tuple[int, int]] = []
    findings = []
    for kind, pattern in KINDS.items():
        for match in pattern.finditer(folded):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            if match.group() in allowed_values:
                continue
            lineno = folded.count("\n", 0, start) + 1
            findings.append(Finding(lineno, kind, text[start:end]))
    return sorted(findings)


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


def message(finding: Finding) -> str:
    return (
        f"個人情報と思われる{finding.kind}（{finding.masked}）があります。"
        f"住民の個人情報は掲載できません。公開情報であれば {ALLOWLIST_FILE} に"
        "理由と確認者を添えて登録してください"
    )


def _allowlist(app: Sphinx) -> list[Allowed]:
    cached = getattr(app, "_council_privacy_allowlist", None)
    if cached is None:
        path = Path(app.confdir, app.config.council_privacy_allowlist)
        cached, problems = load_allowlist(path)
        for problem in problems:
            logger.warning(problem, type="council", subtype="privacy_allowlist",
                           location=str(path))
        app._council_privacy_allowlist = cached  # type: ignore[attr-defined]
    return cached


def _scan(app: Sphinx, docname: str, source: list[str], *, location: Any = None) -> None:
    for finding in find_personal_data(source[0], _allowlist(app)):
        logger.warning(
            message(finding),
            type="council",
            subtype="privacy",
            location=location(finding.lineno) if location else (docname, finding.lineno),
        )


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    _scan(app, docname, source)


def _include_read(app: Sphinx, relative_path: Path, parent_docname: str, content: list[str]) -> None:
    path = Path(app.srcdir, relative_path)
    _scan(app, parent_docname, content, location=lambda line: f"{path}:{line}")


def setup_privacy(app: Sphinx) -> None:
    app.add_config_value("council_privacy_allowlist", ALLOWLIST_FILE, "env", types=[str])
    app.connect("source-read", _source_read)
    app.connect("include-read", _include_read)
