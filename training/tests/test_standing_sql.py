"""The officers' standing as set-based SQL (issue 14): the conditions the filters, the
figures and the sweep use (``able_to_act_q``, ``recertified_q``,
``recertification_missed_q``, ``refresher_due_q``) say of every officer what the row's
own reading says (``can_act``, ``recertification_status``, ``refresher_due_on``), and the
officer list runs the same number of statements whatever the number of officers."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement
from agreements.tests.factories import AgencyFactory, AgreementFactory
from training.choices import OfficerStatus, RecertificationStatus
from training.models import Completion, Officer

from .factories import OfficerFactory, course, equip, palms_codes, recertify

pytestmark = pytest.mark.django_db

TODAY = dt.date(2018, 3, 1)  # FY2018; the refresher falls due on training dates up to 2016-03-01


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2018, 3, 1, 17, tzinfo=dt.UTC), tick=False):
        yield TODAY


def population(world, n: int, offset: int = 0):
    """Officers on both sides of every boundary: certified on, before and after the
    refresher's cutoff and either fiscal year; recertified this year, last year, partly,
    not at all; a later refresher; cards fresh, lapsed and deactivated; statuses other than
    certified; agencies with and without working equipment, and one under a Warrant
    Service agreement only."""
    codes = palms_codes()
    warrant = AgencyFactory(name=f"Warrant {offset}", state="FL", county=f"W{offset}")
    AgreementFactory(agency=warrant, program_model="wso")
    equip(world["miami"])
    agencies = [world["mine"], world["miami"], warrant]
    certified = [
        dt.date(2015, 5, 1),
        dt.date(2016, 2, 29),
        dt.date(2016, 3, 1),
        dt.date(2016, 3, 2),
        dt.date(2017, 10, 2),
    ]
    logins = [dt.date(2018, 2, 27), dt.date(2018, 1, 15)]
    cases = itertools.product(certified, logins, range(4), agencies)  # the agency varies fastest
    officers = []
    for i, (certified_on, login, recert, agency) in enumerate(
        itertools.islice(itertools.cycle(cases), offset, offset + n)
    ):
        status = OfficerStatus.SUSPENDED if i % 7 == 3 else OfficerStatus.CERTIFIED
        officer = OfficerFactory(
            agency=agency,
            status=status,
            certified_on=certified_on,
            card_last_login_on=login,
            card_deactivated_on=dt.date(2018, 2, 20) if i % 11 == 5 else None,
        )
        if recert == 1:
            recertify(officer, dt.date(2017, 11, 1))  # this fiscal year, complete
        elif recert == 2:
            recertify(officer, dt.date(2017, 3, 1))  # last fiscal year only
            recertify(officer, dt.date(2017, 12, 1), codes[:1])  # this year begun
        elif recert == 3:
            recertify(officer, dt.date(2016, 12, 1), codes[1:])  # last year but one course
        if i % 5 == 2:
            Completion.objects.create(officer=officer, course=course("IADRP"), completed_on=dt.date(2016, 3, 2))
        officers.append(officer)
    return officers


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_the_set_based_conditions_agree_with_each_rows_reading(world, frozen):
    population(world, 60)
    Agreement.objects.filter(pk=world["agreements"]["houston_other"].pk).delete()
    standing = list(Officer.objects.with_standing(TODAY))
    qs = Officer.objects.with_standing(TODAY)
    assert ids(qs.filter(Officer.objects.able_to_act_q(TODAY))) == {o.pk for o in standing if o.can_act()}
    assert ids(qs.exclude(Officer.objects.able_to_act_q(TODAY))) == {o.pk for o in standing if not o.can_act()}
    assert ids(qs.filter(Officer.objects.recertified_q(TODAY))) == {
        o.pk
        for o in standing
        if o.status == OfficerStatus.CERTIFIED and o.recertification_status() == RecertificationStatus.COMPLETE
    }
    assert ids(qs.filter(Officer.objects.recertification_missed_q(TODAY))) == {
        o.pk
        for o in standing
        if o.status == OfficerStatus.CERTIFIED and o.recertification_status() == RecertificationStatus.OVERDUE
    }
    due = {o.pk for o in standing if o.status == OfficerStatus.CERTIFIED and o.refresher_due_on() <= TODAY}
    assert ids(Officer.objects.refresher_due(TODAY)) == due
    # every case is present on both sides, so the comparisons above test something
    assert 0 < len(due) < len(standing)
    assert {o.can_act() for o in standing} == {True, False}
    assert {o.recertification_status() for o in standing} >= {"complete", "overdue", "in_progress"}


@pytest.mark.parametrize(
    "query", ["", "can_act=true", "can_act=false", "refresher_due=true", "recertified=false", "card_state=lapsed"]
)
def test_the_officer_list_runs_the_same_statements_at_two_sizes_of_data(world, people, api, client, frozen, query):
    population(world, 12)  # every filter returns some of them (an empty page runs no select)
    user = people["chief"]
    client.force_login(user)
    api_client = api(user)
    api_client.get("/api/v1/officers/?page_size=1")
    client.get("/officers/")

    def statements():
        with CaptureQueriesContext(connection) as on_api:
            assert api_client.get(f"/api/v1/officers/?page_size=100&{query}").status_code == 200
        with CaptureQueriesContext(connection) as on_page:
            assert client.get(f"/officers/?{query}").status_code == 200
        return len(on_api.captured_queries), len(on_page.captured_queries)

    small = statements()
    population(world, 60, offset=12)
    assert Officer.objects.count() == 72
    assert statements() == small


def test_the_officer_list_reads_the_training_settings_once_not_per_row(world, people, api, frozen, monkeypatch):
    """Each row's card state and refresher date use the grace periods ``with_standing``
    read once for the queryset; before, every row read two or three settings through the
    cache (Redis in production: hundreds of round trips for a page of 50 officers)."""
    from training import conf

    reads = []
    editable_values = conf.editable_values
    monkeypatch.setattr(conf, "editable_values", lambda: reads.append(1) or editable_values())
    population(world, 4)
    client = api(people["chief"])

    def settings_read(page_size):
        reads.clear()
        response = client.get(f"/api/v1/officers/?page_size={page_size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == page_size
        return len(reads)

    small = settings_read(1)
    population(world, 30, offset=4)
    assert settings_read(30) == small


def test_the_officer_list_shows_the_unit_chiefs_grace_periods_at_once(world, people, api, frozen):
    """The grace periods ``with_standing`` carries are the Unit Chief's current values."""
    from training.models import TrainingSettings

    officer = OfficerFactory(
        agency=world["mine"],
        status=OfficerStatus.CERTIFIED,
        certified_on=dt.date(2016, 1, 4),
        card_last_login_on=TODAY - dt.timedelta(days=12),
    )
    client = api(people["chief"])

    def card_state():
        return client.get(f"/api/v1/officers/{officer.pk}/").json()["card_state"]

    assert card_state() == "active"  # 12 days: under the default warning of 25
    settings = TrainingSettings.current()
    settings.card_warning_days, settings.card_lapsed_after_days = 10, 20
    settings.save()
    assert card_state() == "warning"
    settings.card_warning_days, settings.card_lapsed_after_days = 5, 11
    settings.save()
    assert card_state() == "lapsed"
    assert Officer.objects.with_standing(TODAY).get(pk=officer.pk).card_state() == "lapsed"
