"""Bounds on what the portal accepts as input, in one place: integers the database can
hold, and dates within a plausible window for their meaning.

Models name these validators on their fields (so ModelForms, ModelSerializers and
``full_clean`` in the services all apply them); the API's FilterSets and pagination use
the integer bounds. A date window is relative to today (``portal.dates.today``): an
absence in the year 5025, or a class in 1925, is a typing error, not a plan.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from portal import dates

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
INT64_MESSAGE = f"Ensure this value is between {INT64_MIN} and {INT64_MAX}."

#: Fiscal years the portal knows of: the 287(g) program began in FY2002 (the first
#: agreement was signed in 2002); plans reach a few years ahead.
FISCAL_YEAR_MIN = 2000
FISCAL_YEAR_AHEAD = 10
#: The bounds of a filter by fiscal year (a query need not be plausible, only computable).
FISCAL_YEAR_FILTER_MAX = 2100


def fiscal_year_max() -> int:
    return dates.fiscal_year(dates.today()) + FISCAL_YEAR_AHEAD


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@deconstructible
class DateWindow:
    """A date no more than ``years_back`` years before today and no more than
    ``years_ahead`` years after it; ``meaning`` names the date in the message."""

    def __init__(self, meaning: str, *, years_back: int, years_ahead: int):
        self.meaning = meaning
        self.years_back = years_back
        self.years_ahead = years_ahead

    def bounds(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        today = today or dates.today()
        return _shift_years(today, -self.years_back), _shift_years(today, self.years_ahead)

    def __call__(self, value):
        if value is None:
            return
        if isinstance(value, dt.datetime):
            value = dates.local_date(value) if value.tzinfo else value.date()
        earliest, latest = self.bounds()
        if not earliest <= value <= latest:
            raise ValidationError(
                "%(meaning)s must be between %(earliest)s and %(latest)s.",
                code="date_out_of_window",
                params={"meaning": self.meaning, "earliest": earliest.isoformat(), "latest": latest.isoformat()},
            )

    def __eq__(self, other):
        return isinstance(other, DateWindow) and (self.meaning, self.years_back, self.years_ahead) == (
            other.meaning,
            other.years_back,
            other.years_ahead,
        )

    def __hash__(self):
        return hash((self.meaning, self.years_back, self.years_ahead))


# The windows of the portal's dates, by meaning.
ABSENCE = DateWindow("An absence's date", years_back=5, years_ahead=2)
ASSIGNMENT = DateWindow("An assignment's date", years_back=25, years_ahead=2)
OTHER_DUTY = DateWindow("An other duty's date", years_back=10, years_ahead=2)
ACADEMY_CLASS = DateWindow("A class's date", years_back=10, years_ahead=3)
WAIVER_EXPIRY = DateWindow("A waiver's expiry", years_back=10, years_ahead=3)
#: Any other date the API takes: nothing before the program, nothing in a far future.
ANY_DATE = DateWindow("This date", years_back=40, years_ahead=15)


def fiscal_year_errors(fiscal_year) -> list[str]:
    """Messages for a fiscal year outside the years the portal knows of."""
    if fiscal_year is None:
        return []
    latest = fiscal_year_max()
    if not FISCAL_YEAR_MIN <= fiscal_year <= latest:
        return [f"A fiscal year between {FISCAL_YEAR_MIN} and {latest}."]
    return []


def waiver_expiry_errors(*, fiscal_year: int | None, expires_on: dt.date | None) -> list[str]:
    """A recertification waiver covers one fiscal year's missed recertification: it
    expires at most a year after that fiscal year ends, and not before it starts."""
    if fiscal_year is None or expires_on is None or fiscal_year_errors(fiscal_year):
        return []
    earliest = dates.fiscal_year_start(fiscal_year)
    latest = _shift_years(dates.fiscal_year_end(fiscal_year), 1)
    if not earliest <= expires_on <= latest:
        return [
            f"A waiver for FY{fiscal_year} expires between {earliest.isoformat()} and {latest.isoformat()} "
            "(at most a year after its fiscal year)."
        ]
    return []
