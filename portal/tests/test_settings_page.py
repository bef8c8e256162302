"""The Unit Chief's settings page: each section validated, saved through its service,
in the change history; HQ's other roles read it, the field does not open it."""

from __future__ import annotations

import pytest
from django.core import mail
from django_celery_beat.models import PeriodicTask

from agreements.models import AgreementSettings
from itdeploy.models import InstallationSettings, StepTemplate
from portal.compliance.models import SweepSettings
from staffing.models import StaffingModel
from training import conf
from training.models import TrainingSettings

pytestmark = pytest.mark.django_db

STAFFING = {
    "section": "staffing-model",
    "officers_per_pm": "10",
    "cases_per_pm_per_fy": "1800",
    "cost_per_position": "170000",
}


def _post(client, user, data):
    client.force_login(user)
    return client.post("/settings/", data)


def test_unit_chief_sees_a_form_for_every_section(client, people):
    client.force_login(people["chief"])
    response = client.get("/settings/")
    assert response.status_code == 200
    body = response.content.decode()
    for key in ("staffing-model", "step-plan", "installation", "sweep", "grace-periods", "agreements"):
        assert f'name="section" value="{key}"' in body
    assert 'href="/settings/"' in body  # offered in the header


@pytest.mark.parametrize("role", ["npm", "analyst"])
def test_other_hq_roles_read_the_settings_and_may_not_save(client, people, role):
    client.force_login(people[role])
    response = client.get("/settings/")
    assert response.status_code == 200
    assert 'name="section"' not in response.content.decode()
    assert "Certified officers per program manager" in response.content.decode()
    assert client.post("/settings/", STAFFING).status_code == 403
    assert StaffingModel.current().officers_per_pm == 12


@pytest.mark.parametrize("role", ["fod", "pm", "ocio"])
def test_field_and_ocio_do_not_open_the_settings(client, people, role):
    client.force_login(people[role])
    assert client.get("/settings/").status_code == 403
    assert 'href="/settings/"' not in client.get("/").content.decode()


def test_staffing_model_change_is_saved_with_who_and_why(client, people):
    response = _post(client, people["chief"], STAFFING)
    assert response.status_code == 302 and response["Location"] == "/settings/#staffing-model"
    model = StaffingModel.current()
    assert (model.officers_per_pm, model.cases_per_pm_per_fy) == (10, 1800)
    last = model.history.latest()
    assert last.history_user == people["chief"] and last.history_change_reason == "Staffing model changed"
    page = client.get("/settings/").content.decode()
    assert "Last changed by" in page


def test_refused_value_is_shown_once_on_its_field_and_nothing_saved(client, people):
    response = _post(client, people["chief"], {**STAFFING, "officers_per_pm": "0"})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count("Ensure this value is greater than or equal to 1.") == 1
    assert 'id="id_officers_per_pm-error"' in body
    assert StaffingModel.current().officers_per_pm == 12


def test_sweep_schedule_moves_the_beat_task(client, people):
    response = _post(
        client, people["chief"], {"section": "sweep", "hour": "4", "minute": "30", "email_new_findings": "on"}
    )
    assert response.status_code == 302
    task = PeriodicTask.objects.get(name="Nightly compliance sweep")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("4", "30", "America/New_York")
    assert task.enabled is False  # "every night" was unticked
    assert SweepSettings.current().history.latest().history_user == people["chief"]


def test_sweep_hour_out_of_range_is_refused(client, people):
    response = _post(client, people["chief"], {"section": "sweep", "hour": "24", "minute": "0", "enabled": "on"})
    assert response.status_code == 400
    assert "less than or equal to 23" in response.content.decode()
    assert PeriodicTask.objects.get(name="Nightly compliance sweep").crontab.hour == "2"


def test_grace_periods_change_what_the_rules_read(client, people):
    data = {
        "section": "grace-periods",
        "card_warning_days": "20",
        "card_lapsed_after_days": "28",
        "revocation_days": "60",
        "refresher_years": "2",
    }
    assert _post(client, people["chief"], data).status_code == 302
    assert conf.get("TRAINING_CARD_WARNING_DAYS") == 20
    assert conf.get("TRAINING_CARD_LAPSED_AFTER_DAYS") == 28
    assert conf.get("TRAINING_REVOCATION_DAYS") == 60


def test_warning_after_the_lapse_is_refused_on_the_warning_field(client, people):
    data = {
        "section": "grace-periods",
        "card_warning_days": "30",
        "card_lapsed_after_days": "30",
        "revocation_days": "90",
        "refresher_years": "2",
    }
    response = _post(client, people["chief"], data)
    assert response.status_code == 400
    assert 'id="id_card_warning_days-error"' in response.content.decode()
    assert TrainingSettings.current().card_warning_days == 25
    assert conf.get("TRAINING_CARD_WARNING_DAYS") == 25


def test_step_plan_and_thresholds_are_saved(client, people):
    data = {"section": "step-plan", **{f"step_{t.number}": str(t.planned_days) for t in StepTemplate.objects.all()}}
    data["step_3"] = "100"
    assert _post(client, people["chief"], data).status_code == 302
    assert StepTemplate.objects.get(number=3).planned_days == 100
    assert StepTemplate.objects.get(number=3).history.latest().history_user == people["chief"]
    assert (
        _post(
            client,
            people["chief"],
            {
                "section": "installation",
                "goal_days": "150",
                "at_risk_percent": "80",
                "forecast_min_history": "5",
                "forecast_window": "40",
            },
        ).status_code
        == 302
    )
    assert InstallationSettings.current().goal_days == 150
    assert _post(client, people["chief"], {"section": "agreements", "review_days_limit": "60"}).status_code == 302
    assert AgreementSettings.current().review_days_limit == 60


def test_step_plan_refuses_zero_days(client, people):
    data = {"section": "step-plan", **{f"step_{t.number}": str(t.planned_days) for t in StepTemplate.objects.all()}}
    data["step_3"] = "0"
    assert _post(client, people["chief"], data).status_code == 400
    assert StepTemplate.objects.get(number=3).planned_days == 120


def test_unknown_section_is_a_bad_request(client, people):
    assert _post(client, people["chief"], {"section": "nope"}).status_code == 400


def test_new_findings_are_not_e_mailed_when_the_chief_turned_it_off(people):
    from oversight.digests import send_digests
    from portal.compliance.services import sweep_settings_update
    from portal.compliance.sweep import sweep_run

    sweep_settings_update(acting_user=people["chief"], email_new_findings=False)
    run = sweep_run(notify=False)
    assert send_digests(run) == 0  # what the sweep's task sends once the run is committed
    assert mail.outbox == []
