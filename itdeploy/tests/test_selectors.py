"""The forecast read from the database: durations learnt from completed installations,
and a field manager's update followed by the forecast and the next sweep."""

import datetime as dt

import pytest

from agreements.tests.factories import AgreementFactory
from itdeploy import selectors, services
from portal.compliance.models import Finding
from portal.compliance.sweep import sweep_run

from .conftest import TODAY
from .factories import open_for, steps_of

pytestmark = pytest.mark.django_db


def completed_site(user, purchase_days):
    """An installation completed with recorded dates; step 3 took ``purchase_days``."""
    installation = open_for(
        AgreementFactory(applied_on=dt.date(2016, 1, 1), signed_on=dt.date(2017, 2, 1)), opened_on=dt.date(2017, 2, 1)
    )
    steps = steps_of(installation)
    services.step_complete(step=steps[1], completed_on=dt.date(2017, 2, 11), acting_user=user)
    day3 = dt.date(2017, 2, 11) + dt.timedelta(days=purchase_days)
    plan = {
        2: (dt.date(2017, 2, 11), dt.date(2017, 3, 1)),
        3: (dt.date(2017, 2, 11), day3),
        4: (day3, day3 + dt.timedelta(days=5)),
        5: (dt.date(2017, 2, 11), dt.date(2017, 4, 1)),
    }
    for number, (start, end) in plan.items():
        services.step_start(step=steps[number], started_on=start, acting_user=user)
        services.step_complete(step=steps[number], completed_on=end, acting_user=user)
    start6 = max(day3 + dt.timedelta(days=5), dt.date(2017, 4, 1))
    services.step_start(step=steps[6], started_on=start6, acting_user=user)
    services.step_complete(step=steps[6], completed_on=start6 + dt.timedelta(days=3), acting_user=user)
    return installation


def test_durations_come_from_history_once_there_is_enough(installations, people):
    for i, days in enumerate([40, 50, 60, 70, 80]):
        completed_site(people["ocio"], days)
        found = selectors.durations()
        if i < 4:
            assert found.expected[3] == 120 and not found.from_history[3]
    assert found.expected[3] == 60 and found.pessimistic[3] == 80 and found.from_history[3]
    # step 1 of the open site ends today; then 60 + 5 (delivery median) + 3 (installation median)
    forecast = selectors.pipeline_forecast().expected[installations["mine"].pk]
    assert forecast.operational_on == TODAY + dt.timedelta(days=60 + 5 + 3)


def test_field_manager_update_is_followed_by_forecast_and_sweep(api, people, installations):
    mine = installations["mine"]
    sweep_run(today=TODAY, rule_codes=["itdeploy.step_breached"], notify=False)
    step1 = steps_of(mine)[1]
    assert Finding.objects.filter(rule="itdeploy.step_breached", subject_id=step1.pk, status="open").exists()
    before = api(people["pm"]).get(f"/api/v1/installations/{mine.pk}/").json()["forecast"]["operational_on"]
    response = api(people["pm"]).post(
        f"/api/v1/installations/{mine.pk}/steps/{step1.pk}/complete/", {"completed_on": "2017-06-08"}
    )
    assert response.status_code == 200
    # step 1 is done, but the purchase order has not started: it is expected from today,
    # 2017-08-01 + 120 + 30 + 30 = 2018-01-28, as before
    assert response.json()["forecast"]["operational_on"] == before == "2018-01-28"
    services.step_start(step=steps_of(mine)[3], started_on=dt.date(2017, 6, 8), acting_user=people["pm"])
    after = api(people["pm"]).get(f"/api/v1/installations/{mine.pk}/").json()["forecast"]["operational_on"]
    assert after == "2017-12-05"  # 06-08 + 120 (purchase) + 30 (delivery) + 30 (installation)
    sweep_run(today=TODAY, rule_codes=["itdeploy.step_breached"], notify=False)
    assert Finding.objects.get(rule="itdeploy.step_breached", subject_id=step1.pk).status == "resolved"


def test_page_forecast_is_the_stored_forecast_in_one_statement_when_current(installations, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from itdeploy.models import ForecastRun, InstallationSettings

    settings = InstallationSettings.current()
    ids = [i.pk for i in installations.values()]
    # stale (no stored run yet): computed afresh, then read
    found = selectors.page_forecast(ids, today=TODAY, settings=settings)
    first_run = ForecastRun.objects.get().pk
    stored = selectors.stored_forecast(today=TODAY, installation_ids=ids, settings=settings)
    assert found.expected and found.expected == stored.expected and found.pessimistic == stored.pessimistic
    # current: the check and the rows in one statement, the same sites
    with CaptureQueriesContext(connection) as ctx:
        again = selectors.page_forecast(ids, today=TODAY, settings=settings)
    assert len(ctx.captured_queries) == 1
    assert again.expected == stored.expected and again.pessimistic == stored.pessimistic
    assert again.goal_days == settings.goal_days
    # one site asked for: only its row
    one = selectors.page_forecast(ids[:1], today=TODAY, settings=settings)
    assert set(one.expected) == set(stored.expected) & set(ids[:1])
    # an input changed (a step completed): computed afresh, as stored_forecast does
    step = next(s for s in steps_of(installations["mine"]).values() if s.started_on and not s.completed_on)
    services.step_complete(step=step, completed_on=TODAY, acting_user=people["ocio"])
    changed = selectors.page_forecast(ids, today=TODAY, settings=settings)
    assert ForecastRun.objects.get().pk != first_run  # older runs are deleted
    assert changed.expected == selectors.stored_forecast(today=TODAY, installation_ids=ids).expected
