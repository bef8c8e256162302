"""The clocks of the pipeline, as pure functions of dates.

A step's clock starts when the step starts; its due date is its start plus its planned
days plus the days it spent paused, since a pause (waiting on the agency, site access)
is not counted against the step. It is at risk once 75% (a setting) of its planned time is
used and breached once past its due date. An installation's clock runs from the MOA
signature against the goal (180 days, a setting); it pauses only while the agency's
agreement is suspended (the installation's pause intervals), so a suspended site is never
past the goal for the days it was suspended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from .choices import ClockState


class PauseLike(Protocol):
    started_on: dt.date
    ended_on: dt.date | None


@dataclass(frozen=True)
class Clock:
    state: str
    due_on: dt.date | None = None
    used_days: int = 0
    allowed_days: int = 0
    paused_days: int = 0

    @property
    def label(self) -> str:
        return ClockState(self.state).label

    @property
    def used_percent(self) -> int:
        return round(100 * self.used_days / self.allowed_days) if self.allowed_days else 0


def paused_days(pauses: Iterable[PauseLike], until: dt.date, since: dt.date | None = None) -> int:
    """Days of the pauses up to ``until`` (an open pause runs until then), from ``since``
    (the clock's start: a reopened installation's pauses from before its new MOA
    signature do not count). A pause from the 3rd to the 5th is 2 days: the step was back
    at work on the 5th."""
    total = 0
    for pause in pauses:
        end = min(pause.ended_on or until, until)
        start = max(pause.started_on, since) if since else pause.started_on
        if end > start:
            total += (end - start).days
    return total


def step_clock(
    *,
    started_on: dt.date | None,
    completed_on: dt.date | None,
    planned_days: int,
    pauses: Iterable[PauseLike],
    today: dt.date,
    at_risk_percent: int = 75,
) -> Clock:
    """The clock of one step on ``today``: a completed step keeps the state it ended in
    (breached if it finished after its due date)."""
    if started_on is None:
        return Clock(ClockState.NOT_RUNNING, allowed_days=planned_days)
    as_of = completed_on or today
    paused = paused_days(pauses, as_of, started_on)
    due = started_on + dt.timedelta(days=planned_days + paused)
    used = max(0, (as_of - started_on).days - paused)
    if used > planned_days:
        state = ClockState.BREACHED
    elif completed_on is None and used * 100 >= planned_days * at_risk_percent:
        state = ClockState.AT_RISK
    else:
        state = ClockState.ON_TRACK
    return Clock(state, due_on=due, used_days=used, allowed_days=planned_days, paused_days=paused)


def installation_clock(
    *,
    moa_signed_on: dt.date,
    operational_on: dt.date | None,
    today: dt.date,
    goal_days: int = 180,
    at_risk_percent: int = 75,
    pauses: Iterable[PauseLike] = (),
) -> Clock:
    """The clock of a whole installation from the MOA signature against the goal, the
    days its agreement was suspended (``pauses``) not counted."""
    as_of = operational_on or today
    paused = paused_days(pauses, as_of, moa_signed_on)
    used = max(0, (as_of - moa_signed_on).days - paused)
    if used > goal_days:
        state = ClockState.BREACHED
    elif operational_on is None and used * 100 >= goal_days * at_risk_percent:
        state = ClockState.AT_RISK
    else:
        state = ClockState.ON_TRACK
    return Clock(
        state,
        due_on=moa_signed_on + dt.timedelta(days=goal_days + paused),
        used_days=used,
        allowed_days=goal_days,
        paused_days=paused,
    )
