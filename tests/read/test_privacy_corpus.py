"""The labelled corpus: its size, the lint's figures on it, the eval command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from council.read.personal_data import KINDS
from council.read.privacy_eval import Case, evaluate, load_corpus, main

CORPUS = Path(__file__).with_name("corpus.toml")


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_corpus(CORPUS)


def test_corpus_is_large_enough_and_covers_every_kind(cases):
    positives = [c for c in cases if c.expected]
    negatives = [c for c in cases if not c.expected]
    assert len(positives) >= 80 and len(negatives) >= 60
    assert {c.kind for c in positives} == set(KINDS)
    assert {c.kind for c in negatives} == set(KINDS)
    assert len({c.text for c in cases}) == len(cases), "a case is listed twice"


def test_lint_meets_the_targets_on_the_corpus(cases):
    result = evaluate(cases)
    misses = [(what, case.kind, case.text, found) for what, case, found in result.misses]
    assert result.overall.false_negatives == 0, misses
    assert result.overall.false_positive_rate < 0.05, misses
    assert result.meets_targets


def test_command_prints_rates_per_kind_and_overall(capsys):
    assert main([str(CORPUS)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"個人番号: 陽性 \d+ 件・見逃し 0 件（見逃し率 0\.0%）／陰性 \d+ 件・"
                        r"誤検出 \d+ 件（誤検出率 \d+\.\d%）", out[0])
    overall = next(line for line in out if line.startswith("全体: "))
    assert "見逃し 0 件（見逃し率 0.0%）" in overall
    assert out[-1].startswith("目標達成: 見逃し率 0.0%（目標 0%）、誤検出率 ")
    assert all(line.split(": ")[0] in (*KINDS, "全体", "目標達成") for line in out)


def test_command_reports_misses_and_fails(tmp_path: Path, capsys):
    corpus = tmp_path / "corpus.toml"
    corpus.write_text(
        'case = [\n'
        '{ kind = "電話番号", expected = true, text = "電話は後日" },\n'
        '{ kind = "電話番号", expected = false, text = "電話 03-5555-0199" },\n'
        '{ kind = "電話番号", expected = true, text = "電話 03-5555-0198" },\n'
        ']\n',
        encoding="utf-8",
    )
    assert main([str(corpus)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "電話番号: 陽性 2 件・見逃し 1 件（見逃し率 50.0%）／陰性 1 件・誤検出 1 件（誤検出率 100.0%）",
        "全体: 陽性 2 件・見逃し 1 件（見逃し率 50.0%）／陰性 1 件・誤検出 1 件（誤検出率 100.0%）",
        "見逃し: [電話番号] '電話は後日'",
        "誤検出: [電話番号] '電話 03-5555-0199'（検出: 電話番号）",
        "目標未達: 見逃し率 50.0%（目標 0%）、誤検出率 100.0%（目標 5% 未満）",
    ]


def test_allowlist_applies_to_the_corpus(tmp_path: Path, capsys):
    corpus = tmp_path / "corpus.toml"
    corpus.write_text(
        'case = [{ kind = "電話番号", expected = false, text = "代表 03-5555-0100" }]\n', encoding="utf-8"
    )
    allow = tmp_path / "allow.toml"
    allow.write_text(
        '[[allow]]\nvalue = "03-5555-0100"\nreason = "区の代表電話（公開）"\nreviewer = "事務局"\n',
        encoding="utf-8",
    )
    assert main([str(corpus)]) == 1
    capsys.readouterr()
    assert main([str(corpus), "--allowlist", str(allow)]) == 0


def test_malformed_corpus_is_named(tmp_path: Path, capsys):
    corpus = tmp_path / "corpus.toml"
    corpus.write_text('case = [{ kind = "指紋", expected = true, text = "x" }]\n', encoding="utf-8")
    assert main([str(corpus)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"council-privacy-eval: {corpus}: corpus.toml の 1 番目の事例が不正です（kind は 個人番号、")
