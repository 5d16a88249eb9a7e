"""The evaluation script prints top-1 / top-3 accuracy of the suggestions."""

from __future__ import annotations

import re

from helpers import REPO

from council.importer.evaluate import evaluate, main
from council.importer.suggest import Suggester


def test_evaluation_prints_both_figures_for_both_methods(capsys):
    assert main(["--project", str(REPO)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "提案の精度（本サイトで確認済みの対応付けとの一致）"
    figures = [line for line in out if "top-1" in line]
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
