"""Parse the extracted text of a council document into a :class:`Document`.

The document opens with the council's heading, the case's 「件名」 and its
legal basis, then the overview table (事業の概要) and one table per work
(業務委託 or 開発・変更), and may carry the standard texts
(:mod:`council_import.standard_texts`). Table cells are read and cleaned by
:mod:`council_import.cells`, the numbered measures of a work by
:mod:`council_import.measures`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from council_import.cells import Row, add_row, clean_cell, whole_line
from council_import.document import Cleanup, Document, DocumentError, Safeguard, SpecialTerms, Work
from council_import.measures import add_safeguards
from council_import.site_model import site_model
from council_import.standard_texts import CHECKLIST_RE, TERMS_RE, TITLE_RE, parse_checklist, parse_terms

COUNCILS = site_model().field_values("council")
PROCEDURES = site_model().field_values("procedure")

_HEADER_RE = whole_line(rf"({'|'.join(COUNCILS)})\s*(.*?事項)")
_BASIS_RE = whole_line(r"(条例|要綱)の根拠")
_PROC_RE = whole_line(rf"【({'|'.join(PROCEDURES)})】")
_LEGAL_RE = whole_line(r"◇\s*(第.*?)")
_DEPT_RE = whole_line(r"[（(]担当部課[:：]\s*(.+?)\s*[)）]")
_OVERVIEW_RE = whole_line("事業の概要")

#: Work table keys (whitespace and tags removed), matched by prefix, in order.
_WORK_FIELDS: tuple[tuple[str, str], ...] = (
    ("保有課", "holder"),
    ("登録業務の名称", "registered_business"),
    ("委託先", "contractor"),
    ("委託に伴い", "data_items"),
    ("処理させる情報項目", "media"),
    ("委託理由", "reason"),
    ("委託の内容", "scope"),
    ("委託の開始時期", "period"),
    ("記録される情報項目", "data_items"),
    ("記録するコンピュータ", "computer"),
    ("新規開発・追加・変更の理由", "reason"),
    ("新規開発・追加・変更の内容", "scope"),
    ("新規開発・追加・変更の時期", "period"),
    ("開発・変更の時期", "period"),
)
_OVERVIEW_FIELDS = {"事業名": "business", "担当課": "section", "目的": "purpose", "対象者": "subjects"}
#: Field labels in the source's words, for messages.
FIELD_LABELS = {
    "holder": "保有課(担当課)",
    "registered_business": "登録業務の名称",
    "contractor": "委託先",
    "data_items": "処理させる情報項目／記録される情報項目",
    "media": "処理させる情報項目の記録媒体",
    "reason": "委託理由／新規開発・追加・変更の理由",
    "scope": "委託の内容／新規開発・追加・変更の内容",
    "period": "委託の開始時期及び期限／新規開発・追加・変更の時期",
    "computer": "記録するコンピュータ",
    "business": "事業名",
    "section": "担当課",
    "purpose": "目的",
    "subjects": "対象者",
}
#: The fields each work type requires, but its start date: the importer reads it from the period.
REQUIRED = {
    kind: tuple(name for name in site_model().required_fields[kind] if name != "start")
    for kind in site_model().roles.works
}
NOT_GIVEN = "（原典に記載なし）"


@dataclass
class _WorkDraft:
    title: str
    line: int
    rows: list[Row] = field(default_factory=list)


class _Parser:
    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.cleanups: list[Cleanup] = []

    def parse(self) -> Document:
        lines = self.lines
        if not any(line.strip() for line in lines):
            raise DocumentError(1, "空のファイルです（審議会資料の抽出テキストではありません）")
        first = next(i for i, line in enumerate(lines) if line.strip())
        header = None
        for i in range(first, min(len(lines), first + 8)):
            m = _HEADER_RE.match(lines[i])
            if m:
                header = (i, m.group(1), m.group(2))
                break
        if header is None:
            raise DocumentError(
                first + 1,
                "審議会資料の見出し（「情報公開・個人情報保護審議会 …事項」または"
                "「個人情報保護管理運営会議 付議事項」）がありません。審議会資料の抽出テキストではないようです",
            )
        _, council, kind = header
        title = None
        title_line = 0
        basis_prefix = None
        procedure: list[str] = []
        legal_basis: list[str] = []
        department = ""
        overview_rows: list[Row] = []
        works: list[_WorkDraft] = []
        terms_blocks: list[SpecialTerms] = []
        checklist: list[Safeguard] = []
        mode = "head"
        rows: list[Row] | None = None
        i = header[0] + 1
        while i < len(lines):
            line = lines[i]
            lineno = i + 1
            stripped = line.strip().strip("*").strip()
            if not stripped:
                i += 1
                continue
            if TERMS_RE.match(line):
                block, i = parse_terms(self.lines, i + 1)
                block.line = lineno
                terms_blocks.append(block)
                for w in works:
                    if getattr(w, "terms", None) is None:
                        w.terms = block  # type: ignore[attr-defined]
                mode, rows = "other", None
                continue
            if CHECKLIST_RE.search(line):
                i = parse_checklist(self.lines, i + 1, checklist, self.cleanups)
                mode, rows = "other", None
                continue
            m = TITLE_RE.match(line)
            if m and (m.group(1) or "\t" in line):
                value = m.group(1).strip("*").strip()
                if "\t" in value:
                    value = value.split("\t", 1)[1].strip() or value.split("\t", 1)[0].strip()
                if line.lstrip().startswith("**") and not line.rstrip().endswith("**"):
                    # a bold title wrapped over several lines
                    j = i + 1
                    while j < len(lines) and lines[j].strip():
                        value += lines[j].strip().strip("*").strip()
                        self.cleanups.append(Cleanup(j + 1, "セル内の改行", f"件名「{value[:20]}…」の改行を除去"))
                        if lines[j].rstrip().endswith("**"):
                            break
                        j += 1
                    i = j
                if mode == "head" and title is None:
                    title, title_line = value, lineno
                else:
                    draft = _WorkDraft(value, lineno)
                    works.append(draft)
                    mode, rows = "work", draft.rows
                i += 1
                continue
            if mode == "head":
                if (m := _BASIS_RE.match(line)):
                    basis_prefix = m.group(1)
                elif (m := _PROC_RE.match(line)):
                    procedure.append(m.group(1))
                elif (m := _LEGAL_RE.match(line)):
                    legal_basis.append((basis_prefix or "条例") + re.sub(r"\s+", "", m.group(1)))
                elif (m := _DEPT_RE.match(line)):
                    department = m.group(1)
                elif _OVERVIEW_RE.match(line):
                    mode, rows = "overview", overview_rows
                i += 1
                continue
            if rows is not None:
                add_row(rows, line, lineno, self.cleanups)
            i += 1
        if title is None:
            raise DocumentError(header[0] + 1, "案件の「件名」の行がありません")
        if not procedure:
            procedure = [p for p in PROCEDURES if p in kind]
        if not legal_basis:
            raise DocumentError(title_line, "根拠規定（「◇第…条…」の行）がありません")
        if not works:
            raise DocumentError(
                len(lines),
                "業務委託・開発の「件名」の行がありません（資料が途中で切れている可能性があります）",
            )
        overview, description, missing = self.overview(overview_rows, title_line)
        doc_works = [self.work(d, checklist) for d in works]
        return Document(
            title=title,
            council=council,
            procedure=procedure,
            legal_basis=legal_basis,
            department=department,
            overview=overview,
            description=description,
            works=doc_works,
            special_terms=terms_blocks,
            cleanups=sorted(self.cleanups, key=lambda c: c.line),
            missing=missing + [(w.line, f"{w.title}: {FIELD_LABELS[f]}") for w in doc_works for f in w.missing],
        )


    def overview(self, rows: list[Row], line: int) -> tuple[dict[str, str], list[str], list[tuple[int, str]]]:
        wrapped = any(r.wrapped_key for r in rows)
        out: dict[str, str] = {}
        description: list[str] = []
        for row in rows:
            if row.key in _OVERVIEW_FIELDS:
                out[_OVERVIEW_FIELDS[row.key]] = " ".join(clean_cell(row.value, row.line, wrapped, row.key, self.cleanups))
            elif row.key == "事業内容":
                description = clean_cell(row.value, row.line, wrapped, row.key, self.cleanups)
            else:
                self.cleanups.append(Cleanup(row.line, "未知の欄", f"「{row.key}」は取り込みませんでした"))
        missing = []
        for name in _OVERVIEW_FIELDS.values():
            if not out.get(name):
                out[name] = NOT_GIVEN
                missing.append((line, FIELD_LABELS[name]))
        return out, description, missing

    def work(self, draft: _WorkDraft, checklist: list[Safeguard]) -> Work:
        wrapped = any(r.wrapped_key for r in draft.rows)
        kind = (
            "development"
            if any(r.key.startswith(("記録される", "新規開発", "開発等を委託")) for r in draft.rows)
            else "entrustment"
        )
        work = Work(kind=kind, title=draft.title, line=draft.line)
        work.terms = getattr(draft, "terms", None)
        safeguard_cells = 0
        for row in draft.rows:
            name = next((f for prefix, f in _WORK_FIELDS if row.key.startswith(prefix)), None)
            if name == "contractor" and row.key != "委託先":
                name = None  # another 委託先… cell, not the contractor
            if "情報保護対策" in row.key:
                safeguard_cells += 1
                add_safeguards(work, row, wrapped, self.cleanups)
                continue
            if name is None:
                self.cleanups.append(Cleanup(row.line, "未知の欄", f"「{row.key}」は取り込みませんでした"))
                continue
            paragraphs = clean_cell(row.value, row.line, wrapped, row.key, self.cleanups)
            if name == "data_items" and kind == "development":
                kept = []
                for p in paragraphs:
                    m = re.match(r"^[0-9０-９]+[ \u3000]*記録するコンピュータ[ \u3000:：]*(.*)$", p)
                    if m:
                        work.fields["computer"] = m.group(1)
                        work.field_lines["computer"] = row.line
                    else:
                        kept.append(p)
                paragraphs = kept
            joiner = "／" if name == "period" else " "
            work.fields[name] = joiner.join(paragraphs)
            work.field_lines[name] = row.line
        if safeguard_cells == 0:
            raise DocumentError(
                draft.line,
                f"「件名 {draft.title}」に情報保護対策の欄がありません（資料が途中で切れている可能性があります）",
            )
        if "contractor" in work.fields:
            self.split_contractor(work)
        for name in REQUIRED[kind]:
            if not work.fields.get(name):
                if name == "period":
                    raise DocumentError(
                        draft.line, f"「件名 {draft.title}」に{FIELD_LABELS[name]}の欄がなく、開始日を決められません"
                    )
                work.fields[name] = NOT_GIVEN
                work.missing.append(name)
        work.fields["start"] = parse_start(work.fields["period"], work.field_lines["period"])
        if work.uses_checklist:
            if not checklist:
                raise DocumentError(draft.line, "「別紙チェックリストのとおり」とありますが、チェックリストがありません")
            work.safeguards.extend(checklist)
        if not work.safeguards:
            raise DocumentError(draft.line, f"「件名 {draft.title}」に番号付きの情報保護対策がありません")
        return work

    def split_contractor(self, work: Work) -> None:
        value = work.fields["contractor"]
        m = re.match(r"^(.*?)\s*【([^】]+)】\s*$", value)
        if m:
            work.fields["contractor"], work.fields["certification"] = m.group(1), m.group(2)
            return
        m = re.match(r"^(.*?)\s+(※.*)$", value)
        if m:
            work.fields["contractor"], work.fields["certification"] = m.group(1), m.group(2)
            return
        # A certification in closing brackets after a name: 「株式会社電算 (ISMS 認証取得済)」.
        m = re.match(r"^(\S.*?)\s*[(（]((?:ISMS|プライバシーマーク|Pマーク|ＩＳＭＳ)[^()（）]*(?:取得|認証)済?み?)[)）]\s*$", value)
        if m:
            work.fields["contractor"], work.fields["certification"] = m.group(1), m.group(2)


_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}


def parse_start(period: str, line: int) -> str:
    """The start date (YYYY-MM-DD or YYYY-MM) of a period written in the source."""
    text = unicodedata.normalize("NFKC", period).replace(" ", "")
    m = re.search(r"(令和|平成|昭和)(元|\d+)年(\d+)月(?:(\d+)日)?", text)
    year = month = day = None
    if m:
        year = _ERAS[m.group(1)] + (1 if m.group(2) == "元" else int(m.group(2)))
        month, day = int(m.group(3)), m.group(4)
    else:
        m = re.search(r"(\d{4})年(\d+)月(?:(\d+)日)?", text) or re.search(r"(\d{4})[/-](\d+)(?:[/-](\d+))?", text)
        if m:
            year, month, day = int(m.group(1)), int(m.group(2)), m.group(3)
    # 「未定から2020年3月31日まで」: the date found is the end, not the start
    until = text.find("から")
    if year is None or not 1 <= month <= 12 or 0 <= until < m.start():
        raise DocumentError(line, f"開始時期「{period}」から開始の年月を読み取れません")
    if day:
        return f"{year:04d}-{month:02d}-{int(day):02d}"
    return f"{year:04d}-{month:02d}"


# 資料番号: a line of its own (「資料22-1」, 「（資料22-1）」) states the document's
# number; references to its attachments (「資料22-1-1のとおり」) only imply it.
_MATERIAL_LINE_RE = re.compile(r"^\s*[（(]?\s*(資料\s*[0-9０-９]+(?:[-－][0-9０-９]+)*)\s*[）)]?\s*$")
_MATERIAL_REF_RE = re.compile(r"資料([0-9０-９]+(?:[-－][0-9０-９]+)+)")


def material_of(text: str) -> tuple[str, bool]:
    """The document's 資料番号 and whether it is inferred ("" when unknown).

    A number on a line of its own within the first lines is what the document
    states. Otherwise the attachments it refers to (資料61-1 … 資料61-6) share
    the number of the document they belong to (資料61): this site's reading.
    """
    for line in text.splitlines()[:15]:
        m = _MATERIAL_LINE_RE.match(line)
        if m:
            return unicodedata.normalize("NFKC", re.sub(r"\s+", "", m.group(1))).replace("－", "-"), False
    refs = [
        unicodedata.normalize("NFKC", r).replace("－", "-").split("-") for r in _MATERIAL_REF_RE.findall(text)
    ]
    if not refs:
        return "", False
    common = refs[0][:-1]
    for parts in refs[1:]:
        n = 0
        while n < min(len(common), len(parts) - 1) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    return ("資料" + "-".join(common), True) if common else ("", False)


def parse_document(text: str) -> Document:
    """Parse the extracted text of one council document (raises :class:`DocumentError`)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    document = _Parser(text).parse()
    document.material, document.material_inferred = material_of(text)
    return document
