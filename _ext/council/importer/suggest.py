"""Trace suggestions: likely checklist items and clauses for a free-text safeguard.

Character n-gram TF-IDF (1- to 3-grams, no tokenizer needed for Japanese)
with cosine similarity. Candidates are restricted the way the site's rules
are: checklist items of the same actor (and aspect when the source gives it),
clauses of the edition the entrustment/development uses.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .pages import PageNeed, read_dir

# Words every safeguard and clause share; they say nothing about which one fits.
_STOP = re.compile(r"個人情報|させる|する|ものとする|こと|ため|また|及び|等|乙は|甲は|区は|委託先|受託者|させ|業務")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
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


#: Weight of the confirmed neighbours' votes against the direct text similarity.
NEIGHBOUR_WEIGHT = 1.0
NEIGHBOURS = 5


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
        # clause ↔ the same clause in other editions, through ``revises``
        self.same_clause: dict[str, set[str]] = {}
        for n in clauses:
            for prev in n.links.get("revises", []):
                self.same_clause.setdefault(n.id, set()).add(prev)
                self.same_clause.setdefault(prev, set()).add(n.id)
        self.set_examples(examples or [])

    def set_examples(self, examples: list[Example]) -> None:
        self.examples = examples
        self.example_index = Index(
            [Candidate(str(k), e.text, e.actor, e.aspect) for k, e in enumerate(examples)]
        ) if examples else None

    def _votes(self, text: str, keep_example, targets) -> dict[str, float]:
        """Similarity-weighted links of the most similar confirmed safeguards."""
        if self.example_index is None:
            return {}
        ranked = self.example_index.rank(text, lambda c: keep_example(self.examples[int(c.id)]), NEIGHBOURS)
        votes: dict[str, float] = {}
        for key, sim in ranked:
            for target in targets(self.examples[int(key)]):
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
        return cls([n for n in needs if n.type == "checkitem"], [n for n in needs if n.type == "clause"], examples)


    def checkitems_for(self, text: str, actor: str | None, aspect: str | None, k: int = 3, exclude_case: str = ""):
        direct = self.checkitems.rank(
            text,
            lambda c: (actor is None or c.actor == actor) and (aspect is None or c.aspect == aspect),
            len(self.checkitems.candidates),
        )
        votes = self._votes(
            text,
            lambda e: e.case != exclude_case and (actor is None or e.actor == actor),
            lambda e: e.satisfies,
        )
        return self._combine(direct, votes, k)

    def clauses_for(self, text: str, edition: str, k: int = 3, exclude_case: str = ""):
        direct = self.clauses.rank(text, lambda c: c.edition == edition, len(self.clauses.candidates))
        votes = self._votes(
            text,
            lambda e: e.case != exclude_case,
            lambda e: {t for b in e.binds for t in self._in_edition(b, edition)},
        )
        return self._combine(direct, votes, k)


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
    """Safeguards of free-text cases whose links are confirmed (no ``trace: 提案``)."""
    needs = read_dir(project / "cases")
    by_id = {n.id: n for n in needs}
    out = []
    for n in needs:
        if n.type != "safeguard" or n.options.get("trace") == "提案":
            continue
        work = by_id.get((n.links.get("part_of") or [""])[0])
        case_id = (work.links.get("part_of") or [""])[0] if work else ""
        case = by_id.get(case_id)
        if case is None or case.options.get("form") != "記述":
            continue
        out.append(
            Example(
                case_id,
                n.content,
                n.options.get("actor", ""),
                n.options.get("aspect", ""),
                tuple(n.links.get("satisfies", [])),
                tuple(n.links.get("binds", [])),
            )
        )
    return out
