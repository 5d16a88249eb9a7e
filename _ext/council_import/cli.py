"""``council-import``: write a case page from a council document's extracted text."""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

from council_import.document import Document, DocumentError
from council_import.editions import detect, load_editions, next_edition_id, render_edition
from council_import.parse import parse_document
from council_import.render import case_id, render_page, safeguard_id
from council_import.site_model import site_model
from council_import.suggest import Suggester
from council_import.trace import add_edition_candidates, assign_editions, assign_links

_SLUG_RE = re.compile(r"^[A-Z0-9]+(_[A-Z0-9]+)*$")


class ImportFailure(Exception):
    """An error to report as ``file:line: message`` (nothing is written)."""


def read_source(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailure(f"{path}: 読み込めません: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFailure(
            f"{path}:{line}: UTF-8 として読めないバイト列があります（Shift_JIS など別の文字コードで保存されている可能性があります。UTF-8 に変換してください）"
        ) from None


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_ids(doc: Document) -> None:
    seen: dict[str, int] = {}
    for work in doc.works:
        for sg in work.safeguards:
            sid = safeguard_id(doc, work, sg, "SG" if sg.applies else "NA")
            if sid in seen:
                raise DocumentError(sg.line, f"対策の ID {sid} が重複します（{seen[sid]} 行目の対策と同じ区分・番号）")
            seen[sid] = sg.line


def _add_to_toctree(index: Path, docname: str) -> bool:
    text = index.read_text(encoding="utf-8")
    m = re.search(r"```\{toctree\}\n(?::[^\n]*\n)*\n", text)
    if not m or f"\n{docname}\n" in text:
        return False
    atomic_write(index, text[: m.end()] + docname + "\n" + text[m.end() :])
    return True


def run(args: argparse.Namespace, err) -> int:
    source = Path(args.source)
    project = Path(args.project)
    text = read_source(source)
    try:
        doc = parse_document(text)
        doc.slug = args.slug
        doc.source = source.name
        editions = load_editions(project)
        new_editions: dict[int, str] = {}
        edition_files: list[tuple[Path, str, str]] = []
        if args.write_edition:
            for block in doc.special_terms:
                result = detect(block, editions)
                if result.edition is None and id(block) not in new_editions:
                    new_id = next_edition_id({**editions, **{v: None for v in new_editions.values()}})
                    new_editions[id(block)] = new_id
                    base = editions.get(result.closest) if result.closest else None
                    origin = f"案件「{doc.title}」の資料" + (
                        f"（{doc.material}{'、本サイトの読み取り' if doc.material_inferred else ''}）" if doc.material else ""
                    )
                    page = render_edition(block, new_id, base, origin, doc.fiscal_year)
                    edition_files.append((project / "clauses" / f"edition-{new_id[3:].lower()}.md", page, new_id))
        assign_editions(doc, editions, new_editions)
        suggester = Suggester.from_project(project)
        add_edition_candidates(suggester, doc, new_editions)
        assign_links(doc, suggester)
        _check_ids(doc)
        page = render_page(doc)
    except DocumentError as exc:
        raise ImportFailure(f"{source}:{exc.line}: {exc.message}") from None
    output = Path(args.output) if args.output else project / "cases" / f"{doc.fiscal_year}-{args.slug.lower().replace('_', '-')}.md"
    if output.exists() and not args.force:
        raise ImportFailure(f"{output}: すでに存在します（上書きするときは --force を付けてください）")
    for path, _, _ in edition_files:
        if path.exists():
            raise ImportFailure(f"{path}: すでに存在します（版のファイルは上書きしません）")

    for c in doc.cleanups:
        print(f"{source}:{c.line}: 修正: {c.kind}: {c.detail}", file=err)
    for line, what in doc.missing:
        print(f"{source}:{line}: 注意: 原典に欄がありません: {what}（「（原典に記載なし）」と記載）", file=err)
    for notice in doc.notices:
        print(f"{source}:{notice}", file=err)
    for path, page_text, new_id in edition_files:
        atomic_write(path, page_text)
        print(f"{path}: 新しい特記事項の版 {new_id} を書き出しました", file=err)
        index = project / "clauses" / "index.md"
        if index.exists() and _add_to_toctree(index, path.stem):
            print(f"{index}: 目次に {path.stem} を加えました", file=err)
    atomic_write(output, page)
    sgs = [s for w in doc.works for s in w.safeguards]
    model = site_model()
    works = "、".join(f"{model.type_title(kind)} {sum(w.kind == kind for w in doc.works)} 件" for kind in model.roles.works)
    print(
        f"{output}: {case_id(doc)} を書き出しました（{works}、情報保護対策 {sum(s.applies for s in sgs)} 件、"
        f"対策不要 {sum(not s.applies for s in sgs)} 件、確認待ちの提案 {sum(s.proposed for s in sgs)} 件）",
        file=err,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="council-import",
        description="審議会資料の抽出テキストから案件ページ（MyST）を作成します。",
    )
    parser.add_argument("source", help="審議会資料の抽出テキスト（UTF-8）")
    parser.add_argument("--slug", required=True, help="案件 ID の名前の部分（半角英大文字・数字・_、例: JIRITSU）")
    parser.add_argument("--output", help="書き出すページ（既定: cases/<開始年>-<slug>.md）")
    parser.add_argument("--project", default=".", help="サイトのディレクトリ（clauses/ を読む。既定: .）")
    parser.add_argument("--write-edition", action="store_true", help="既知の版と異なる特記事項を新しい版として clauses/ に書き出す")
    parser.add_argument("--force", action="store_true", help="既存のページを上書きする")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not _SLUG_RE.match(args.slug):
        parser.error(f"--slug '{args.slug}' は半角英大文字・数字・_ で書いてください（例: JIRITSU）")
    try:
        return run(args, sys.stderr)
    except ImportFailure as exc:
        print(f"council-import: エラー: {exc}", file=sys.stderr)
        print("council-import: ファイルは書き出していません", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
