import datetime as dt

import pytest
import time_machine

from portal import dates


@pytest.mark.parametrize(
    "day, fy, quarter",
    [
        (dt.date(2017, 9, 30), 2017, 4),
        (dt.date(2017, 10, 1), 2018, 1),
        (dt.date(2017, 12, 31), 2018, 1),
        (dt.date(2018, 1, 1), 2018, 2),
        (dt.date(2018, 3, 31), 2018, 2),
        (dt.date(2018, 4, 1), 2018, 3),
        (dt.date(2018, 7, 1), 2018, 4),
        (dt.date(2018, 9, 30), 2018, 4),
    ],
)
def test_fiscal_year_and_quarter_turn_on_1_october(day, fy, quarter):
    assert dates.fiscal_year(day) == fy
    assert dates.fiscal_quarter(day) == quarter


def test_fiscal_year_bounds():
    assert dates.fiscal_year_start(2018) == dt.date(2017, 10, 1)
    assert dates.fiscal_year_end(2018) == dt.date(2018, 9, 30)
    assert dates.fiscal_quarter_bounds(2018, 1) == (dt.date(2017, 10, 1), dt.date(2017, 12, 31))
    assert dates.fiscal_quarter_bounds(2018, 2) == (dt.date(2018, 1, 1), dt.date(2018, 3, 31))
    assert dates.fiscal_quarter_bounds(2018, 4) == (dt.date(2018, 7, 1), dt.date(2018, 9, 30))
    with pytest.raises(ValueError):
        dates.fiscal_quarter_bounds(2018, 5)


def test_today_is_the_date_in_new_york_not_utc():
    # 03:30 UTC on 1 October is still 30 September in New York: the last day of FY2018.
    with time_machine.travel(dt.datetime(2018, 10, 1, 3, 30, tzinfo=dt.UTC), tick=False):
        assert dates.today() == dt.date(2018, 9, 30)
        assert dates.fiscal_year(dates.today()) == 2018
    with time_machine.travel(dt.datetime(2018, 10, 1, 4, 30, tzinfo=dt.UTC), tick=False):
        assert dates.today() == dt.date(2018, 10, 1)
        assert dates.fiscal_label(dates.today()) == "FY2019 Q1"
