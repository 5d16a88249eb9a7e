"""Kinds of personal data each work item hands over (氏名, 住所, 要配慮, …),
recognised in the free text of its ``data_items``, and the cases per kind."""

from __future__ import annotations

import re

from council.model.need_index import Needs, cases, indexed, works
from council.views.cells import Ref, Refs, Table, refs
from council.views.cross_case import aggregates, case_header, case_refs, fiscal_years, year_headers

#: Kinds of personal data, each recognised by keywords in an item's text.
#: Order matters only for display. Documented in docs/open-data.md.
DATA_KINDS: dict[str, tuple[str, ...]] = {
    "氏名": ("氏名", "名前", "ふりがな", "フリガナ", "姓名"),
    "住所": ("住所", "郵便番号", "居所", "所在地"),
    "生年月日": ("生年月日",),
    "電話番号": ("電話", "FAX", "ファクス", "携帯"),
    "住民番号": ("住民番号", "宛名番号", "個人番号", "マイナンバー"),
    "口座情報": ("口座", "金融機関"),
    "要配慮": ("障害", "病", "健康", "医療", "診断", "介護", "服薬", "犯罪", "信条", "人種"),
}
OTHER_KIND = "その他"
#: The row of the works whose items are listed in another document only.
UNLISTED_KIND = "項目の記載なし（別資料）"
#: Text that only refers to another document for the items.
_REFERENCE = re.compile(r"(資料|別紙)[0-9０-９\-－ー]*(の|に記載の)?とおり")
_HEADER = re.compile(r"《[^》]*》|【[^】]*】|※[0-9０-９]*…[^、]*|※[0-9０-９]+")


def data_item_tokens(text: str) -> list[str]:
    """The listed items of a ``data_items`` text (split on 「、」 outside brackets)."""
    text = _HEADER.sub(" ", text or "")
    if "記録項目" in text:  # "1 個人の範囲 … 2 記録項目 …": the items follow the heading
        text = text.split("記録項目", 1)[1]
    tokens, depth, current = [], 0, ""
    for char in text:
        if char in "(（":
            depth += 1
        elif char in ")）":
            depth = max(0, depth - 1)
        if char in "、,，" and depth == 0:
            tokens.append(current)
            current = ""
        else:
            current += char
    tokens.append(current)
    cleaned = (re.sub(r"[（(]\s*[)）]", "", re.sub(r"\s+", " ", t)).strip() for t in tokens)
    return [t for t in cleaned if t]


def classify_data_items(text: str) -> dict[str, list[str]]:
    """Kinds of personal data named in a ``data_items`` text, with the matching items.

    A kind is found when a keyword of :data:`DATA_KINDS` occurs in the text;
    items matching no keyword are listed under 「その他」. A text that only
    refers to another document (「資料61-5のとおり」) yields no kind.
    """
    result: dict[str, list[str]] = {}
    if _REFERENCE.search(text or ""):
        return result
    whole = text or ""
    for kind, keywords in DATA_KINDS.items():
        if any(k in whole for k in keywords):
            result[kind] = []
    for token in data_item_tokens(whole):
        kinds = [k for k, words in DATA_KINDS.items() if any(w in token for w in words)]
        for kind in kinds:
            result[kind].append(token)
        if not kinds:
            result.setdefault(OTHER_KIND, []).append(token)
    return result


def data_reference(text: str) -> str:
    """The reference to another document, when the items are not listed."""
    match = _REFERENCE.search(text or "")
    return match.group(0) if match else ""


@indexed
def data_work_table(needs: Needs) -> Table:
    """The kinds of personal data of each entrustment/development."""
    rows = []
    for case in cases(needs):
        for work in works(needs, case["id"]):
            text = work.get("data_items") or ""
            found = classify_data_items(text)
            reference = data_reference(text)
            rows.append((
                Refs([Ref(work["id"])]),
                Refs([Ref(case["id"])]),
                needs.model.type_title(work["type"]),
                *("○" if k in found else "" for k in DATA_KINDS),
                "、".join(found.get(OTHER_KIND, [])),
                f"項目の記載なし（{reference}）" if reference else "",
                text,
            ))
    return Table(
        name="data-work",
        title="業務委託・開発ごとの個人情報の種類",
        headers=("業務委託・開発", "案件", "区分", *DATA_KINDS, "その他の項目", "注記",
                 "処理させる情報項目（原典）"),
        rows=tuple(rows),
    )


def _data_kinds(needs: Needs) -> tuple[list[str], dict[str, dict[str, list[str]]]]:
    """The row labels, and kind -> case ID -> IDs of the case's works listing it."""
    found: dict[str, dict[str, list[str]]] = {}
    for case in cases(needs):
        for work in works(needs, case["id"]):
            text = work.get("data_items") or ""
            if data_reference(text):
                found.setdefault(UNLISTED_KIND, {}).setdefault(case["id"], []).append(work["id"])
            for kind in classify_data_items(text):
                found.setdefault(kind, {}).setdefault(case["id"], []).append(work["id"])
    return [*DATA_KINDS, OTHER_KIND, UNLISTED_KIND], found


@indexed
def data_summary_table(needs: Needs) -> Table:
    """Per kind of personal data: how many cases hand it over, their share, per year."""
    case_list = cases(needs)
    by_id = {c["id"]: c for c in case_list}
    years = fiscal_years(needs)
    kinds, found = _data_kinds(needs)
    rows = []
    for kind in kinds:
        relying = [by_id[c] for c in found.get(kind, {})]
        rows.append((kind, *aggregates(relying, len(case_list), years), case_refs(needs, relying)))
    return Table(
        name="data-summary",
        title="個人情報の種類ごとの案件",
        headers=("個人情報の種類", "案件数", "割合", "最新年度", *year_headers(years), "案件"),
        rows=tuple(rows),
        strip=tuple(range(4, 4 + len(years))),
        strip_header="年度別の案件数",
        expand=4 + len(years),
        expand_label="案件",
    )


@indexed
def data_case_table(needs: Needs) -> Table:
    """Which cases hand which kinds of personal data, through which works (exports only)."""
    case_list = cases(needs)
    kinds, found = _data_kinds(needs)
    rows = [
        (kind, *(refs(needs, found.get(kind, {}).get(c["id"], [])) for c in case_list))
        for kind in kinds
    ]
    return Table(
        name="data-case",
        title="個人情報の種類 × 案件",
        headers=("個人情報の種類", *(case_header(c) for c in case_list)),
        rows=tuple(rows),
    )
