"""Measure the trace suggestions against the mappings curated on the case pages.

``python -m council_import.evaluate [--project DIR]`` prints top-1 and top-3
accuracy: a suggestion counts as correct when it is one of the links the
curated page gives. Checklist items are measured on free-text (記述) cases
only (a checklist-form case names its items itself); clauses on every case.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from council_import.pages import read_dir
from council_import.site_model import site_model
from council_import.suggest import Suggester


@dataclass
class Score:
    total: int = 0
    top1: int = 0
    top3: int = 0

    def add(self, ranked: list[str], truth: set[str]) -> None:
        self.total += 1
        self.top1 += bool(ranked[:1] and ranked[0] in truth)
        self.top3 += bool(truth & set(ranked[:3]))

    def line(self, label: str) -> str:
        if not self.total:
            return f"{label}: 対象なし"
        return (
            f"{label}: {self.total} 件  top-1 {self.top1}/{self.total} = {self.top1 / self.total:.1%}"
            f"  top-3 {self.top3}/{self.total} = {self.top3 / self.total:.1%}"
        )


def evaluate(project: Path, learn: bool = True, by_case: dict[str, dict[str, Score]] | None = None) -> dict[str, Score]:
    """Scores of the suggestions; with *learn*, each case is predicted from the others only
    (leave-one-case-out). *by_case*, when given, receives each left-out case's scores."""
    suggester = Suggester.from_project(project, learn=learn)
    needs = read_dir(project / "cases")
    by_id = {n.id: n for n in needs}
    scores = {"checkitems": Score(), "clauses": Score()}
    for sg in needs:
        if sg.type not in site_model().roles.measures:
            continue
        work = by_id.get((sg.links.get("part_of") or [""])[0])
        case = by_id.get((work.links.get("part_of") or [""])[0]) if work else None
        if work is None or case is None:
            continue
        edition = (work.links.get("terms") or [""])[0]
        free_text = case.options.get("form") == "記述"
        # The clause suggestion sees what the importer would know: the source's
        # own checklist item on a checklist row, else the suggested items.
        items = (
            suggester.checkitems_for(sg.content, sg.options.get("actor"), sg.options.get("aspect"), exclude_case=case.id)
            if free_text
            else [(i, 1.0) for i in sg.links.get("satisfies", [])]
        )
        if free_text and sg.links.get("satisfies"):
            ranked = [i for i, _ in items]
            scores["checkitems"].add(ranked, set(sg.links["satisfies"]))
            if by_case is not None:
                by_case.setdefault(case.id, {"checkitems": Score(), "clauses": Score()})["checkitems"].add(
                    ranked, set(sg.links["satisfies"])
                )
        if sg.links.get("binds"):
            ranked = [i for i, _ in suggester.clauses_for(sg.content, edition, exclude_case=case.id, items=items)]
            scores["clauses"].add(ranked, set(sg.links["binds"]))
            if by_case is not None:
                by_case.setdefault(case.id, {"checkitems": Score(), "clauses": Score()})["clauses"].add(
                    ranked, set(sg.links["binds"])
                )
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m council_import.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--project", default=".", help="サイトのディレクトリ（cases/ と clauses/ を読む）")
    args = parser.parse_args(argv)
    print("提案の精度（本サイトで確認済みの対応付けとの一致）")
    for learn, label in ((False, "文言の類似度のみ"), (True, "類似度＋他の案件の確認済みの対応付け（案件ごとに除外して評価）")):
        by_case: dict[str, dict[str, Score]] = {}
        scores = evaluate(Path(args.project), learn=learn, by_case=by_case)
        print(f"[{label}]")
        print("  " + scores["checkitems"].line("チェックリスト項目（記述様式の案件の対策）"))
        print("  " + scores["clauses"].line("特記事項の条項（すべての対策）"))
        if learn:
            print("  案件ごと（その案件を除いた他の案件から提案）:")
            for case_id, case_scores in sorted(by_case.items()):
                print(f"    {case_id}")
                print("      " + case_scores["checkitems"].line("チェックリスト項目"))
                print("      " + case_scores["clauses"].line("特記事項の条項"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
