import datetime as dt

import pytest
import time_machine

from portal import hooks

#: The tests' "today": 15 March 2018 in the program's time zone (FY2018 Q2).
TODAY = dt.date(2018, 3, 15)


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2018, 3, 15, 16, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def officers():
    """Certified officers per agency as the training app would report them: a dict the
    test fills; the provider is restored afterwards."""
    counts: dict[int, int] = {}
    previous = hooks._providers.get("certified_officers_by_agency")
    hooks.provide("certified_officers_by_agency", lambda on: dict(counts))
    yield counts
    if previous is None:
        hooks._providers.pop("certified_officers_by_agency", None)
    else:
        hooks.provide("certified_officers_by_agency", previous)


def months_back(n: int, before: dt.date = TODAY) -> list[dt.date]:
    """The first days of the ``n`` full months before ``before``'s month, oldest first."""
    from staffing.figures import add_months

    start = before.replace(day=1)
    return [add_months(start, -i) for i in range(n, 0, -1)]
