"""Write an imported :class:`Document` as a MyST case page, in the curated pages' format."""

from __future__ import annotations

import json
import re
from collections import OrderedDict

from council_import.document import Document, Safeguard, Work
from council_import.measures import group_code
from council_import.site_model import site_model

TITLE_MAX = 40
_YAML_UNSAFE = re.compile(r": |\s#|^[-?:,\[\]{}#&*!|>'\"%@`]|^(true|false|null|yes|no|on|off|~)$|^[0-9.+-]+$", re.I)
_ENT_FIELDS = ("holder", "registered_business", "contractor", "certification", "data_items", "media", "reason", "scope", "period", "start")
_DEV_FIELDS = ("holder", "registered_business", "data_items", "computer", "reason", "scope", "period", "start")


def need_title(text: str) -> str:
    """The first sentence (without 。), cut at 40 characters with …."""
    first = text.split("。", 1)[0].strip()
    return first if len(first) <= TITLE_MAX else first[:TITLE_MAX] + "…"


def _yaml(value: str) -> str:
    value = re.sub(r"\s*\n\s*", " ", value).strip()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?", value):
        return value  # dates stay plain, as on the curated pages
    return json.dumps(value, ensure_ascii=False) if _YAML_UNSAFE.search(value) else value


def case_id(doc: Document) -> str:
    return f"CASE_{doc.fiscal_year}_{doc.slug}"


def work_code(doc: Document, work: Work) -> tuple[str, str]:
    """(need ID, short code such as E1 / D1) of a work."""
    same = [w for w in doc.works if w.kind == work.kind]
    n = same.index(work) + 1
    prefix = "ENT" if work.kind == "entrustment" else "DEV"
    return f"{prefix}_{doc.fiscal_year}_{doc.slug}_{n}", f"{'E' if work.kind == 'entrustment' else 'D'}{n}"


def safeguard_id(doc: Document, work: Work, sg: Safeguard, prefix: str = "SG") -> str:
    _, code = work_code(doc, work)
    group = group_code(sg.actor, sg.aspect)
    return f"{prefix}_{doc.fiscal_year}_{doc.slug}_{code}_{group}_{sg.number:02d}"


def _need(kind: str, title: str, options: list[tuple[str, str]], content: str = "") -> list[str]:
    lines = [f"```{{{kind}}} {title}", "---"]
    lines += [f"{k}: {v}" for k, v in options if v != ""]
    lines.append("---")
    if content:
        lines.append(content)
    lines += ["```", ""]
    return lines


def _admonition(title: str, cls: str, body: list[str]) -> list[str]:
    return [f":::{{admonition}} {title}", f":class: {cls}", "", *body, ":::", ""]


def _description(paragraphs: list[str]) -> str:
    out: list[str] = []
    for p in paragraphs:
        if out and not (p.startswith("- ") and out[-1].startswith("- ")):
            out.append("")
        out.append(p)
    return "\n".join(out)


def _cleanup_lines(doc: Document) -> list[str]:
    grouped: OrderedDict[str, list[str]] = OrderedDict()
    for c in doc.cleanups:
        grouped.setdefault(c.kind, []).append(c.detail)
    explain = {
        "HTMLタグ": "表のセルに文字として残っていた HTML のタグを除き、段落の区切りは空白（事業内容では改行）にしました",
        "セル内の改行": "表のセル内の改行と、改行の位置に生じた空白を除きました",
        "箇条の記号「紐」": "箇条の記号として抽出された「紐」を箇条書きに改めました",
        "列のずれ": "列が一つずれて抽出されたチェックリストの行を、同じ区分の次の行として扱いました",
        "記号の統一": "チェックリストの記号を「○」「－」に統一しました",
        "未知の欄": "取り込みの対象でない欄がありました（このページには掲載していません）",
        "改ページ": "PDF の改ページで語の途中に生じた区切り（空白）を除きました",
    }
    lines = []
    for kind, details in grouped.items():
        lines.append(f"- {explain.get(kind, kind)}。")
        for d in list(OrderedDict.fromkeys(details)):
            lines.append(f"  - {d}")
    lines.append("- 情報保護対策の欄の各項目の先頭の番号は、各対策の「原典の番号」として示し、本文からは除きました。")
    lines.append(f"- 各情報保護対策の見出しは、本文の最初の文（最初の「。」まで、「。」を除く）を {TITLE_MAX} 字までとし、それを超える場合は {TITLE_MAX} 字で切って「…」を付したものです。")
    return lines


def _proposal_note(sg: Safeguard) -> list[str]:
    def fmt(pairs):
        return "、".join(f"{{need}}`{i}`（{s:.2f}）" for i, s in pairs) or "なし"

    body = []
    if sg.checkitem:
        body.append("「根拠とする特記事項の条項」は取り込みコマンドの提案です（未確認）。チェックリスト項目は原典の行のとおりです。")
    else:
        body.append("「対応するチェックリスト項目」と「根拠とする特記事項の条項」は取り込みコマンドの提案です（未確認）。")
        body.append("")
        body.append(f"- チェックリスト項目の候補: {fmt(sg.alternatives.get('satisfies', []))}")
    if not sg.checkitem:
        body.append(f"- 条項の候補: {fmt(sg.alternatives.get('binds', []))}")
    else:
        body.append("")
        body.append(f"- 条項の候補: {fmt(sg.alternatives.get('binds', []))}")
    body += ["", "確認したら、リンクを直して `trace: 確認済` に改め、この注記を削除してください。"]
    return _admonition("確認待ちの対応付け（提案）", "council-proposed", body)


def _work_lines(doc: Document, work: Work, index: int) -> list[str]:
    wid, _ = work_code(doc, work)
    label = site_model().type_title(work.kind)
    lines = [f"## {label} {index}: {work.title}", ""]
    options = [("id", wid), ("part_of", case_id(doc))]
    if work.edition:
        options.append(("terms", work.edition))
    if work.edition_assumed:
        options.append(("terms_assumed", "true"))
    if work.edition_note:
        options.append(("terms_note", _yaml(work.edition_note)))
    for name in _ENT_FIELDS if work.kind == "entrustment" else _DEV_FIELDS:
        if work.fields.get(name):
            options.append((name, work.fields[name] if name == "start" else _yaml(work.fields[name])))
    lines += _need(work.kind, work.title, options)
    if work.edition_note:
        lines += _admonition(
            "特記事項の版（取り込み時の判定）",
            "warning",
            [work.edition_note],
        )
    if work.uses_checklist:
        yes = sum(1 for s in work.safeguards if s.applies)
        no = len(work.safeguards) - yes
        lines += [
            f"原典の情報保護対策は「別紙チェックリストのとおり」です。チェックリストの {len(work.safeguards)} 行のうち"
            f" {yes} 行に「○」、{no} 行に「－」（対策の必要がない）が付されています。以下は区分と行の順のとおりで、"
            "各対策は同じ行のチェックリスト項目に結び付いています。",
            "",
        ]
    section = None
    for sg in work.safeguards:
        if sg.section != section:
            section = sg.section
            lines += [f"### {section}", ""]
        if not sg.applies:
            lines += _need(
                "exemption",
                f"対策不要: {need_title(sg.text)}",
                [
                    ("id", safeguard_id(doc, work, sg, "NA")),
                    ("part_of", wid),
                    ("actor", sg.actor or ""),
                    ("aspect", sg.aspect or ""),
                    ("reason", "原典のチェックリストで「－」（対策の必要がない）"),
                    ("waives", sg.checkitem or ""),
                ],
                sg.text,
            )
            continue
        options = [
            ("id", safeguard_id(doc, work, sg)),
            ("part_of", wid),
            ("actor", sg.actor or ""),
            ("aspect", sg.aspect or ""),
            ("number", str(sg.number)),
            ("grouping", sg.grouping),
        ]
        if sg.proposed:
            options.append(("trace", "提案"))
        options += [("satisfies", ", ".join(sg.satisfies)), ("binds", ", ".join(sg.binds))]
        lines += _need("safeguard", need_title(sg.text), options, sg.text)
        if sg.proposed:
            lines += _proposal_note(sg)
    return lines


def render_page(document: Document) -> str:
    """The MyST page of an imported case (slug and source set on the document)."""
    doc = document
    lines = [f"# {doc.title}", ""]
    options = [
        ("id", case_id(doc)),
        ("council", doc.council),
        ("procedure", ", ".join(doc.procedure)),
        ("legal_basis", ", ".join(doc.legal_basis)),
        ("department", _yaml(doc.department or "（原典に記載なし）")),
        ("business", _yaml(doc.overview["business"])),
        ("section", _yaml(doc.overview["section"])),
        ("purpose", _yaml(doc.overview["purpose"])),
        ("subjects", _yaml(doc.overview["subjects"])),
        ("fiscal_year", str(doc.fiscal_year)),
        ("form", doc.form),
        ("source", _yaml(doc.source)),
    ]
    if doc.material:
        options.append(("material", _yaml(doc.material)))
        if doc.material_inferred:
            options.append(("material_inferred", "true"))
    lines += _need("case", doc.title, options, _description(doc.description))
    lines += _admonition("原典からの表記の修正", "note", _cleanup_lines(doc))
    warnings = []
    if doc.missing:
        warnings.append("次の欄は原典に記載がないため「（原典に記載なし）」としています: " + "、".join(m for _, m in doc.missing) + "。")
    if any(s.inferred_group for w in doc.works for s in w.safeguards):
        warnings.append("原典に実施主体・種別の区分がない対策の区分（「実施主体・種別の区分」が推定のもの）は、取り込みコマンドが内容から付したものです。")
    if any(s.proposed for w in doc.works for s in w.safeguards):
        warnings.append("「確認待ちの対応付け（提案）」の注記がある対策のリンクは、取り込みコマンドが文言の類似度から提案したもので、まだ確認されていません。確認待ちの対策の一覧は、手引きの「確認待ちの対応付け」のページにあります。")
    if warnings:
        body = []
        for w in warnings:
            body += [w, ""]
        lines += _admonition("本サイトによる推定", "warning", body[:-1])
    counts = dict.fromkeys(site_model().roles.works, 0)
    for work in doc.works:
        counts[work.kind] += 1
        lines += _work_lines(doc, work, counts[work.kind])
    return "\n".join(lines).rstrip() + "\n"
