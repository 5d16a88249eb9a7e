"""The standard texts a council document may carry: the special terms (特記事項)
and the checklist (業務委託にかかる個人情報保護対策チェックリスト).

The special terms are numbered clauses under 「(見出し)」 headings; the
checklist is a table of requirements, each marked 「○」 (applies) or 「－」
(not needed), grouped by who acts and the kind of measure. Either ends where
another part of the document starts (a 「件名」 line, the other text).
"""

from __future__ import annotations

import re

from council_import.cells import whole_line
from council_import.document import Cleanup, Clause, DocumentError, Safeguard, SpecialTerms
from council_import.measures import ASPECT_RE, group_code, nfkc_int, safeguard_actor

#: Lines that open a part of the document: a case or work (「件名」), the special terms, the checklist.
TITLE_RE = whole_line(r"\**\s*件[ \u3000]*名[\s\u3000]*(.*?)")
TERMS_RE = whole_line("特記事項")
CHECKLIST_RE = re.compile(r"業務委託にかかる個人情報保護対策チェックリスト")
_CLAUSE_HEAD_RE = whole_line(r"[(（]([^()（）]+)[)）]")
_CLAUSE_RE = whole_line(r"(?:[-・]\s*)?([0-9０-９]{1,2})[ \u3000]+(\S.*?)")
_SUBITEM_RE = whole_line(r"(?:[-・]\s*)?([(（][0-9０-９]+[)）].*?)")
_MARKS_YES = {"○", "〇", "◯"}
_MARKS_NO = {"－", "-", "ー", "―", "‐", "—", "−", "─"}


def parse_terms(lines: list[str], i: int) -> tuple[SpecialTerms, int]:
    """The special terms from line index *i*; the index where they end."""
    block = SpecialTerms(line=i)
    heading = ""
    heading_line = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if CHECKLIST_RE.search(line) or TITLE_RE.match(line):
            break
        if (m := _CLAUSE_HEAD_RE.match(line)) and not _SUBITEM_RE.match(line):
            heading, heading_line = m.group(1).strip(), i + 1
        elif block.clauses and (m := _SUBITEM_RE.match(line)):
            block.clauses[-1].text += "\n- " + re.sub(r"\s+", " ", m.group(1))
        elif (m := _CLAUSE_RE.match(line)):
            number = nfkc_int(m.group(1))
            expected = len(block.clauses) + 1
            if number != expected:
                raise DocumentError(
                    i + 1,
                    f"特記事項の第{expected}項があるべきところに第{number}項があります"
                    "（条項の抜け、または資料が途中で切れている可能性があります）",
                )
            if not heading:
                raise DocumentError(i + 1, f"特記事項の第{number}項の前に見出し（「(…)」）がありません")
            block.clauses.append(Clause(number, heading, m.group(2).strip(), i + 1))
        else:
            break
        i += 1
    if not block.clauses:
        raise DocumentError(block.line, "「特記事項」の後に条項がありません（資料が途中で切れている可能性があります）")
    block.at_end = not any(line.strip() for line in lines[i:])
    if heading_line > block.clauses[-1].line:
        raise DocumentError(
            heading_line, f"特記事項の見出し「({heading})」の後に条項がありません（資料が途中で切れている可能性があります）"
        )
    return block, i


def parse_checklist(lines: list[str], i: int, out: list[Safeguard], cleanups: list[Cleanup]) -> int:
    """The checklist's rows from line index *i*, added to *out*; the index where it ends."""
    actor = aspect = None
    section = ""
    counts: dict[tuple[str, str], int] = {}
    while i < len(lines):
        line = lines[i]
        if not line.strip() or "\t" not in line:
            if line.strip() and (TERMS_RE.match(line) or TITLE_RE.match(line) or CHECKLIST_RE.search(line)):
                break
            i += 1
            continue
        cells = [c.strip() for c in line.split("\t")]
        if any("対策が可能であれば" in c for c in cells):
            i += 1
            continue
        mark_at = next((k for k, c in enumerate(cells) if c in _MARKS_YES | _MARKS_NO), None)
        key = cells[0] if mark_at != 0 else ""
        if key:
            plain = re.sub(r"\s+", "", key)
            actor = safeguard_actor(plain)
            m = ASPECT_RE.search(plain)
            aspect = m.group(1) if m else None
            section = plain
            if actor is None or aspect is None:
                raise DocumentError(i + 1, f"チェックリストの区分「{plain}」の実施主体・種別を読み取れません")
        if mark_at is None:
            raise DocumentError(i + 1, "チェックリストの行に「○」も「－」もありません")
        if actor is None or aspect is None:
            raise DocumentError(i + 1, "チェックリストの行の前に区分（「委託にあたり区が行う…【運用上の対策】」など）がありません")
        if mark_at == 0:
            cleanups.append(Cleanup(i + 1, "列のずれ", "チェックリストの行の「○」と本文が他の行と一つずれた列にあったため、同じ区分の次の行として扱いました"))
        text = next((c for c in cells[mark_at + 1 :] if c), "")
        if not text:
            raise DocumentError(i + 1, "チェックリストの行に対策の文言がありません")
        mark = cells[mark_at]
        if mark not in ("○", "－"):
            cleanups.append(Cleanup(i + 1, "記号の統一", f"チェックリストの記号「{mark}」を「{'○' if mark in _MARKS_YES else '－'}」として扱いました"))
        n = counts[(actor, aspect)] = counts.get((actor, aspect), 0) + 1
        code = group_code(actor, aspect)
        out.append(
            Safeguard(
                number=n,
                text=text,
                actor=actor,
                aspect=aspect,
                section=section,
                line=i + 1,
                checkitem=f"CHK_{code}_{n:02d}",
                applies=mark in _MARKS_YES,
            )
        )
        i += 1
    return i
