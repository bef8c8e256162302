"""Each sweep rule opens a finding, a second sweep opens nothing new, and the finding is
resolved when the condition is gone."""

import datetime as dt

import pytest

from portal.compliance.models import Finding
from portal.compliance.sweep import sweep_run
from training import services
from training.choices import OfficerStatus, SuspensionCause
from training.models import Officer

from .factories import AcademyClassFactory, OfficerFactory, recertify

pytestmark = pytest.mark.django_db


def sweep(rule, day):
    sweep_run(today=day, rule_codes=[rule], notify=False)
    return list(Finding.objects.filter(rule=rule, status__in=["open", "acknowledged"]))


def opens_then_resolves(rule, day, fix, subject, responsible=None, next_day=None):
    found = sweep(rule, day)
    assert [f.subject_id for f in found] == [subject.pk]
    if responsible is not None:
        assert found[0].responsible == responsible
    assert sweep(rule, day) == found  # nothing new
    fix()
    assert sweep(rule, next_day or day) == []
    assert Finding.objects.get(pk=found[0].pk).status == "resolved"
    return found[0]


def test_card_warning(world, people):
    o = OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 2, 4))
    OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 2, 5))  # d = 24
    Officer.objects.filter(pk=o.pk)
    f = opens_then_resolves(
        "training.card_warning",
        dt.date(2018, 3, 1),
        lambda: Officer.objects.filter(pk=o.pk).update(card_last_login_on=dt.date(2018, 2, 28)),
        o,
        responsible=people["pm"],
    )
    assert "25 days" in f.detail


def test_card_lapsed_notes_missing_equipment(world, people):
    o = OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 1, 29))  # d = 31
    OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 1, 30))  # d = 30: warning only
    f = opens_then_resolves(
        "training.card_lapsed",
        dt.date(2018, 3, 1),
        lambda: Officer.objects.filter(pk=o.pk).update(card_reactivated_on=dt.date(2018, 3, 1)),
        o,
    )
    assert "the agency has no working equipment yet, so the officer cannot log in" in f.detail.lower()


def test_recertification_reminders_name_the_stage(world, people):
    o = OfficerFactory(agency=world["mine"], certified_on=dt.date(2016, 5, 1))
    assert sweep("training.recertification_reminder", dt.date(2018, 7, 31)) == []
    first = sweep("training.recertification_reminder", dt.date(2018, 8, 1))
    assert first[0].subject_id == o.pk and "First reminder (1 August)" in first[0].detail
    second = sweep("training.recertification_reminder", dt.date(2018, 9, 1))
    assert second[0].pk == first[0].pk and "Second reminder" in second[0].detail
    final = sweep("training.recertification_reminder", dt.date(2018, 9, 15))
    assert final[0].pk == first[0].pk and "Final reminder (15 September)" in final[0].detail
    recertify(o, dt.date(2018, 9, 16))
    assert sweep("training.recertification_reminder", dt.date(2018, 9, 16)) == []


def test_recertification_missed_proposes_suspension(world, people):
    o = OfficerFactory(agency=world["mine"], certified_on=dt.date(2016, 5, 1))
    recertify(o, dt.date(2017, 8, 1))  # FY2017 done, FY2018 not
    assert sweep("training.recertification_missed", dt.date(2018, 9, 30)) == []

    def suspend():
        services.officer_suspend(
            officer=o,
            acting_user=people["pm"],
            reason="Missed FY2018 PALMS",
            cause=SuspensionCause.RECERTIFICATION,
            on=dt.date(2018, 10, 2),
        )

    import time_machine

    with time_machine.travel(dt.datetime(2018, 10, 3, 16, tzinfo=dt.UTC), tick=False):
        opens_then_resolves(
            "training.recertification_missed",
            dt.date(2018, 10, 1),
            suspend,
            o,
            responsible=people["pm"],
            next_day=dt.date(2018, 10, 3),
        )


def test_revocation_due(world, people):
    o = OfficerFactory(
        agency=world["mine"],
        status=OfficerStatus.SUSPENDED,
        suspended_on=dt.date(2018, 10, 2),
        suspension_cause=SuspensionCause.RECERTIFICATION,
    )
    assert sweep("training.revocation_due", dt.date(2018, 12, 30)) == []  # 89 days after the suspension
    opens_then_resolves(
        "training.revocation_due",
        dt.date(2018, 12, 31),  # 90 days
        lambda: recertify(o, dt.date(2018, 12, 20)),
        o,
    )


def test_refresher_overdue(world, people):
    o = OfficerFactory(agency=world["mine"], certified_on=dt.date(2016, 2, 28))
    OfficerFactory(agency=world["mine"], certified_on=dt.date(2016, 3, 1))
    from training.models import Completion

    from .factories import course

    # Due on the day 2 years after the last training: 2016-02-28 is due on 2018-02-28, 2016-03-01 not yet.
    opens_then_resolves(
        "training.refresher_overdue",
        dt.date(2018, 2, 28),
        lambda: Completion.objects.create(officer=o, course=course("IADRP"), completed_on=dt.date(2018, 2, 10)),
        o,
    )


def test_class_overbooked(world, people):
    academy_class = AcademyClassFactory(capacity=2, starts_on=dt.date(2018, 4, 2))
    from training.models import Enrollment

    officers = [OfficerFactory(agency=world["mine"], status=OfficerStatus.ADJUDICATED) for _ in range(2)]
    for o in officers:
        Enrollment.objects.create(academy_class=academy_class, officer=o, status="enrolled")
    academy_class.capacity = 1
    academy_class.save()

    def fix():
        academy_class.capacity = 2
        academy_class.save()

    f = opens_then_resolves("training.class_overbooked", dt.date(2018, 3, 1), fix, academy_class)
    assert f.agency_id is None and "2 officers seated for 1 seats" in f.detail


def test_rules_write_dates_as_the_pages_display_them():
    """The rules' details write each date as ``display()`` does (the portal's date format),
    though they format each date once and the numbers directly (``_DateText``)."""
    from portal.tables import display
    from training.rules import _DateText

    shown = _DateText()
    days = [dt.date(1900, 1, 1) + dt.timedelta(days=n) for n in range(0, 80000, 13)]
    days += [dt.date(2016, 2, 29), dt.date(2018, 12, 31), dt.date(2000, 1, 9)]
    assert [shown[day] for day in days] == [display(day) for day in days]
    assert shown[dt.date(2018, 3, 1)] == "03/01/2018"
