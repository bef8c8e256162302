"""Sweep rules of the pipeline: each opens a finding, a second sweep adds none, and the
finding resolves once the condition is gone."""

import datetime as dt

import pytest

from itdeploy import services
from itdeploy.choices import PauseReason
from itdeploy.models import InstallationSettings
from portal.compliance.models import Finding
from portal.compliance.sweep import sweep_run

from .conftest import TODAY
from .factories import open_for, steps_of

pytestmark = pytest.mark.django_db


def sweep(code, today=TODAY):
    run = sweep_run(today=today, rule_codes=[code], notify=False)
    return run.counts[code]


def open_findings(code):
    return Finding.objects.filter(rule=code, status__in=["open", "acknowledged"])


def finish(installation, user, on=dt.date(2017, 7, 1)):
    steps = steps_of(installation)
    for number in range(1, 7):
        if steps[number].started_on is None:
            services.step_start(step=steps[number], started_on=on, acting_user=user)
        services.step_complete(step=steps[number], completed_on=on, acting_user=user)


def test_installation_past_the_goal(installations, people):
    late = dt.date(2017, 12, 1)  # MOA 2017-06-01 + 180 days = 2017-11-28
    assert sweep("itdeploy.past_goal", today=dt.date(2017, 11, 28))["opened"] == 0
    assert sweep("itdeploy.past_goal", today=late)["opened"] == 3
    assert sweep("itdeploy.past_goal", today=late)["opened"] == 0
    finding = open_findings("itdeploy.past_goal").get(agency=installations["mine"].agency)
    assert finding.severity == "high" and finding.responsible == people["pm"]
    finish(installations["mine"], people["ocio"])
    counts = sweep("itdeploy.past_goal", today=late)
    assert counts["resolved"] == 1 and counts["open"] == 2


def test_status_unknown_installations_stay_out_of_the_sweep(plan, frozen):
    from agreements.tests.factories import AgreementFactory

    open_for(AgreementFactory(applied_on=dt.date(2014, 1, 1), signed_on=dt.date(2015, 1, 1)))
    assert sweep("itdeploy.past_goal")["opened"] == 0
    assert sweep("itdeploy.signed_without_installation")["opened"] == 0


def test_step_breached_and_resolved_by_a_pause(installations, people):
    # step 1 started at the MOA (2017-06-01), 10 days planned: breached on 2017-08-01
    assert sweep("itdeploy.step_breached")["opened"] == 3
    assert sweep("itdeploy.step_breached")["opened"] == 0
    step = steps_of(installations["mine"])[1]
    finding = open_findings("itdeploy.step_breached").get(subject_id=step.pk)
    assert "due 06/11/2017" in finding.detail
    services.step_pause(
        step=step, paused_on=dt.date(2017, 6, 5), reason=PauseReason.SITE_ACCESS, acting_user=people["pm"]
    )
    counts = sweep("itdeploy.step_breached")
    assert counts["resolved"] == 1 and counts["open"] == 2


def test_step_breached_goes_to_the_named_responsible_person(installations, people):
    step = steps_of(installations["miami"])[1]
    step.responsible = people["ocio"]
    step.save()
    sweep("itdeploy.step_breached")
    assert open_findings("itdeploy.step_breached").get(subject_id=step.pk).responsible == people["ocio"]


def test_forecast_to_miss_the_goal(installations):
    # step 1 still open today: 2017-08-01 + 120 + 30 + 30 = 2018-01-28, after the goal 2017-11-28
    assert sweep("itdeploy.forecast_misses_goal")["opened"] == 3
    assert sweep("itdeploy.forecast_misses_goal")["opened"] == 0
    finding = open_findings("itdeploy.forecast_misses_goal").first()
    assert finding.severity == "warning" and "01/28/2018" in finding.detail
    settings = InstallationSettings.current()
    settings.goal_days = 365
    settings.save()
    assert sweep("itdeploy.forecast_misses_goal")["resolved"] == 3


def test_signed_agreement_without_installation(world, plan, frozen):
    assert sweep("itdeploy.signed_without_installation")["opened"] == 3
    assert sweep("itdeploy.signed_without_installation")["opened"] == 0
    open_for(world["agreements"]["mine"])
    counts = sweep("itdeploy.signed_without_installation")
    assert counts["resolved"] == 1 and counts["open"] == 2
