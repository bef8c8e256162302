"""Clocks: due dates with paused days, on track / at risk / breached."""

import datetime as dt
from types import SimpleNamespace as Pause

from itdeploy import clocks

D0 = dt.date(2018, 1, 1)


def d(n):
    return D0 + dt.timedelta(days=n)


def test_paused_days_count_closed_and_open_pauses_up_to_the_day():
    pauses = [Pause(started_on=d(3), ended_on=d(5)), Pause(started_on=d(10), ended_on=None)]
    assert clocks.paused_days(pauses, d(4)) == 1
    assert clocks.paused_days(pauses, d(12)) == 2 + 2
    assert clocks.paused_days([], d(12)) == 0


def test_due_date_moves_by_the_paused_days():
    pauses = [Pause(started_on=d(10), ended_on=d(25))]
    clock = clocks.step_clock(started_on=D0, completed_on=None, planned_days=45, pauses=pauses, today=d(40))
    assert clock.due_on == d(60)
    assert clock.used_days == 25
    assert clock.state == "on_track"


def test_at_risk_from_75_percent_and_breached_after_the_due_date():
    def state(day):
        return clocks.step_clock(started_on=D0, completed_on=None, planned_days=40, pauses=[], today=d(day)).state

    assert state(29) == "on_track"
    assert state(30) == "at_risk"
    assert state(40) == "at_risk"
    assert state(41) == "breached"


def test_paused_time_keeps_a_step_from_breaching():
    pauses = [Pause(started_on=d(5), ended_on=None)]
    clock = clocks.step_clock(started_on=D0, completed_on=None, planned_days=10, pauses=pauses, today=d(100))
    assert clock.state == "on_track" and clock.used_days == 5


def test_completed_step_keeps_whether_it_finished_late():
    late = clocks.step_clock(started_on=D0, completed_on=d(50), planned_days=45, pauses=[], today=d(400))
    on_time = clocks.step_clock(started_on=D0, completed_on=d(44), planned_days=45, pauses=[], today=d(400))
    assert late.state == "breached" and on_time.state == "on_track"


def test_installation_clock_against_the_goal():
    assert clocks.installation_clock(moa_signed_on=D0, operational_on=None, today=d(100)).state == "on_track"
    assert clocks.installation_clock(moa_signed_on=D0, operational_on=None, today=d(135)).state == "at_risk"
    assert clocks.installation_clock(moa_signed_on=D0, operational_on=None, today=d(181)).state == "breached"
    done = clocks.installation_clock(moa_signed_on=D0, operational_on=d(258), today=d(400))
    assert done.state == "breached" and done.used_days == 258
