"""Recertification status around 30 September, suspension and the 90-day revocation
line, waivers, automatic enforcement, and the certified-officers hook."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from agreements.choices import AgreementStatus
from portal import hooks
from training import selectors, services
from training.choices import OfficerStatus, SuspensionCause
from training.models import Officer

from .factories import OfficerFactory, equip, palms_codes, recertify

pytestmark = pytest.mark.django_db


def at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 16, 0, tzinfo=dt.UTC), tick=False)


def standing(officer, day):
    return Officer.objects.with_standing(day).get(pk=officer.pk)


def test_status_on_both_sides_of_30_september(world):
    officer = OfficerFactory(agency=world["mine"], certified_on=dt.date(2016, 5, 1))
    done = OfficerFactory(agency=world["mine"], certified_on=dt.date(2016, 5, 1))
    for o in (officer, done):
        recertify(o, dt.date(2017, 8, 1))  # FY2017 done
    recertify(done, dt.date(2018, 8, 20))
    recertify(officer, dt.date(2018, 8, 20), codes=palms_codes()[:3])
    assert standing(officer, dt.date(2018, 7, 1)).recertification_status() == "in_progress"
    assert standing(officer, dt.date(2018, 9, 30)).recertification_status() == "in_progress"
    assert standing(done, dt.date(2018, 9, 30)).recertification_status() == "complete"
    # The day after the deadline: FY2018 was missed.
    assert standing(officer, dt.date(2018, 10, 1)).recertification_status() == "overdue"
    assert standing(done, dt.date(2018, 10, 1)).recertification_status() == "not_yet_due"
    assert list(selectors.officers_due_suspension(dt.date(2018, 9, 30))) == []
    assert list(selectors.officers_due_suspension(dt.date(2018, 10, 1))) == [officer]


def test_officer_certified_during_the_year_owes_nothing_that_year(world):
    officer = OfficerFactory(agency=world["mine"], certified_on=dt.date(2018, 3, 1))
    assert standing(officer, dt.date(2018, 9, 30)).recertification_status() == "complete"
    assert officer not in selectors.officers_due_suspension(dt.date(2018, 10, 1))


def test_revocation_due_90_days_after_suspension_without_waiver(world, people):
    officer = OfficerFactory(
        agency=world["mine"],
        status=OfficerStatus.SUSPENDED,
        suspended_on=dt.date(2018, 10, 2),
        suspension_cause=SuspensionCause.RECERTIFICATION,
    )
    assert list(selectors.officers_due_revocation(dt.date(2018, 12, 30))) == []  # 89 days
    assert list(selectors.officers_due_revocation(dt.date(2018, 12, 31))) == [officer]  # 90 days
    assert list(selectors.officers_due_revocation(dt.date(2019, 1, 1))) == [officer]  # 91 days
    with at(dt.date(2019, 1, 1)):
        with pytest.raises(PermissionDenied):
            services.waiver_grant(officer=officer, reason="x", expires_on=dt.date(2019, 3, 1), acting_user=people["pm"])
        with pytest.raises(PermissionDenied):
            services.waiver_grant(
                officer=officer, reason="x", expires_on=dt.date(2019, 3, 1), acting_user=people["fod_miami"]
            )
        waiver = services.waiver_grant(
            officer=officer,
            reason="Medical leave during the window",
            expires_on=dt.date(2019, 3, 1),
            acting_user=people["fod"],
        )
    assert waiver.fiscal_year == 2018
    assert list(selectors.officers_due_revocation(dt.date(2019, 1, 1))) == []
    assert list(selectors.officers_due_revocation(dt.date(2019, 3, 2))) == [officer]  # the waiver expired
    recertify(officer, dt.date(2019, 2, 1))
    assert list(selectors.officers_due_revocation(dt.date(2019, 3, 2))) == []  # recertified since


def test_enforcement_is_a_setting(world, settings):
    missed = OfficerFactory(agency=world["mine"], certified_on=dt.date(2016, 5, 1))
    old = OfficerFactory(
        agency=world["mine"],
        status=OfficerStatus.SUSPENDED,
        suspended_on=dt.date(2018, 6, 1),
        suspension_cause=SuspensionCause.RECERTIFICATION,
    )
    day = dt.date(2018, 10, 1)
    assert services.recertification_enforce(today=day) == {"suspended": 0, "revoked": 0}  # proposed only
    settings.TRAINING_AUTO_SUSPEND = True
    settings.TRAINING_AUTO_REVOKE = True
    assert services.recertification_enforce(today=day) == {"suspended": 1, "revoked": 1}
    missed.refresh_from_db()
    old.refresh_from_db()
    assert missed.status == OfficerStatus.SUSPENDED and missed.suspension_cause == SuspensionCause.RECERTIFICATION
    assert old.status == OfficerStatus.REVOKED
    assert missed.events.get(verb="suspend").acting_user is None
    assert services.recertification_enforce(today=day) == {"suspended": 0, "revoked": 0}  # idempotent


def test_certified_officers_by_agency_hook(world):
    day = dt.date(2018, 3, 1)
    equip(world["mine"], world["miami"], world["houston_other"])
    OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 2, 20))
    OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 2, 20))
    OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 1, 1))  # card lapsed
    OfficerFactory(agency=world["mine"], status=OfficerStatus.SUSPENDED, card_last_login_on=dt.date(2018, 2, 20))
    OfficerFactory(agency=world["miami"], card_last_login_on=dt.date(2018, 2, 28))
    OfficerFactory(agency=world["houston_other"], card_last_login_on=dt.date(2018, 2, 28))
    agreement = world["agreements"]["houston_other"]
    agreement.status = AgreementStatus.SUSPENDED
    agreement.save()
    result = hooks.call("certified_officers_by_agency", day, default={})
    assert result == {world["mine"].pk: 2, world["miami"].pk: 1}
    officer = Officer.objects.with_standing(day).get(agency=world["houston_other"])
    assert "The agency has no 287(g) agreement in force (not signed, suspended, terminated or withdrawn)." in (
        officer.reasons_cannot_act()
    )
