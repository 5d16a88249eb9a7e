"""Trace suggestions: likely checklist items and clauses for a free-text safeguard.

Character n-gram TF-IDF (2- and 3-grams, no tokenizer needed for Japanese)
with cosine similarity. Candidates are restricted the way the site's rules
are: checklist items of the same actor (and aspect when the source gives it),
clauses of the edition the entrustment/development uses. Three signals learnt
from the content are added to the similarity (weights chosen by the
leave-one-case-out evaluation in ``evaluate.py``):

- the links of the most similar confirmed measures of other cases, a ward
  measure's links counting for the contractor's same-numbered item and back;
- a clause heading's key phrase found in the measure (「再委託」, 「持出し」);
- the clauses that confirmed links pair with the measure's likely checklist
  items.

A library (scikit-learn's TfidfVectorizer) would give the same vectors; a
hundred lines avoid a heavy dependency for a few hundred short texts.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from council_import.measures import group_code
from council_import.pages import PageNeed, read_dir
from council_import.site_model import site_model

# Words every safeguard and clause share; they say nothing about which one fits.
_STOP = re.compile(r"個人情報|させる|する|ものとする|こと|ため|また|及び|等|乙は|甲は|区は|委託先|受託者|させ|業務")


# Spelling variants and near-synonyms of the special terms' and the checklist's
# vocabulary, mapped to one form so that n-grams meet (持ち出し/持出し, 廃棄/消去).
_VARIANTS = (
    (re.compile(r"持ち出"), "持出"),
    (re.compile(r"受け渡"), "受渡"),
    (re.compile(r"立入り"), "立入"),
    (re.compile(r"取り扱"), "取扱"),
    (re.compile(r"廃棄|削除"), "消去"),
    (re.compile(r"返還|回収"), "返却"),
    (re.compile(r"研修"), "教育"),
    (re.compile(r"複製"), "複写"),
    (re.compile(r"ウィルス"), "ウイルス"),
    (re.compile(r"コンピューター"), "コンピュータ"),
)


def _variants(text: str) -> str:
    for pattern, replacement in _VARIANTS:
        text = pattern.sub(replacement, text)
    return text


def _normalise(text: str) -> str:
    text = _variants(unicodedata.normalize("NFKC", text))
    text = _STOP.sub("|", text)
    return re.sub(r"[\s、。，．・「」『』()（）\[\]【】]+", "|", text)


def ngrams(text: str, sizes: tuple[int, ...] = (2, 3)) -> Counter[str]:
    counts: Counter[str] = Counter()
    for chunk in _normalise(text).split("|"):
        for n in sizes:
            for k in range(len(chunk) - n + 1):
                counts[chunk[k : k + n]] += 1
    return counts


@dataclass(frozen=True)
class Candidate:
    id: str
    text: str
    actor: str = ""
    aspect: str = ""
    edition: str = ""


class Index:
    """TF-IDF vectors of candidate texts; ``rank`` gives (id, score) best first."""

    def __init__(self, candidates: list[Candidate]) -> None:
        self.candidates = candidates
        grams = [ngrams(c.text) for c in candidates]
        df: Counter[str] = Counter()
        for g in grams:
            df.update(g.keys())
        n = len(candidates)
        self.idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}
        self.vectors = [self._vector(g) for g in grams]

    def _vector(self, grams: Counter[str]) -> dict[str, float]:
        vec = {t: (1 + math.log(c)) * self.idf.get(t, 0.0) for t, c in grams.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items() if v}

    def rank(self, text: str, keep=lambda c: True, k: int = 3) -> list[tuple[str, float]]:
        q = self._vector(ngrams(text))
        scored = []
        for cand, vec in zip(self.candidates, self.vectors):
            if keep(cand):
                scored.append((cand.id, sum(w * vec.get(t, 0.0) for t, w in q.items())))
        scored.sort(key=lambda x: (-x[1], x[0]))
        return [(i, round(s, 3)) for i, s in scored[:k]]


@dataclass(frozen=True)
class Example:
    """A safeguard whose links a person has confirmed (from a case page)."""

    case: str
    text: str
    actor: str
    aspect: str
    satisfies: tuple[str, ...]
    binds: tuple[str, ...]
    #: The measure's text was written by the ward (記述 form); a checklist-form
    #: case's rows repeat the checklist's own wording, so they teach only which
    #: clauses reviewers pair with each item.
    free_text: bool = True


#: Weight of the confirmed neighbours' votes against the direct text similarity.
# Chosen by leave-one-case-out evaluation over the published cases
# (``python -m council_import.evaluate``); a plateau, not a sharp optimum.
NEIGHBOUR_WEIGHT = 2.0
NEIGHBOURS = 12
#: Weight of a clause heading's key phrase found in the measure (「再委託」 for
#: 再委託の禁止): a heading names what the clause is about in a few words.
HEADING_WEIGHT = 1.0
#: Weight of the clauses that confirmed links pair with the measure's likely
#: checklist items (CHK_WO_10 with 第6項・第8項 in other cases).
BRIDGE_WEIGHT = 0.5

#: The checklist lists its requirements twice, for the ward (CHK_W…) and for
#: the contractor (CHK_C…), under the same numbers: a confirmed link of a
#: measure of the other actor votes for the same-numbered item of this one.
MIRROR_ACTORS = True


def _mirror(item: str, actor_code: str) -> str:
    m = re.fullmatch(r"CHK_([WC])([OS])_(\d+)", item)
    return f"CHK_{actor_code}{m.group(2)}_{m.group(3)}" if m and actor_code else item


# Words of a heading that name the kind of rule, not its subject.
_HEADING_GENERIC = re.compile(r"の禁止|に関する|における|に対する|及び|等|の")


def heading_key(heading: str) -> set[str]:
    """The bigrams of a heading's subject (「再委託の禁止」 → {再委, 委託})."""
    parts = _HEADING_GENERIC.split(_variants(unicodedata.normalize("NFKC", heading)))
    return {p[k : k + 2] for p in parts for k in range(len(p) - 1)}


def heading_match(text: str, key: set[str]) -> float:
    """Share of a heading key's bigrams found in *text*."""
    if not key:
        return 0.0
    plain = _variants(unicodedata.normalize("NFKC", text))
    return sum(1 for g in key if g in plain) / len(key)


class Suggester:
    def __init__(
        self, checkitems: list[PageNeed], clauses: list[PageNeed], examples: list[Example] | None = None
    ) -> None:
        self.checkitems = Index(
            [
                Candidate(n.id, n.content, n.options.get("actor", ""), n.options.get("aspect", ""))
                for n in checkitems
            ]
        )
        self.clauses = Index(
            [
                Candidate(
                    n.id,
                    f"{n.options.get('heading', '')} {n.content}",
                    edition=(n.links.get("part_of") or [""])[0],
                )
                for n in clauses
            ]
        )
        self.heading_keys = {n.id: heading_key(n.options.get("heading", "")) for n in clauses}
        # clause ↔ the same clause in other editions, through ``revises``
        self.same_clause: dict[str, set[str]] = {}
        for n in clauses:
            for prev in n.links.get("revises", []):
                self.same_clause.setdefault(n.id, set()).add(prev)
                self.same_clause.setdefault(prev, set()).add(n.id)
        self.set_examples(examples or [])

    def set_examples(self, examples: list[Example]) -> None:
        self.examples = examples
        # Neighbours are searched among free-text measures only (see Example).
        self.neighbours = [e for e in examples if e.free_text]
        self.example_index = Index(
            [Candidate(str(k), e.text, e.actor, e.aspect) for k, e in enumerate(self.neighbours)]
        ) if self.neighbours else None

    def _votes(self, text: str, keep_example, targets) -> dict[str, float]:
        """Similarity-weighted links of the most similar confirmed safeguards."""
        if self.example_index is None:
            return {}
        ranked = self.example_index.rank(text, lambda c: keep_example(self.neighbours[int(c.id)]), NEIGHBOURS)
        votes: dict[str, float] = {}
        for key, sim in ranked:
            for target in targets(self.neighbours[int(key)]):
                votes[target] = votes.get(target, 0.0) + sim
        return votes

    def _combine(self, direct: list[tuple[str, float]], votes: dict[str, float], k: int):
        scores = dict(direct)
        for target, v in votes.items():
            if target in scores:
                scores[target] += NEIGHBOUR_WEIGHT * v
        ranked = sorted(scores.items(), key=lambda x: (-x[1], x[0]))
        return [(i, round(s, 3)) for i, s in ranked[:k]]

    def _in_edition(self, clause: str, edition: str) -> set[str]:
        if clause.startswith(f"CL_{edition[3:]}_"):
            return {clause}
        return {c for c in self.same_clause.get(clause, ()) if c.startswith(f"CL_{edition[3:]}_")}

    @classmethod
    def from_project(cls, project: Path, learn: bool = True) -> "Suggester":
        """Checklist items and clauses from ``clauses/``; confirmed examples from ``cases/``."""
        needs = read_dir(project / "clauses")
        examples = confirmed_examples(project) if learn else []
        roles = site_model().roles
        return cls([n for n in needs if n.type == roles.checkitem], [n for n in needs if n.type == roles.clause], examples)


    def checkitems_for(self, text: str, actor: str | None, aspect: str | None, k: int = 3, exclude_case: str = ""):
        direct = self.checkitems.rank(
            text,
            lambda c: (actor is None or c.actor == actor) and (aspect is None or c.aspect == aspect),
            len(self.checkitems.candidates),
        )
        code = group_code(actor, None)[0] if actor else ""
        votes = self._votes(
            text,
            lambda e: e.case != exclude_case and (MIRROR_ACTORS or actor is None or e.actor == actor),
            lambda e: {_mirror(i, code) for i in e.satisfies} if MIRROR_ACTORS else e.satisfies,
        )
        return self._combine(direct, votes, k)

    def clauses_for(
        self,
        text: str,
        edition: str,
        k: int = 3,
        exclude_case: str = "",
        items: list[tuple[str, float]] | None = None,
    ):
        """Clauses of *edition* for a measure; *items* are its likely checklist
        items (id, score), whose confirmed clause pairings also vote."""
        direct = self.clauses.rank(text, lambda c: c.edition == edition, len(self.clauses.candidates))
        direct = [(i, s + HEADING_WEIGHT * heading_match(text, self.heading_keys.get(i, set()))) for i, s in direct]
        votes = self._votes(
            text,
            lambda e: e.case != exclude_case,
            lambda e: {t for b in e.binds for t in self._in_edition(b, edition)},
        )
        scores = dict(self._combine(direct, votes, len(direct)))
        if items:
            for clause, v in self._bridge(items, edition, exclude_case).items():
                if clause in scores:
                    scores[clause] += BRIDGE_WEIGHT * v
        ranked = sorted(scores.items(), key=lambda x: (-x[1], x[0]))
        return [(i, round(s, 3)) for i, s in ranked[:k]]

    def _bridge(self, items: list[tuple[str, float]], edition: str, exclude_case: str) -> dict[str, float]:
        """Clauses that confirmed links of other cases pair with *items*: for
        each item, the share of its confirmed measures binding each clause."""
        top = max((s for _, s in items), default=0.0) or 1.0
        votes: dict[str, float] = {}
        for item, score in items:
            pairs = [e for e in self.examples if e.case != exclude_case and item in e.satisfies]
            if not pairs:
                continue
            counts: Counter[str] = Counter()
            for e in pairs:
                counts.update({t for b in e.binds for t in self._in_edition(b, edition)})
            for clause, c in counts.items():
                votes[clause] = votes.get(clause, 0.0) + (score / top) * c / len(pairs)
        return votes


def infer_aspect(text: str) -> str:
    """運用 or システム for a safeguard the source does not classify."""
    system = len(
        re.findall(
            r"システム|サーバ|パソコン|データ|ネットワーク|ID|パスワード|ログ|ウイルス|ウィルス|媒体|アクセス|"
            r"プログラム|テスト|ダミー|検証|暗号|通信",
            unicodedata.normalize("NFKC", text),
        )
    )
    return "システム" if system >= 2 else "運用"


def infer_actor(text: str) -> str:
    """区 or 受託者 for a safeguard the source does not attribute."""
    if re.search(r"させる|させず|行わせ", text) and not re.search(r"^区|区職員|区が|区の職員", text):
        return "受託者"
    return "区"


def confirmed_examples(project: Path) -> list[Example]:
    """Safeguards whose links are confirmed (no ``trace: 提案``), of every case."""
    needs = read_dir(project / "cases")
    measures = site_model().roles.measures
    by_id = {n.id: n for n in needs}
    out = []
    for n in needs:
        if n.type not in measures or n.options.get("trace") == "提案":
            continue
        work = by_id.get((n.links.get("part_of") or [""])[0])
        case_id = (work.links.get("part_of") or [""])[0] if work else ""
        case = by_id.get(case_id)
        if case is None:
            continue
        out.append(
            Example(
                case_id,
                n.content,
                n.options.get("actor", ""),
                n.options.get("aspect", ""),
                tuple(n.links.get("satisfies", [])),
                tuple(n.links.get("binds", [])),
                case.options.get("form") == "記述",
            )
        )
    return out
