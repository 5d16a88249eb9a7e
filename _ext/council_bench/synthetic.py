"""Synthetic corpora shaped like the real case pages, for benchmarks.

``council-synth TARGET -n N`` writes a Sphinx project with *N* synthetic case
pages: each case has 1–3 entrustments/developments, each of those about 40
safeguards split by actor × aspect, every safeguard linked to real checklist
items and to clauses of the edition its contract uses. The configuration, the
content model and the standard texts (``clauses/``) are copied from the real
site, so the corpus passes the site's validation with ``-W``.

``--plain`` writes the same text as plain Sphinx pages without sphinx-needs
directives and without the ``sphinx_needs``/``council`` extensions: the
baseline that shows what the traceability costs.

Every page says that it is synthetic; nothing here describes a real case.
The text is drawn from templates with a seeded random generator, so a given
``(N, seed)`` always gives the same corpus.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from council.model.content_model import load_model

#: The real site (this file is ``_ext/council/synthetic.py``).
REPO = Path(__file__).resolve().parents[2]

#: What a synthetic project shares with the real site.
SHARED = ("conf.py", "ubproject.toml", "clauses", "_static", "_templates")

#: The content model of the real site (``ubproject.toml``).
MODEL = load_model(REPO / "ubproject.toml")
#: Need directives of the content model.
NEED_TYPES = tuple(MODEL.type_titles)
#: The councils and procedures in declared order: the former council (諮問・報告)
#: first, the current one (付議, with the standard checklist) last.
FORMER_COUNCIL, COUNCIL = MODEL.field_values("council")
*FORMER_PROCEDURES, PROCEDURE = MODEL.field_values("procedure")

#: Checklist groups: ID part -> (actor, aspect, heading, number of items).
GROUPS = {
    "WO": ("区", "運用", "委託にあたり区が行う個人情報保護対策【運用上の対策】", 13),
    "WS": ("区", "システム", "委託にあたり区が行う個人情報保護対策【システム上の対策】", 11),
    "CO": ("受託者", "運用", "受託事業者に行わせる個人情報保護対策【運用上の対策】", 13),
    "CS": ("受託者", "システム", "受託事業者に行わせる個人情報保護対策【システム上の対策】", 11),
}

#: Clauses that fit a checklist group, by clause number (both editions have 1–19).
GROUP_CLAUSES = {
    "WO": (1, 2, 10, 13, 14, 15, 16, 17, 18),
    "WS": (6, 8, 9, 11, 12),
    "CO": (2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 18, 19),
    "CS": (6, 8, 9, 11, 12),
}

DEPARTMENTS = [
    ("福祉部", "生活福祉課"), ("福祉部", "地域福祉課"), ("福祉部", "高齢者支援課"),
    ("健康部", "健康政策課"), ("健康部", "保健予防課"), ("子ども家庭部", "子ども家庭課"),
    ("子ども家庭部", "保育課"), ("教育委員会事務局", "学校運営課"), ("区民部", "戸籍住民課"),
    ("区民部", "税務課"), ("地域振興部", "地域コミュニティ課"), ("総務部", "情報システム課"),
    ("みどり土木部", "道路課"), ("都市計画部", "住宅課"), ("環境清掃部", "ごみ減量リサイクル課"),
]
SUBJECTS = [
    "高齢者", "障害者", "生活保護受給者", "児童及びその保護者", "区民", "介護保険の被保険者",
    "国民健康保険の被保険者", "区立小・中学校の児童・生徒", "住宅の申込者", "納税義務者",
    "講座の参加者", "ボランティアの登録者",
]
SERVICES = [
    "通知書の印字及び封入封緘", "相談支援", "健康診査の受診勧奨", "申請書の受付及び入力",
    "コールセンターの運営", "講座の運営", "見守り訪問", "給付金の支給事務", "台帳のデータ化",
    "アンケート調査の集計", "予約システムの運用", "施設の管理運営", "督促状の発送",
    "統計データの作成", "学習支援",
]
SYSTEMS = [
    "管理システム", "予約システム", "台帳システム", "電子申請システム", "相談記録システム",
    "給付管理システム", "受付システム",
]
DATA_ITEMS = [
    "氏名", "住所", "生年月日", "性別", "電話番号", "郵便番号", "世帯構成", "口座情報",
    "健康状態", "相談内容", "所得の状況", "利用履歴", "メールアドレス", "障害の程度",
]
MEDIA = ["紙媒体", "電磁的媒体(DVD等)", "紙媒体、電磁的媒体", "USBメモリ", "クラウドサービス上の記録領域"]
CONTRACTORS = [
    "株式会社{}情報サービス", "社会福祉法人{}会", "一般財団法人{}協会", "株式会社{}システムズ",
    "{}印刷株式会社", "特定非営利活動法人{}ネット",
]
NAMES = ["みどり", "あおば", "ひかり", "さくら", "わかば", "やまぶき", "つばさ", "しらかば", "かえで", "ほくと"]
CERTS = ["プライバシーマーク", "ISMS（ISO/IEC 27001）", "プライバシーマーク及びISMS"]

#: Safeguard sentences per group: (subject, object, verb) parts combined at random.
TEXTS = {
    "WO": (
        ["契約にあたり、", "契約履行の間、", "業務の開始前に、", "必要に応じて、", "定期的に、"],
        ["特記事項を付すとともに新宿区情報セキュリティポリシーを遵守するよう", "取扱責任者及び取扱者の名簿を提出するよう",
         "個人情報の管理状況について報告するよう", "再委託を行わないよう", "作業場所の立入り調査に応じるよう"],
        ["指導する", "求める", "確認する", "指示する"],
    ),
    "WS": (
        ["区が提供する端末は、", "データの受渡しにあたり、", "システムの利用にあたり、", "記録媒体は、"],
        ["パスワードを付して暗号化したうえで", "アクセス権限を設定したうえで", "操作履歴を記録したうえで",
         "外部ネットワークから分離したうえで"],
        ["管理する", "受け渡す", "運用する", "保管する"],
    ),
    "CO": (
        ["受託事業者には、", "作業にあたり、", "業務の終了後、", "事故の発生時には、"],
        ["従事者に個人情報保護の研修を受講", "提供した資料を速やかに返還", "複写及び複製を禁止することを遵守",
         "作業場所を施錠できる室内に限定", "直ちに区へ報告"],
        ["させる", "するよう指導する", "させ、その結果を報告させる"],
    ),
    "CS": (
        ["受託事業者の端末は、", "受託事業者のサーバは、", "データの保存にあたり、", "通信にあたり、"],
        ["ウイルス対策ソフトを導入し最新の状態に保つ", "アクセスログを取得し定期的に分析する",
         "国内の法が適用される環境で運用する", "暗号化された通信を利用する"],
        ["よう管理させる", "ことを確認させる", "よう設定させる"],
    ),
}


def _title(text: str, limit: int = 40) -> str:
    """The first sentence, cut at *limit* characters, as the real pages title their measures."""
    first = text.split("。")[0]
    return first if len(first) <= limit else first[:limit] + "…"


def _sentence(rng: random.Random, group: str) -> str:
    heads, objects, verbs = TEXTS[group]
    first = f"{rng.choice(heads)}{rng.choice(objects)}{rng.choice(verbs)}。"
    if rng.random() < 0.5:
        return first + f"また、{rng.choice(objects)}{rng.choice(verbs)}。"
    return first


def _fields(fields: dict[str, object]) -> str:
    return "".join(f"{name}: {value}\n" for name, value in fields.items())


def _need(kind: str, title: str, fields: dict[str, object], body: str = "") -> str:
    return f"```{{{kind}}} {title}\n---\n{_fields(fields)}---\n{body}```\n\n"


def fiscal_year(index: int) -> int:
    """The fiscal year of synthetic case number *index* (26 years, 2000–2025, in turn)."""
    return 2000 + (index * 7) % 26


def fiscal_years(n: int) -> set[int]:
    """The fiscal years (so the volumes) of a corpus of *n* synthetic cases."""
    return {fiscal_year(index) for index in range(1, n + 1)}


def case_page(index: int, seed: int = 0) -> tuple[str, str]:
    """The docname stem and MyST text of synthetic case number *index*."""
    rng = random.Random(f"{seed}-{index}")
    year = fiscal_year(index)
    slug = f"S{index:04d}"
    case_id = f"CASE_{year}_{slug}"
    dept, section = rng.choice(DEPARTMENTS)
    service = rng.choice(SERVICES)
    subjects = rng.choice(SUBJECTS)
    checklist = year >= 2023
    business = f"{subjects}に対する{service}"
    title = f"{business}に係る業務の委託等について（合成データ {slug}）"
    case_fields: dict[str, object] = {
        "id": case_id,
        "council": COUNCIL if checklist else FORMER_COUNCIL,
        "procedure": PROCEDURE if checklist else rng.choice(FORMER_PROCEDURES),
        "legal_basis": "要綱第3条第1項第3号（業務委託）" if checklist else "条例第14条第1項（業務委託）",
        "department": f"{dept}{section}",
        "business": business,
        "section": section,
        "purpose": f"{subjects}に対する{service}を円滑かつ確実に実施するため",
        "subjects": subjects,
        "fiscal_year": year,
        "form": "チェックリスト" if checklist else "記述",
        "source": f"synthetic-{seed}-{index:04d}",
    }
    body = (
        f"**1 概要**\n\n区は、{subjects}に対する{service}を実施している。"
        f"対象者は約{rng.randint(2, 90) * 100:,}人である。\n\n"
        f"**2 今後の方針**\n\n業務の効率化を図るため、{service}に係る業務の一部を委託する。\n"
    )
    out = [f"# {title}\n\n", _need("case", title, case_fields, body)]
    out.append(
        ":::{admonition} 合成データ\n:class: warning\n\n"
        "このページは性能測定のために機械的に作成した架空の案件です。実在の案件ではありません。\n:::\n\n"
    )
    for work_no in range(1, rng.randint(1, 3) + 1):
        out.extend(_work(rng, year, slug, case_id, work_no, business, section, checklist))
    return f"{year}-{slug.lower()}", "".join(out)


def _work(
    rng: random.Random, year: int, slug: str, case_id: str, no: int,
    business: str, section: str, checklist: bool,
) -> Iterator[str]:
    develop = not checklist and rng.random() < 0.3
    kind, letter = ("development", "D") if develop else ("entrustment", "E")
    label = MODEL.type_title(kind)
    edition = "B" if checklist or year >= 2010 or rng.random() < 0.5 else "A"
    work_id = f"{'DEV' if develop else 'ENT'}_{year}_{slug}_{no}"
    system = rng.choice(SYSTEMS)
    title = f"{business}に係る{system}の{'開発' if develop else '運用業務の委託'}（{no}）"
    fields: dict[str, object] = {
        "id": work_id,
        "part_of": case_id,
        "terms": f"ED_{edition}",
        "holder": section,
        "registered_business": business,
        "data_items": "、".join(rng.sample(DATA_ITEMS, rng.randint(3, 7))),
        "reason": "専門的な知識と設備を有する事業者に委託することで、業務の効率化を図るため。",
        "scope": f"1. {system}の{'改修' if develop else '運用'} 2. データの入力及び出力",
        "period": f"{year}年{rng.randint(4, 12)}月から",
        "start": f"{year}-{rng.randint(4, 12):02d}",
    }
    if develop:
        fields["computer"] = f"区の{system}（庁内サーバ）"
    else:
        fields["contractor"] = rng.choice(CONTRACTORS).format(rng.choice(NAMES))
        fields["certification"] = rng.choice(CERTS)
        fields["media"] = rng.choice(MEDIA)
    yield f"## {label} {no}: {title}\n\n"
    yield _need(kind, title, fields)
    for group, (actor, aspect, heading, items) in GROUPS.items():
        yield f"### {heading}\n\n"
        if checklist:
            numbers = list(range(1, items + 1))
        else:
            numbers = list(range(1, rng.randint(items - 5, items + 1)))
        for number in numbers:
            sid = f"{letter}{no}_{group}_{number:02d}"
            if checklist and rng.random() < 0.1:
                yield _need("exemption", f"{heading}の項目 {number}（対策の必要がない）", {
                    "id": f"NA_{year}_{slug}_{sid}", "part_of": work_id, "actor": actor,
                    "aspect": aspect, "reason": "この委託では該当する取扱いがないため",
                    "waives": f"CHK_{group}_{number:02d}",
                })
                continue
            if checklist:
                satisfies = [f"CHK_{group}_{number:02d}"]
            else:
                satisfies = sorted({f"CHK_{group}_{rng.randint(1, items):02d}" for _ in range(rng.randint(1, 2))})
            binds = sorted({f"CL_{edition}_{rng.choice(GROUP_CLAUSES[group]):02d}" for _ in range(rng.randint(1, 3))})
            text = _sentence(rng, group)
            yield _need("safeguard", _title(text), {
                "id": f"SG_{year}_{slug}_{sid}", "part_of": work_id, "actor": actor,
                "aspect": aspect, "number": number, "grouping": "原典",
                "satisfies": ", ".join(satisfies), "binds": ", ".join(binds),
            }, text + "\n")


# ------------------------------------------------------------------ plain text

_NEED_BLOCK = re.compile(
    r"^```\{(" + "|".join(NEED_TYPES) + r")\} ?(.*?)\n(.*?)^```\n", re.MULTILINE | re.DOTALL
)


def _plain_need(match: re.Match[str]) -> str:
    """A need directive as plain MyST: the same title, fields and text, no needs."""
    title, inner = match.group(2), match.group(3)
    fields: list[tuple[str, str]] = []
    if inner.startswith("---\n"):
        head, _, body = inner[4:].partition("---\n")
        for line in head.splitlines():
            name, _, value = line.partition(":")
            fields.append((name.strip(), value.strip()))
    else:
        lines = inner.splitlines(keepends=True)
        while lines and lines[0].startswith(":"):
            name, _, value = lines.pop(0)[1:].partition(":")
            fields.append((name.strip(), value.strip()))
        body = "".join(lines).lstrip("\n")
    field_text = "".join(f"- {name}: {value}\n" for name, value in fields)
    return f"**{title}**\n\n{field_text}\n{body}\n"


#: Directives of Sphinx, docutils, MyST and sphinx-design kept in the baseline;
#: any other (sphinx-needs' tables and the site's own matrices) is dropped.
PLAIN_DIRECTIVES = frozenset("""
toctree admonition note warning tip important attention caution danger error hint seealso
code-block code sourcecode csv-table list-table table figure image math only raw contents
rubric topic sidebar glossary include literalinclude versionadded versionchanged deprecated
grid grid-item grid-item-card card tab-set tab-item dropdown button-link button-ref div
eval-rst epigraph highlights pull-quote compound container line-block parsed-literal
""".split())

_FENCE = re.compile(r"^(`{3,}|:{3,})\{([^}]+)\}[^\n]*\n.*?^\1[ \t]*$\n?", re.MULTILINE | re.DOTALL)


def _drop_unknown(match: re.Match[str]) -> str:
    if match.group(2) in PLAIN_DIRECTIVES:
        return match.group(0)
    return "（トレーサビリティのない比較用のページでは、この表・図を省略しています。）\n"


def to_plain(text: str) -> str:
    """The page without sphinx-needs directives (needs become paragraphs and lists).

    Directives of sphinx-needs and of this extension that compute tables and
    figures from the needs are dropped: the baseline has no traceability.
    """
    return _FENCE.sub(_drop_unknown, _NEED_BLOCK.sub(_plain_need, text))


PLAIN_CONF = '''
# --- plain baseline (council-synth --plain): the same site without traceability.
extensions = [e for e in extensions if e not in ("sphinx_needs", "council")]
'''

INDEX = """# 合成データによる性能測定用サイト

性能測定のために機械的に作成した架空の案件 {n} 件です。

```{{toctree}}
:maxdepth: 1
:caption: 目次

cases/index
clauses/index
```
"""

CASES_INDEX = """# 案件一覧

```{toctree}
:maxdepth: 1
:glob:

*
```
"""


def generate(target: Path, n: int, *, seed: int = 0, plain: bool = False, source: Path = REPO) -> Path:
    """Write the synthetic project into *target* (replaced if it exists)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in SHARED:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, target / name)
        elif src.exists():
            shutil.copy2(src, target / name)
    (target / "index.md").write_text(INDEX.format(n=n), encoding="utf-8")
    cases = target / "cases"
    cases.mkdir()
    (cases / "index.md").write_text(CASES_INDEX, encoding="utf-8")
    for index in range(1, n + 1):
        stem, text = case_page(index, seed)
        (cases / f"{stem}.md").write_text(to_plain(text) if plain else text, encoding="utf-8")
    if plain:
        for page in (target / "clauses").rglob("*.md"):
            page.write_text(to_plain(page.read_text(encoding="utf-8")), encoding="utf-8")
        conf = target / "conf.py"
        conf.write_text(conf.read_text(encoding="utf-8") + PLAIN_CONF, encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="council-synth",
        description="Write a synthetic Sphinx project of N case pages (for benchmarks).",
    )
    parser.add_argument("target", type=Path, help="project directory to write (replaced)")
    parser.add_argument("-n", "--cases", type=int, default=100, help="number of cases (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--plain", action="store_true", help="plain Sphinx pages without sphinx-needs (baseline)")
    parser.add_argument("--source", type=Path, default=REPO, help="the real site to copy conf and clauses from")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    generate(args.target, args.cases, seed=args.seed, plain=args.plain, source=args.source)
    print(f"{args.target}: {args.cases} synthetic cases{' (plain)' if args.plain else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
