"""The evaluation script prints top-1 / top-3 accuracy of the suggestions."""

from __future__ import annotations

import re

from helpers import REPO

from council_import.evaluate import evaluate, main
from council_import.suggest import Suggester


def test_evaluation_prints_both_figures_for_both_methods(capsys):
    assert main(["--project", str(REPO)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "提案の精度（本サイトで確認済みの対応付けとの一致）"
    figures = [line for line in out if "top-1" in line and not line.startswith("      ")]
    assert len(figures) == 4
    for line in figures:
        m = re.search(r"(\d+) 件  top-1 (\d+)/\1 = [\d.]+%  top-3 (\d+)/\1 = [\d.]+%", line)
        assert m, line
        total, top1, top3 = map(int, m.groups())
        assert 0 < total and top1 <= top3 <= total


def test_a_case_is_never_predicted_from_its_own_mappings():
    suggester = Suggester.from_project(REPO)
    example = next(e for e in suggester.examples)
    with_self = suggester.clauses_for(example.text, "ED_B")
    without = suggester.clauses_for(example.text, "ED_B", exclude_case=example.case)
    assert with_self != without  # its own confirmed links weigh in only when not excluded


def test_learning_from_confirmed_cases_does_not_do_worse():
    plain, learned = evaluate(REPO, learn=False), evaluate(REPO, learn=True)
    for kind in ("checkitems", "clauses"):
        assert learned[kind].top3 >= plain[kind].top3


def test_evaluation_reports_each_case_left_out(capsys):
    from council_import.pages import read_dir

    assert main(["--project", str(REPO)]) == 0
    out = capsys.readouterr().out
    per_case = out.split("案件ごと（その案件を除いた他の案件から提案）:\n", 1)[1]
    cases = sorted(n.id for n in read_dir(REPO / "cases") if n.type == "case")
    assert [line.strip() for line in per_case.splitlines() if line.startswith("    CASE_")] == cases
    # A checklist-form case names its items itself: only its clauses are measured.
    checklist_cases = [n.id for n in read_dir(REPO / "cases") if n.type == "case" and n.options["form"] == "チェックリスト"]
    for case_id in checklist_cases:
        block = per_case.split(f"    {case_id}\n", 1)[1].splitlines()
        assert block[0].strip() == "チェックリスト項目: 対象なし"
        assert block[1].strip().startswith("特記事項の条項: ")


def test_suggestions_reach_the_reported_accuracy():
    """Leave-one-case-out accuracy of the published cases (figures of the closing
    note of issue 16); a regression of the suggester shows here."""
    scores = evaluate(REPO, learn=True)
    items, clauses = scores["checkitems"], scores["clauses"]
    assert items.top1 / items.total >= 0.75 and items.top3 / items.total >= 0.85
    assert clauses.top1 / clauses.total >= 0.80 and clauses.top3 / clauses.total >= 0.90
