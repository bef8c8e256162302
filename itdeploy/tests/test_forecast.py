"""The forecast's pure functions against hand-computed cases."""

import datetime as dt

from itdeploy import forecast as fc
from itdeploy.plan import DEFAULT_PLAN

D0 = dt.date(2018, 1, 1)


def default_steps(overrides=None):
    overrides = overrides or {}
    steps = []
    for number, _name, _owner, kind, days, after in DEFAULT_PLAN:
        fields = dict(number=number, planned_days=days, depends_on=tuple(after), kind=kind)
        fields.update(overrides.get(number, {}))
        steps.append(fc.StepPlan(**fields))
    return tuple(steps)


PLANNED = {number: days for number, _n, _o, _k, days, _a in DEFAULT_PLAN}


def test_default_plan_critical_path_is_190_days():
    # given a site signed today with the plan's durations and a free installer
    site = fc.SitePlan(1, D0, default_steps())
    # when
    result = fc.forecast_pipeline([site], PLANNED, [fc.InstallerSlot(1, D0)], D0)[1]
    # then 1-3-4-6 = 10 + 120 + 30 + 30
    assert (result.operational_on - D0).days == 190
    assert result.steps[3].start_on == D0 + dt.timedelta(days=10)
    assert result.steps[4].end_on == D0 + dt.timedelta(days=160)
    assert result.steps[2].end_on == D0 + dt.timedelta(days=55)
    assert result.steps[5].end_on == D0 + dt.timedelta(days=100)
    assert result.queue_wait_days == 0


def test_percentiles_and_durations_from_history():
    samples = {3: [100, 110, 150, 90, 200], 4: [20, 40]}
    durations = fc.step_durations(planned=PLANNED, samples=samples, min_history=5)
    assert durations[3] == (110, 200)  # median of 5; 90th percentile = 5th smallest of 5
    assert durations[4] == (30, 30)  # 2 completions: thin history, the plan
    assert fc.percentile(range(1, 11), 90) == 9
    assert fc.percentile([7], 90) == 7


def test_forecast_of_a_site_in_progress_hand_computed():
    # given MOA on D0, step 1 done on day 12, step 3 started day 12 and paused 10 days,
    # step 2 done on day 40, step 5 started day 12, today = day 100,
    # with median durations 3: 110 days, 4: 30, 5: 90, 6: 30
    today = D0 + dt.timedelta(days=100)
    steps = default_steps(
        {
            1: dict(started_on=D0, completed_on=D0 + dt.timedelta(days=12)),
            2: dict(started_on=D0 + dt.timedelta(days=12), completed_on=D0 + dt.timedelta(days=40)),
            3: dict(started_on=D0 + dt.timedelta(days=12), paused_days=10),
            5: dict(started_on=D0 + dt.timedelta(days=12)),
        }
    )
    durations = {**PLANNED, 3: 110}
    result = fc.forecast_pipeline([fc.SitePlan(7, D0, steps)], durations, [fc.InstallerSlot(1, today)], today)[7]
    # step 3 ends at 12 + 10 paused + 110 = day 132; step 4 at 162; step 5 at 12 + 90 = 102
    assert result.steps[3].end_on == D0 + dt.timedelta(days=132)
    assert result.steps[5].end_on == D0 + dt.timedelta(days=102)
    assert result.install_ready_on == D0 + dt.timedelta(days=162)
    assert result.operational_on == D0 + dt.timedelta(days=192)


def test_a_step_past_its_expected_end_is_expected_today_not_in_the_past():
    today = D0 + dt.timedelta(days=300)
    steps = default_steps({1: dict(started_on=D0)})
    result = fc.forecast_pipeline([fc.SitePlan(1, D0, steps)], PLANNED, [fc.InstallerSlot(1, today)], today)[1]
    assert result.steps[1].end_on == today
    assert result.operational_on == today + dt.timedelta(days=180)


def ready_site(pk, moa, rank=None, ready_days=0):
    """A site whose steps 1-5 are complete: ready for its installation on ``moa + ready_days``."""
    done = D0 + dt.timedelta(days=ready_days)
    steps = default_steps({n: dict(started_on=moa, completed_on=done) for n in (1, 2, 3, 4, 5)})
    return fc.SitePlan(pk, moa, steps, priority_rank=rank)


def test_queue_serves_sites_in_priority_order_then_moa_date():
    # given three sites ready today, one installer: B has the older MOA, C has an HQ rank
    a = ready_site(1, D0 - dt.timedelta(days=50))
    b = ready_site(2, D0 - dt.timedelta(days=90))
    c = ready_site(3, D0 - dt.timedelta(days=10), rank=1)
    result = fc.forecast_pipeline([a, b, c], PLANNED, [fc.InstallerSlot(1, D0)], D0)
    # then C first, then B (older MOA), then A, each 30 days after the previous
    assert result[3].install_start_on == D0
    assert result[2].install_start_on == D0 + dt.timedelta(days=30)
    assert result[1].install_start_on == D0 + dt.timedelta(days=60)
    assert result[1].queue_wait_days == 60
    assert result[1].operational_on == D0 + dt.timedelta(days=90)


def test_a_second_installer_halves_the_queue():
    sites = [ready_site(i, D0 - dt.timedelta(days=100 - i)) for i in range(1, 5)]
    one = fc.forecast_pipeline(sites, PLANNED, [fc.InstallerSlot(1, D0)], D0)
    two = fc.forecast_pipeline(sites, PLANNED, [fc.InstallerSlot(1, D0), fc.InstallerSlot(2, D0)], D0)
    assert max(f.operational_on for f in one.values()) == D0 + dt.timedelta(days=120)
    assert max(f.operational_on for f in two.values()) == D0 + dt.timedelta(days=60)
    assert sum(f.queue_wait_days for f in one.values()) == 0 + 30 + 60 + 90
    assert sum(f.queue_wait_days for f in two.values()) == 0 + 0 + 30 + 30


def test_an_idle_installer_takes_a_ready_site_before_a_later_higher_priority_one():
    ranked_later = ready_site(1, D0, rank=1, ready_days=50)
    ready_now = ready_site(2, D0)
    result = fc.forecast_pipeline([ranked_later, ready_now], PLANNED, [fc.InstallerSlot(1, D0)], D0)
    assert result[2].install_start_on == D0
    assert result[1].install_start_on == D0 + dt.timedelta(days=50)


def test_part_time_installer_and_unavailability_lengthen_the_job():
    site = ready_site(1, D0)
    half = fc.forecast_pipeline([site], PLANNED, [fc.InstallerSlot(1, D0, days_per_week=2.5)], D0)[1]
    assert half.operational_on == D0 + dt.timedelta(days=60)
    away = fc.InstallerSlot(1, D0, unavailable=[(D0 + dt.timedelta(days=10), D0 + dt.timedelta(days=19))])
    result = fc.forecast_pipeline([site], PLANNED, [away], D0)[1]
    assert result.operational_on == D0 + dt.timedelta(days=40)


def test_without_any_installer_the_site_has_no_forecast():
    result = fc.forecast_pipeline([ready_site(1, D0)], PLANNED, [], D0)[1]
    assert result.operational_on is None
