"""The agencies API's ``active``: whether one of the agency's agreements is in force
today, by ``Agreement.objects.in_force``, in the list and on one agency."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from agreements import services
from agreements.tests.factories import AgencyFactory, AgreementFactory


def at(day: dt.date):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(12))), tick=False)


def listed_active(client) -> dict[int, bool]:
    return {row["id"]: row["active"] for row in client.get("/api/v1/agencies/?page_size=100").json()["results"]}


def test_active_follows_the_day_and_each_agreement(api, world, people):
    # given an agency whose only agreement is signed on 2018-03-01, and one without any
    later = AgencyFactory(name="Brazoria County Sheriff's Office")
    AgreementFactory(agency=later, signed_on=dt.date(2018, 3, 1))
    none = AgencyFactory(name="Fort Bend County Sheriff's Office")
    client = api(people["chief"])
    # when the list is read the day before, on the day, then after a suspension
    with at(dt.date(2018, 2, 28)):
        before = listed_active(client)
    with at(dt.date(2018, 3, 1)):
        on_the_day = listed_active(client)
        services.agreement_suspend(
            agreement=world["agreements"]["mine"],
            acting_user=people["chief"],
            effective_on=dt.date(2018, 3, 1),
            reason="Audit",
        )
        suspended = listed_active(client)
        one = client.get(f"/api/v1/agencies/{world['mine'].pk}/").json()["active"]
    # then each answer is the day's and the data's, the same as Agency.is_active
    assert (before[later.pk], on_the_day[later.pk]) == (False, True)
    assert before[none.pk] is on_the_day[none.pk] is False
    assert (on_the_day[world["mine"].pk], suspended[world["mine"].pk], one) == (True, False, False)
    with at(dt.date(2018, 3, 1)):
        for agency in (later, none, world["mine"], world["miami"]):
            assert suspended[agency.pk] is agency.is_active()
