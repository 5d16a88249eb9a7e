"""How well the privacy lint does on a labelled corpus: ``council-privacy-eval``.

The corpus (``tests/read/corpus.toml``) holds cases written for the tests,
each with the kind it is about, the text, and whether the lint must report
that kind (a positive) or nothing at all (a negative). The command prints,
per kind and overall, the false-negative rate (positives missed) and the
false-positive rate (negatives reported), lists every miss, and exits 1 when
the targets are not met: no false negative, under 5 % false positives.

Usage: ``council-privacy-eval [CORPUS] [--allowlist FILE]``
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from council.read.personal_data import KINDS, find_personal_data
from council.read.privacy_allowlist import Allowed, load_allowlist

DEFAULT_CORPUS = Path("tests/read/corpus.toml")
#: Targets of issue 12: no false negative, under 5 % false positives.
MAX_FALSE_NEGATIVE_RATE = 0.0
MAX_FALSE_POSITIVE_RATE = 0.05


@dataclass(frozen=True)
class Case:
    kind: str
    text: str
    expected: bool


@dataclass
class Tally:
    positives: int = 0
    false_negatives: int = 0
    negatives: int = 0
    false_positives: int = 0

    @property
    def false_negative_rate(self) -> float:
        return self.false_negatives / self.positives if self.positives else 0.0

    @property
    def false_positive_rate(self) -> float:
        return self.false_positives / self.negatives if self.negatives else 0.0


@dataclass
class Evaluation:
    per_kind: dict[str, Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)
    misses: list[tuple[str, Case, list[str]]] = field(default_factory=list)

    @property
    def meets_targets(self) -> bool:
        return (self.overall.false_negative_rate <= MAX_FALSE_NEGATIVE_RATE
                and self.overall.false_positive_rate < MAX_FALSE_POSITIVE_RATE)


def load_corpus(path: Path) -> list[Case]:
    """The cases of a corpus file; a malformed case raises ValueError naming it."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    cases = []
    for n, entry in enumerate(data.get("case", []), start=1):
        kind, text, expected = entry.get("kind"), entry.get("text"), entry.get("expected")
        if kind not in KINDS or not isinstance(text, str) or not isinstance(expected, bool):
            raise ValueError(
                f"{path.name} の {n} 番目の事例が不正です（kind は {'、'.join(KINDS)} のいずれか、"
                "text は文字列、expected は true か false）"
            )
        cases.append(Case(kind, text, expected))
    return cases


def evaluate(cases: Iterable[Case], allowed: Sequence[Allowed] = ()) -> Evaluation:
    result = Evaluation(per_kind={kind: Tally() for kind in KINDS})
    for case in cases:
        found = [f.kind for f in find_personal_data(case.text, allowed)]
        for tally in (result.per_kind[case.kind], result.overall):
            if case.expected:
                tally.positives += 1
                tally.false_negatives += case.kind not in found
            else:
                tally.negatives += 1
                tally.false_positives += bool(found)
        if case.expected and case.kind not in found:
            result.misses.append(("見逃し", case, found))
        elif not case.expected and found:
            result.misses.append(("誤検出", case, found))
    return result


def _row(name: str, tally: Tally) -> str:
    return (
        f"{name}: 陽性 {tally.positives} 件・見逃し {tally.false_negatives} 件"
        f"（見逃し率 {tally.false_negative_rate:.1%}）／陰性 {tally.negatives} 件・"
        f"誤検出 {tally.false_positives} 件（誤検出率 {tally.false_positive_rate:.1%}）"
    )


def report(result: Evaluation) -> str:
    lines = [_row(kind, tally) for kind, tally in result.per_kind.items()
             if tally.positives or tally.negatives]
    lines.append(_row("全体", result.overall))
    for what, case, found in result.misses:
        detail = f"（検出: {'、'.join(found)}）" if found else ""
        lines.append(f"{what}: [{case.kind}] {case.text!r}{detail}")
    verdict = "目標達成" if result.meets_targets else "目標未達"
    lines.append(
        f"{verdict}: 見逃し率 {result.overall.false_negative_rate:.1%}（目標 0%）、"
        f"誤検出率 {result.overall.false_positive_rate:.1%}（目標 5% 未満）"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="council-privacy-eval", description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS,
                        help=f"labelled corpus (TOML; default {DEFAULT_CORPUS})")
    parser.add_argument("--allowlist", type=Path, default=None,
                        help="reviewed allow-list applied as in the build (default: none)")
    args = parser.parse_args(argv)
    try:
        cases = load_corpus(args.corpus)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as exc:
        print(f"council-privacy-eval: {args.corpus}: {exc}", file=sys.stderr)
        return 2
    allowed: list[Allowed] = []
    if args.allowlist is not None:
        allowed, problems = load_allowlist(args.allowlist)
        for problem in problems:
            print(f"council-privacy-eval: {problem}", file=sys.stderr)
        if problems:
            return 2
    result = evaluate(cases, allowed)
    print(report(result))
    return 0 if result.meets_targets else 1


if __name__ == "__main__":
    sys.exit(main())
