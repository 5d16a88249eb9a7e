"""The table of malformed inputs: each is a small change to ``test-site-minimal``.

A row names the input, how to make it (``edit``: a function over the copied
project directory), the fragment the build must print, and the file:line it
must name. ``accepted`` rows are inputs the build takes as valid and must
publish correctly (BOM, CRLF): their expected fragment is found in the HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CASE = "cases/case.md"


@dataclass(frozen=True)
class Malformed:
    name: str
    edit: Callable[[Path], None]
    message: str
    location: str | None  # "cases/case.md:38"; None for an accepted input
    accepted: bool = False

    def __str__(self) -> str:
        return self.name


def replace(old: str, new: str, path: str = CASE) -> Callable[[Path], None]:
    def edit(src: Path) -> None:
        target = src / path
        text = target.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
        target.write_text(text.replace(old, new), encoding="utf-8")

    return edit


def append(extra: str, path: str = CASE) -> Callable[[Path], None]:
    def edit(src: Path) -> None:
        target = src / path
        with target.open("a", encoding="utf-8") as f:
            f.write(extra)

    return edit


def write_bytes(data: bytes | Callable[[bytes], bytes], path: str = CASE) -> Callable[[Path], None]:
    def edit(src: Path) -> None:
        target = src / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data(target.read_bytes()) if callable(data) else data)

    return edit


def chain(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    def edit(src: Path) -> None:
        for e in edits:
            e(src)

    return edit


SAFEGUARD_2 = """
```{safeguard} 二つ目の対策
---
id: SG_2020_TEST_E1_CO_02
part_of: ENT_2020_TEST_1
actor: 受託者
aspect: 運用
number: 2
grouping: 原典
satisfies: CHK_CO_05
binds: CL_B_13
---
%s
```
"""

# Line of the appended safeguard in the 50-line case page, and of its content.
APPENDED = 52
APPENDED_BODY = 63

MALFORMED: list[Malformed] = [
    # ------------------------------------------------------ directive syntax
    Malformed(
        "unknown-directive",
        replace("```{safeguard} 取扱責任者", "```{safegaurd} 取扱責任者"),
        "Unknown directive type: 'safegaurd'", f"{CASE}:38",
    ),
    Malformed(
        "unclosed-fence",
        replace("取扱責任者及び取扱者の名簿を提出させる。\n```\n", "取扱責任者及び取扱者の名簿を提出させる。\n"),
        "フェンス ``` が閉じられていません [council.unclosed_directive]", f"{CASE}:38",
    ),
    Malformed(
        "option-block-not-closed",
        replace("binds: CL_B_13\n---\n", "binds: CL_B_13\n"),
        "オプション欄（---）が閉じられていません [council.unclosed_options]", f"{CASE}:39",
    ),
    Malformed(
        "bad-yaml-in-option-block",
        replace("actor: 受託者\n", "actor: [受託者\n"),
        "'[受託者' は許されません", f"{CASE}:38",
    ),
    Malformed(
        "unknown-option",
        replace("actor: 受託者\n", "actor: 受託者\ncolour: red\n"),
        "colour", f"{CASE}:38",
    ),
    Malformed(
        "duplicate-option",
        replace("actor: 受託者\n", "actor: 受託者\nactor: 区\n"),
        "オプション 'actor' が 42 行目と重複しています [council.duplicate_option]", f"{CASE}:43",
    ),
    Malformed(
        "need-without-title",
        replace("```{safeguard} 取扱責任者及び取扱者の名簿を提出させる。\n", "```{safeguard}\n"),
        "No title given", f"{CASE}:38",
    ),
    Malformed(
        "bad-front-matter",
        replace("# テスト案件\n", "---\ntitle: [テスト\n---\n# テスト案件\n"),
        "Malformed YAML", f"{CASE}:1",
    ),
    Malformed(
        "unknown-need-type-in-eval-rst",
        append("\n```{eval-rst}\n.. safegard:: x\n```\n"),
        # {eval-rst} is not in the content profile of case pages: refused unread
        "ディレクティブ「eval-rst」は案件・条項のページ（cases/・clauses/）では使えません", f"{CASE}:52",
    ),
    Malformed(
        "heading-level-jump",
        append("\n#### 飛んだ見出し\n"),
        "Non-consecutive header level increase", f"{CASE}:52",
    ),
    # ---------------------------------------------------- fields and values
    Malformed(
        "missing-required-field",
        replace("contractor: 株式会社テスト\n", ""),
        "必須フィールド 'contractor'", f"{CASE}:21",
    ),
    Malformed(
        "enum-value",
        replace("actor: 受託者\n", "actor: 委託者\n"),
        "'actor'（実施主体）の値 '委託者' は許されません", f"{CASE}:38",
    ),
    Malformed(
        "bad-date-month-13",
        replace("start: 2020-04-01\n", "start: 2020-13-01\n"),
        "'start'", f"{CASE}:21",
    ),
    Malformed(
        "bad-date-slashes",
        replace("start: 2020-04-01\n", "start: 2020/04/01\n"),
        "'start'", f"{CASE}:21",
    ),
    Malformed(
        "fiscal-year-not-a-number",
        replace("fiscal_year: 2020\n", "fiscal_year: 令和二年\n"),
        "fiscal_year", f"{CASE}:3",
    ),
    Malformed(
        "fiscal-year-out-of-range",
        replace("fiscal_year: 2020\n", "fiscal_year: 1800\n"),
        "fiscal_year", f"{CASE}:3",
    ),
    Malformed(
        "legal-basis-pattern",
        replace("legal_basis: 条例第14条第1項（業務委託）\n", "legal_basis: 第14条\n"),
        "legal_basis", f"{CASE}:3",
    ),
    # ------------------------------------------------------------ IDs
    Malformed(
        "duplicate-id",
        append(SAFEGUARD_2.replace("SG_2020_TEST_E1_CO_02", "SG_2020_TEST_E1_CO_01") % "重複"),
        "already exists", f"{CASE}:{APPENDED}",
    ),
    Malformed(
        "lower-case-id",
        replace("id: SG_2020_TEST_E1_CO_01\n", "id: sg_2020_test_e1_co_01\n"),
        "does not match", f"{CASE}:38",
    ),
    Malformed(
        "id-outside-scheme",
        replace("id: SG_2020_TEST_E1_CO_01\n", "id: SG_2020_TEST_1\n"),
        "ID 体系", f"{CASE}:38",
    ),
    # ------------------------------------------------------------ links
    Malformed(
        "dead-link",
        replace("binds: CL_B_13\n", "binds: CL_B_99\n"),
        "unknown outgoing link 'CL_B_99'", f"{CASE}:38",
    ),
    Malformed(
        "wrong-link-type",
        replace("satisfies: CHK_CO_04\n", "satisfies: CL_B_13\n"),
        "target need type 'clause' is not one of 'checkitem'", f"{CASE}:38",
    ),
    Malformed(
        "missing-mandatory-link-part-of",
        replace("part_of: CASE_2020_TEST\n", ""),
        "'part_of'", f"{CASE}:21",
    ),
    Malformed(
        "safeguard-without-clause",
        replace("binds: CL_B_13\n", ""),
        "[council.safeguard_without_clause]", f"{CASE}:38",
    ),
    Malformed(
        "unknown-edition-in-terms",
        replace("terms: ED_B\n", "terms: ED_Z\n"),
        "unknown outgoing link 'ED_Z'", f"{CASE}:21",
    ),
    Malformed(
        "terms-pointing-to-clause",
        replace("terms: ED_B\n", "terms: CL_B_13\n"),
        "is not one of 'edition'", f"{CASE}:21",
    ),
    Malformed(
        "edition-mismatch",
        replace("binds: CL_B_13\n", "binds: CL_A_13\n"),
        "[council.edition_mismatch]", f"{CASE}:38",
    ),
    Malformed(
        "need-role-to-unknown-id",
        append("\n{need}`SG_2020_NOPE_E1_CO_01`\n"),
        "SG_2020_NOPE_E1_CO_01", f"{CASE}:52",
    ),
    Malformed(
        "markdown-link-to-missing-page",
        append("\n[どこにもない](missing.md)\n"),
        "missing", f"{CASE}:52",
    ),
    # ------------------------------------------------------ file encoding
    Malformed(
        "invalid-utf8",
        write_bytes(lambda b: b.replace("事業内容。".encode(), b"\xff\xfe\x80 broken")),
        "UTF-8 として読めないバイト列（0xff）があります", f"{CASE}:18",
    ),
    Malformed(
        "nul-byte",
        write_bytes(lambda b: b.replace("事業内容。".encode(), b"\x00")),
        "制御文字 U+0000 があります [council.control_character]", f"{CASE}:18",
    ),
    Malformed(
        "empty-file",
        write_bytes(b"", "cases/empty.md"),
        "ファイルが空です", "cases/empty.md:1",
    ),
    Malformed(
        "whitespace-only-file",
        write_bytes(b"\n \n\t\n", "cases/blank.md"),
        "[council.empty_document]", "cases/blank.md:1",
    ),
    Malformed(
        "huge-file",
        write_bytes(("# 大きな頁\n\n" + "あいうえおかきくけこ。\n" * 180_000).encode(), "cases/huge.md"),
        "ファイルが大きすぎます（6,120,016 バイト、上限 1,000,000 バイト）", "cases/huge.md:1",
    ),
    Malformed(
        "page-outside-toctree",
        write_bytes("# 迷子の頁\n".encode(), "lost.md"),
        "document isn't included in any toctree", "lost.md",
    ),
    # --------------------------------------------------------- injection
    Malformed(
        "script-block-in-case",
        append("\n<script>alert('x')</script>\n"),
        "[council.raw_html]", f"{CASE}:52",
    ),
    Malformed(
        "inline-html-in-case",
        append("\n本文 <img src=x onerror=alert(1)> 本文\n"),
        "[council.raw_html]", f"{CASE}:52",
    ),
    Malformed(
        "raw-directive-in-case",
        append("\n```{raw} html\n<script>alert(1)</script>\n```\n"),
        "ディレクティブ「raw」は案件・条項のページ（cases/・clauses/）では使えません", f"{CASE}:52",
    ),
    Malformed(
        "raw-in-eval-rst",
        append("\n```{eval-rst}\n.. raw:: html\n\n   <script>alert(1)</script>\n```\n"),
        "ディレクティブ「eval-rst」は案件・条項のページ（cases/・clauses/）では使えません", f"{CASE}:52",
    ),
    Malformed(
        "script-in-need-content",
        append(SAFEGUARD_2 % "<script>alert(1)</script>"),
        "[council.raw_html]", f"{CASE}:{APPENDED_BODY}",
    ),
    # ----------------------------------------------------------- privacy
    Malformed(
        "telephone-number",
        replace("事業内容。", "問合せは 03-1234-5678 まで。"),
        "電話番号（0*-****-****）", f"{CASE}:18",
    ),
    Malformed(
        "e-mail-in-field",
        replace("contractor: 株式会社テスト\n", "contractor: taro.yamada@example.jp\n"),
        "メールアドレス", f"{CASE}:28",
    ),
    Malformed(
        "individual-number-full-width",
        replace("事業内容。", "番号５５５５　００００　１１１０の方"),  # valid check digit
        "個人番号", f"{CASE}:18",
    ),
    Malformed(
        "address-and-name",
        replace("事業内容。", "新宿区歌舞伎町一丁目4番1号 山田太郎様"),
        "住所と氏名", f"{CASE}:18",
    ),
    # -------------------------------------- accepted: decoded and built correctly
    Malformed(
        "utf8-bom",
        write_bytes(lambda b: b"\xef\xbb\xbf" + b),
        "テスト案件", None, accepted=True,
    ),
    Malformed(
        "crlf-line-endings",
        write_bytes(lambda b: b.replace(b"\n", b"\r\n")),
        "取扱責任者及び取扱者の名簿を提出させる。", None, accepted=True,
    ),
    Malformed(
        "crlf-with-dead-link",
        chain(
            replace("binds: CL_B_13\n", "binds: CL_B_99\n"),
            write_bytes(lambda b: b.replace(b"\n", b"\r\n")),
        ),
        "unknown outgoing link 'CL_B_99'", f"{CASE}:38",
    ),
]
