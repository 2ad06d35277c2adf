"""Plan years and year-aware deadlines: ``2020-Q1``, ``2021-H1``, ``2021-09``, ``2021-YE``, ``2021``.

A deadline code is the plan year, then optionally a period: ``Q1`` … ``Q4`` (第一季度 …), ``H1`` (上半年),
``H2`` (下半年), a month ``01`` … ``12`` (9月份), ``YE`` (年底前); the bare year means 年内/全年. Every item
carries the year of the plan that set it (``plan_year``); items without the field (every store made before
plans had years) belong to :data:`DEFAULT_PLAN_YEAR`, the bundled 2020 plan, so no store needs migrating.
The 2020 codes and labels are exactly those :mod:`layers.spec` always had.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import pandas as pd

__all__ = [
    "DEFAULT_PLAN_YEAR",
    "MIN_PLAN_YEAR",
    "MAX_PLAN_YEAR",
    "PERIODS",
    "deadline_code",
    "parse_deadline",
    "is_deadline",
    "deadline_year",
    "deadline_due",
    "deadline_label",
    "plan_year_of",
]

#: The year of the bundled plan (松山湖高新区2020年工作计划): the plan year of every item that names none.
DEFAULT_PLAN_YEAR: int = 2020
#: Plan years accepted (a typo such as 20211 is refused rather than stored).
MIN_PLAN_YEAR: int = 2000
MAX_PLAN_YEAR: int = 2100

#: Year-free periods, in the order of their last day within a year (the bare year ``""`` last).
PERIODS: tuple[str, ...] = ("Q1", "H1", "Q2", "Q3", "H2", "Q4", "YE", *(f"{m:02d}" for m in range(1, 13)), "")

_CODE_RE = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|0[1-9]|1[0-2]|YE))?$")
_PERIOD_ZH = {"Q1": "第一季度", "Q2": "第二季度", "Q3": "第三季度", "Q4": "第四季度", "H1": "上半年", "H2": "下半年",
              "YE": "年底前", "": "年内/全年"}
_PERIOD_END = {"Q1": (3, 31), "Q2": (6, 30), "H1": (6, 30), "Q3": (9, 30), "Q4": (12, 31), "H2": (12, 31),
               "YE": (12, 31), "": (12, 31)}


def deadline_code(year: int, period: str) -> str:
    """The deadline code of a period of a plan year: ``(2021, "H1")`` → ``"2021-H1"``, ``(2021, "")`` → ``"2021"``.

    Raises
    ------
    ValueError
        A year outside :data:`MIN_PLAN_YEAR` … :data:`MAX_PLAN_YEAR` or an unknown period.
    """
    code = f"{int(year)}" + (f"-{period}" if period else "")
    if parse_deadline(code) is None:
        raise ValueError(f"no deadline for year {year!r} and period {period!r}")
    return code


def parse_deadline(code: object) -> tuple[int, str] | None:
    """``"2021-H1"`` → ``(2021, "H1")``; ``"2020"`` → ``(2020, "")``; anything else → None."""
    if not isinstance(code, str):
        return None
    m = _CODE_RE.match(code.strip())
    if not m:
        return None
    year = int(m.group(1))
    if not MIN_PLAN_YEAR <= year <= MAX_PLAN_YEAR:
        return None
    return year, m.group(2) or ""


def is_deadline(code: object) -> bool:
    """Whether ``code`` is a deadline code (any plan year)."""
    return parse_deadline(code) is not None


def deadline_year(code: object) -> int | None:
    """The plan year of a deadline code, or None when it is not one."""
    parsed = parse_deadline(code)
    return None if parsed is None else parsed[0]


def deadline_due(code: object) -> dt.date | None:
    """The last day a deadline allows (``2021-H1`` → 2021-06-30), or None when ``code`` is not a deadline."""
    parsed = parse_deadline(code)
    if parsed is None:
        return None
    year, period = parsed
    if period in _PERIOD_END:
        month, day = _PERIOD_END[period]
    else:
        month = int(period)
        day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, day)


def deadline_label(code: object) -> tuple[str, str, str] | None:
    """How a deadline reads: (Chinese words, English words, last day as ISO date), or None.

    The bundled plan's year reads in its own words ("上半年"); another year says its year ("2021年上半年"),
    so that items of two plans side by side are not confused.
    """
    parsed = parse_deadline(code)
    if parsed is None:
        return None
    year, period = parsed
    if period in _PERIOD_ZH:
        zh = _PERIOD_ZH[period]
        en = {"YE": f"by year end {year}", "": f"during {year}"}.get(period, f"{period} {year}")
    else:
        zh = f"{int(period)}月份"
        en = f"{calendar.month_name[int(period)]} {year}"
    if year != DEFAULT_PLAN_YEAR:
        zh = f"{year}年{zh}"
    due = deadline_due(code)
    assert due is not None
    return zh, en, due.isoformat()


def plan_year_of(frame: pd.DataFrame) -> pd.Series:
    """The plan year of every row: its ``plan_year``, or :data:`DEFAULT_PLAN_YEAR` where absent or empty.

    Parameters
    ----------
    frame : pandas.DataFrame
        A layer or a table of items; the ``plan_year`` column is optional.

    Returns
    -------
    pandas.Series of int
        Indexed like ``frame``.
    """
    if "plan_year" not in frame.columns:
        return pd.Series(DEFAULT_PLAN_YEAR, index=frame.index, dtype="int64")
    years = pd.to_numeric(frame["plan_year"], errors="coerce")
    return years.fillna(DEFAULT_PLAN_YEAR).astype("int64")
