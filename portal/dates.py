"""Dates in the program's terms: today in America/New_York and the federal fiscal year.

FY N runs from 1 October of year N-1 to 30 September of year N; Q1 is October-December.
Every date rule of the portal asks this module for "today" and for fiscal years.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """Today's date in the program's time zone (America/New_York)."""
    return timezone.localdate()


def local_date(value: dt.datetime) -> dt.date:
    """The program-time-zone date of an aware datetime."""
    return timezone.localtime(value).date()


def fiscal_year(day: dt.date) -> int:
    """The federal fiscal year a date falls in: 2017-10-01 is in FY2018."""
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_quarter(day: dt.date) -> int:
    """The quarter (1-4) of the fiscal year a date falls in: October-December is Q1."""
    return ((day.month - 10) % 12) // 3 + 1


def fiscal_year_start(fy: int) -> dt.date:
    return dt.date(fy - 1, 10, 1)


def fiscal_year_end(fy: int) -> dt.date:
    return dt.date(fy, 9, 30)


def fiscal_quarter_bounds(fy: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of quarter ``quarter`` of fiscal year ``fy``."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("A fiscal quarter is 1, 2, 3 or 4.")
    start_month = (10 + 3 * (quarter - 1) - 1) % 12 + 1
    start_year = fy - 1 if start_month >= 10 else fy
    start = dt.date(start_year, start_month, 1)
    end_month = start_month + 2
    next_month_first = dt.date(start_year + 1, 1, 1) if end_month == 12 else dt.date(start_year, end_month + 1, 1)
    return start, next_month_first - dt.timedelta(days=1)


def fiscal_label(day: dt.date) -> str:
    """A short label such as ``FY2018 Q2``."""
    return f"FY{fiscal_year(day)} Q{fiscal_quarter(day)}"


def runs_in_fiscal_q1(first: dt.date, last: dt.date) -> bool:
    """Whether any day from ``first`` to ``last`` (both included) falls in Q1 of a fiscal
    year (October to December): a class from 15 September to 12 October does."""
    for year in range(first.year, last.year + 1):
        if dt.date(year, 10, 1) <= last and first <= dt.date(year, 12, 31):
            return True
    return False
