"""The PDF step's parts that need no site build: dates, cache keys, a failed LaTeX run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from council_publish import pdf_jobs
from council_publish.pipeline import BuildFailed
from council.latex.dates import date_label, fiscal_year_label, wareki_year


@pytest.mark.parametrize(("year", "label"), [
    (2018, "平成30年度（2018年度）"),
    (2019, "令和元年度（2019年度）"),  # April 2019 was still 平成31年
    (2020, "令和2年度（2020年度）"),
    (2025, "令和7年度（2025年度）"),
    (1989, "平成元年度（1989年度）"),
])
def test_fiscal_year_label(year: int, label: str) -> None:
    assert fiscal_year_label(year) == label


def test_dates_in_wareki_and_seireki() -> None:
    assert date_label("2019-04-30") == "平成31年4月30日（2019年4月30日）"
    assert date_label("2019-05-01") == "令和元年5月1日（2019年5月1日）"
    assert date_label("2025-11-20") == "令和7年11月20日（2025年11月20日）"
    assert date_label("令和元年度第4回") == "令和元年度第4回"  # not a date: unchanged
    assert wareki_year(1989, 1, 7) == "昭和64年"


def _latex_dir(tmp_path: Path, body: str) -> Path:
    latex = tmp_path / "latex"
    latex.mkdir()
    (latex / "sphinx.sty").write_text("% support\n")
    (latex / "figure-1.pdf").write_bytes(b"%PDF-1.4 one")
    (latex / "doc.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n"
        "\\label{\\detokenize{cases/one::doc}}\nfirst page\n"
        "\\label{\\detokenize{cases/two::doc}}\n" + body + "\n\\end{document}\n",
        encoding="utf-8",
    )
    return latex


def test_cache_key_follows_every_input(tmp_path: Path) -> None:
    latex = _latex_dir(tmp_path, "\\includegraphics{figure-1.pdf}")
    tex = latex / "doc.tex"

    def key() -> str:
        return pdf_jobs.cache_key(tex, pdf_jobs.support_digest(latex), pdf_jobs.LATEXMK)

    first = key()
    assert key() == first
    (latex / "figure-1.pdf").write_bytes(b"%PDF-1.4 two")
    assert key() != first
    second = key()
    (latex / "sphinx.sty").write_text("% changed\n")
    assert key() != second
    third = key()
    tex.write_text(tex.read_text() + "%\n")
    assert key() != third


def test_source_date_is_the_newest_page() -> None:
    tex = "% council-source-date-epoch: 100\nx\n% council-source-date-epoch: 300\n"
    assert pdf_jobs.source_date(tex) == "300"
    assert pdf_jobs.source_date("no date") is None


def test_failed_latex_run_keeps_its_log_and_names_page_and_line(tmp_path: Path) -> None:
    latex = _latex_dir(tmp_path, "\\undefinedcommandhere")
    logs = tmp_path / "logs"
    with pytest.raises(BuildFailed) as failure:
        pdf_jobs.compile_all(latex, dict(os.environ), cache=tmp_path / "cache", logs=logs)
    message = str(failure.value)
    assert "\n" not in message
    assert message.startswith("LaTeX: doc.tex:6: Undefined control sequence. (page cases/two); log: ")
    assert (logs / "doc.log").is_file() and (logs / "doc.latexmk.log").is_file()
    assert not list((tmp_path / "cache").glob("*.pdf"))


def test_unchanged_input_comes_from_the_cache(tmp_path: Path) -> None:
    latex = _latex_dir(tmp_path, "second page")
    cache = tmp_path / "cache"
    first = pdf_jobs.compile_all(latex, dict(os.environ), cache=cache, logs=tmp_path / "logs")
    assert [(r.name, r.cached) for r in first] == [("doc", False)]
    (latex / "doc.pdf").unlink()
    again = pdf_jobs.compile_all(latex, dict(os.environ), cache=cache, logs=tmp_path / "logs")
    assert [(r.name, r.cached) for r in again] == [("doc", True)]
    assert (latex / "doc.pdf").read_bytes() == next(cache.glob("*.pdf")).read_bytes()


def test_the_publication_date_is_the_wards_date_in_japan() -> None:
    """A commit at 20:00 UTC is already the next day in Tokyo (the 更新履歴's date)."""
    from council.latex.dates import publication_date

    assert publication_date(1764446400) == "令和7年11月30日（2025年11月30日）"  # 2025-11-29T20:00Z
