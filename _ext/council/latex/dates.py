"""Dates in print: era years (和暦) beside the western calendar, fiscal years as
the ward counts them, and the date a case PDF carries (its own page's last change)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from sphinx.application import Sphinx

from council.html.webmeta import JST, commit_dates

_ERAS = (  # (first day, name)
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
)


# ------------------------------------------------------------------ dates


def wareki_year(year: int, month: int = 12, day: int = 31) -> str:
    """``2019`` → ``令和元年``: the era year of a date (its last day by default)."""
    date = dt.date(year, month, day)
    for start, name in _ERAS:
        if date >= start:
            number = year - start.year + 1
            return f"{name}{'元' if number == 1 else number}年"
    return f"{year}年"


def fiscal_year_label(year: int) -> str:
    """``2019`` → ``令和元年度（2019年度）``.

    The era is the one in force at the fiscal year's end, as the ward counts:
    FY2019 is 令和元年度 although April 2019 was 平成31年.
    """
    end = dt.date(year + 1, 3, 31)
    for start, name in _ERAS:
        number = year - start.year + 1
        if end >= start and number >= 1:
            return f"{name}{'元' if number == 1 else number}年度（{year}年度）"
    return f"{year}年度"


def date_label(iso: str) -> str:
    """``2019-11-21`` → ``令和元年11月21日（2019年11月21日）``; other text unchanged."""
    try:
        date = dt.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    return (f"{wareki_year(date.year, date.month, date.day)}{date.month}月{date.day}日"
            f"（{date.year}年{date.month}月{date.day}日）")


def page_epoch(app: Sphinx, docname: str) -> int | None:
    """When a case page last changed: its last commit, else the build's source date.

    A PDF carries its own page's date rather than the whole site's, so that a
    publish after an unrelated change leaves its LaTeX input, and its PDF, unchanged.
    """
    dates = getattr(app.builder, "_council_page_dates", None)
    if dates is None:  # once per build (the builder is new on every build)
        dates = app.builder._council_page_dates = commit_dates(Path(app.srcdir))  # type: ignore[attr-defined]
    path = app.env.doc2path(docname, False)
    epoch = dates.get(str(path))
    if epoch is None:
        env_epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        epoch = int(env_epoch) if env_epoch.isdigit() and env_epoch != "0" else None
    return epoch


def publication_date(epoch: int | None) -> str:
    """The date of *epoch* as a date label (和暦 and 西暦)."""
    if epoch is None:
        return "（公開時に記入）"
    # the ward's date (JST), as the pages and the 更新履歴 give it
    date = dt.datetime.fromtimestamp(epoch, JST).date()
    return date_label(date.isoformat())
