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


class Suggester:
    def __init__(self, checkitems: list[PageNeed], clauses: list[PageNeed]) -> None:
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

    @classmethod
    def from_project(cls, project: Path) -> "Suggester":
        needs = read_dir(project / "clauses")
        return cls([n for n in needs if n.type == "checkitem"], [n for n in needs if n.type == "clause"])

    def checkitems_for(self, text: str, actor: str | None, aspect: str | None, k: int = 3):
        return self.checkitems.rank(
            text,
            lambda c: (actor is None or c.actor == actor) and (aspect is None or c.aspect == aspect),
            k,
        )

    def clauses_for(self, text: str, edition: str, k: int = 3):
        return self.clauses.rank(text, lambda c: c.edition == edition, k)


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
