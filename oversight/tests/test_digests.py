"""Digest e-mails after the sweep: grouped by agency, scoped, with stage changes, never
twice for the same run, as each person prefers."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from oversight import services
from oversight.digests import send_digests
from oversight.models import DigestSent
from portal.compliance.sweep import sweep_run

NO_BACKUP, NO_PRIMARY = "staffing.primary_without_backup", "agreements.no_primary_manager"
CARDS = ["training.card_warning", "training.card_lapsed"]
REMINDER = "training.recertification_reminder"


def at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 16, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """``sweep(day, rules)``: a sweep run on ``day`` whose on-commit digest task runs."""

    def run(day, rules):
        with at(day), django_capture_on_commit_callbacks(execute=True):
            return sweep_run(rule_codes=rules)

    return run


def bodies_to(user):
    return [m.body for m in mail.outbox if m.to == [user.email]]


def test_one_email_per_person_grouped_by_agency(world, people, offices, sweep):
    from agreements.tests.factories import AgencyFactory, AgreementFactory
    from staffing.tests.factories import AssignmentFactory

    # pm_other is primary without a backup at Galveston and at a second agency.
    second = AgencyFactory(name="Austin County Sheriff's Office", field_office=offices["HOU"])
    AgreementFactory(agency=second)
    AssignmentFactory(agency=second, program_manager=people["pm_other"])
    sweep(dt.date(2018, 3, 15), [NO_BACKUP])
    (body,) = bodies_to(people["pm_other"])
    assert body.index(" Austin County Sheriff's Office") < body.index(" Galveston County Sheriff's Office")
    assert "New findings for which you are responsible (2):" in body
    assert "Still open and yours: 2." in body
    assert len(bodies_to(people["pm_miami"])) == 1
    assert "Galveston" not in bodies_to(people["pm_miami"])[0]  # only one's own, nothing of others
    assert len(mail.outbox) == 2


def test_nothing_new_sends_nothing_and_a_rerun_of_the_task_sends_nothing_twice(world, people, sweep):
    run = sweep(dt.date(2018, 3, 15), [NO_BACKUP])
    assert len(mail.outbox) == 2
    assert send_digests(run) == 0  # the same run again (a retried task): already sent
    assert DigestSent.objects.filter(run=run).count() == 2
    mail.outbox.clear()
    sweep(dt.date(2018, 3, 16), [NO_BACKUP])
    assert mail.outbox == []


def test_nobody_gets_what_they_may_not_see(world, people, sweep):
    profile = people["pm_miami"].staff_profile
    profile.delete()  # pm_miami leaves the program: no role, no scope
    sweep(dt.date(2018, 3, 15), [NO_BACKUP])
    assert bodies_to(people["pm_miami"]) == []
    assert len(bodies_to(people["pm_other"])) == 1


def test_a_recertification_reminder_moving_stage_is_reported(world, people, sweep):
    from training.tests.factories import OfficerFactory, palms_codes

    palms_codes()  # the PALMS catalogue
    OfficerFactory(agency=world["mine"], last_name="Ruiz", certified_on=dt.date(2016, 6, 1))
    sweep(dt.date(2018, 8, 1), [REMINDER])
    (first,) = bodies_to(people["pm"])
    assert "New findings for which you are responsible (1):" in first and "Ruiz" in first
    mail.outbox.clear()
    sweep(dt.date(2018, 8, 2), [REMINDER])
    assert mail.outbox == []  # same stage: nothing to tell
    sweep(dt.date(2018, 9, 1), [REMINDER])
    (second,) = bodies_to(people["pm"])
    assert "Your findings whose stage changed (1):" in second
    assert "Now: second reminder (1 September)." in second
    assert " Harris County Sheriff's Office" in second


def test_a_card_moving_from_warning_to_lapsed_is_a_stage_change(world, people, sweep):
    from training.tests.factories import OfficerFactory

    OfficerFactory(agency=world["mine"], last_name="Okafor", card_last_login_on=dt.date(2018, 2, 18))
    sweep(dt.date(2018, 3, 16), CARDS)  # 26 days: warning
    assert "Security card close to lapsing" in bodies_to(people["pm"])[0]
    mail.outbox.clear()
    sweep(dt.date(2018, 3, 21), CARDS)  # 31 days: lapsed
    (body,) = bodies_to(people["pm"])
    assert "Your findings whose stage changed (1):" in body
    assert "Security card lapsed: Okafor" in body and "Moved from: Security card close to lapsing." in body
    assert "New findings" not in body


def test_preferences_high_only_weekly_and_none(world, people, sweep, client):
    client.force_login(people["pm_other"])
    assert client.post("/findings/inbox/preferences/", {"frequency": "bogus"}).status_code == 400
    assert client.post("/findings/inbox/preferences/", {"frequency": "high_only"}).status_code == 302
    services.digest_preference_set(acting_user=people["pm_miami"], frequency="weekly")
    # 2018-03-15 is a Thursday: no weekly digest; the warning is not "high".
    sweep(dt.date(2018, 3, 15), [NO_BACKUP])
    assert mail.outbox == []
    sweep(dt.date(2018, 3, 19), [NO_BACKUP])  # a Monday: the weekly digest of what is new since
    (weekly,) = bodies_to(people["pm_miami"])
    assert "Collier County" in weekly
    assert bodies_to(people["pm_other"]) == []
    mail.outbox.clear()
    world["mine"].assignments.all().delete()  # a high finding for the Houston director
    services.digest_preference_set(acting_user=people["fod"], frequency="none")
    sweep(dt.date(2018, 3, 20), [NO_BACKUP, NO_PRIMARY])
    assert bodies_to(people["fod"]) == []


def test_high_only_sends_the_high_findings_alone(world, people, sweep):
    from training.tests.factories import OfficerFactory

    services.digest_preference_set(acting_user=people["pm"], frequency="high_only")
    OfficerFactory(agency=world["mine"], last_name="Okafor", card_last_login_on=dt.date(2018, 2, 18))
    sweep(dt.date(2018, 3, 16), CARDS)  # the warning is information only
    assert bodies_to(people["pm"]) == []
    sweep(dt.date(2018, 3, 21), CARDS)  # lapsed is high
    (body,) = bodies_to(people["pm"])
    assert "[High] Security card lapsed: Okafor" in body
