"""The training rules exact to the day (issue 12): each boundary on both of its sides, the
one definition of "refresher due", roster imports under the transition rules, the capacity
plan with classes already scheduled, and a Warrant Service agency's officers."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from agreements.choices import AgreementStatus
from agreements.models import Agreement
from agreements.tests.factories import AgencyFactory, AgreementFactory
from portal.compliance.models import Finding
from portal.compliance.sweep import sweep_run
from staffing.tests.factories import AssignmentFactory
from training import services
from training.capacity import capacity_plan
from training.filtersets import OfficerFilterSet
from training.importers import import_roster
from training.models import Officer, refresher_cutoff, refresher_due_date

from .factories import OfficerFactory, charleston, course

pytestmark = pytest.mark.django_db


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(15, tzinfo=dt.UTC)), tick=False)


# --- no basic class on any day of Q1 ------------------------------------------------------


def test_a_basic_class_that_ends_on_30_september_is_accepted_one_that_runs_into_october_is_not(people):
    charleston()
    with at(dt.date(2018, 6, 1)):
        accepted = services.class_schedule(
            course=course("IADP"), starts_on=dt.date(2018, 9, 3), acting_user=people["chief"]
        )
        assert (accepted.ends_on, accepted.q1_override_reason) == (dt.date(2018, 9, 30), "")
        with pytest.raises(ValidationError) as refused:
            services.class_schedule(course=course("IADP"), starts_on=dt.date(2018, 9, 4), acting_user=people["chief"])
        assert "from 09/04/2018 to 10/01/2018" in str(refused.value)
        # a class that starts on 31 December still runs in Q1; one that starts on 1 January does not
        with pytest.raises(ValidationError):
            services.class_schedule(course=course("IADP"), starts_on=dt.date(2018, 12, 31), acting_user=people["chief"])
        january = services.class_schedule(
            course=course("IADP"), starts_on=dt.date(2019, 1, 1), acting_user=people["chief"]
        )
        assert january.q1_override_reason == ""


def test_hq_overrides_the_q1_rule_with_a_reason_that_is_recorded(people):
    from django.core.exceptions import PermissionDenied

    charleston()
    with at(dt.date(2018, 6, 1)):
        with pytest.raises(PermissionDenied):
            services.class_schedule(
                course=course("IADP"),
                starts_on=dt.date(2018, 9, 20),
                acting_user=people["pm"],
                q1_override_reason="Backlog",
            )
        c = services.class_schedule(
            course=course("IADP"),
            starts_on=dt.date(2018, 9, 20),
            acting_user=people["chief"],
            q1_override_reason="Forty new officers waiting since the summer",
        )
    assert (c.q1_override_reason, c.q1_override_by) == ("Forty new officers waiting since the summer", people["chief"])
    assert "Q1 override: Forty new officers" in c.history.first().history_change_reason
    # a refresher class may run in Q1
    with at(dt.date(2018, 6, 1)):
        assert services.class_schedule(
            course=course("IADRP"), starts_on=dt.date(2018, 10, 8), acting_user=people["chief"]
        )


# --- one definition of "refresher due" ----------------------------------------------------------


@pytest.mark.parametrize(
    "last, due",
    [
        (dt.date(2016, 1, 31), dt.date(2018, 1, 31)),  # a month end the old filter (day <= 28) missed
        (dt.date(2016, 2, 29), dt.date(2018, 2, 28)),  # 29 February falls due on 28 February
        (dt.date(2016, 3, 1), dt.date(2018, 3, 1)),
        (dt.date(2015, 12, 31), dt.date(2017, 12, 31)),
    ],
)
def test_refresher_due_date_and_cutoff_agree_on_both_sides_of_every_boundary(last, due):
    assert refresher_due_date(last) == due
    assert last <= refresher_cutoff(due)
    assert not last <= refresher_cutoff(due - dt.timedelta(days=1))


def _due_everywhere(api, people, day):
    """The officer numbers the list filter, the API filter and the sweep's rule call due on ``day``."""
    with at(day):
        page = OfficerFilterSet({"refresher_due": "true"}, queryset=Officer.objects.with_standing(day))
        by_filter = {o.officer_number for o in page.qs}
        rows = api(people["chief"]).get("/api/v1/officers/", {"refresher_due": "true"}).json()["results"]
        by_api = {r["officer_number"] for r in rows}
        sweep_run(notify=False, rule_codes=["training.refresher_overdue"])
    by_rule = set(
        Officer.objects.filter(
            pk__in=Finding.objects.open().filter(rule="training.refresher_overdue").values("subject_id")
        ).values_list("officer_number", flat=True)
    )
    return by_filter, by_api, by_rule


@pytest.mark.parametrize(
    "certified_on, due",
    [
        (dt.date(2016, 1, 31), dt.date(2018, 1, 31)),
        (dt.date(2016, 2, 29), dt.date(2018, 2, 28)),
    ],
)
def test_list_filter_api_and_rule_call_the_same_officers_due_on_both_sides_of_the_due_date(
    api, world, people, certified_on, due
):
    OfficerFactory(
        agency=world["mine"],
        officer_number="DUE-1",
        certified_on=certified_on,
        card_last_login_on=due - dt.timedelta(days=2),
    )
    assert _due_everywhere(api, people, due - dt.timedelta(days=1)) == (set(), set(), set())
    assert _due_everywhere(api, people, due) == ({"DUE-1"}, {"DUE-1"}, {"DUE-1"})
    with at(due):
        row = api(people["chief"]).get("/api/v1/officers/", {"refresher_due": "true"}).json()["results"][0]
    assert row["refresher_due_on"] == due.isoformat()


# --- roster imports follow the transition rules --------------------------------------------


def _row(number, agency, status, certified_on="2016-01-01"):
    return {
        "officer_number": number,
        "agency": str(agency.pk),
        "last_name": "Ortiz",
        "first_name": "Ana",
        "email": f"{number.lower()}@hcso.example.gov",
        "status": status,
        "certified_on": certified_on,
    }


def test_a_roster_row_the_transition_rules_refuse_is_a_rejected_row_with_its_number(world, people):
    mine = world["mine"]
    certified = OfficerFactory(
        agency=mine,
        officer_number="HC-1",
        last_name="Ortiz",
        first_name="Ana",
        email="hc-1@hcso.example.gov",
        certified_on=dt.date(2016, 1, 1),
    )
    suspended = OfficerFactory(
        agency=mine,
        officer_number="HC-2",
        last_name="Ortiz",
        first_name="Ana",
        email="hc-2@hcso.example.gov",
        certified_on=dt.date(2016, 1, 1),
        status="suspended",
        suspended_on=dt.date(2018, 1, 2),
        suspension_cause="other",
    )
    revocable = OfficerFactory(
        agency=mine,
        officer_number="HC-3",
        last_name="Ortiz",
        first_name="Ana",
        email="hc-3@hcso.example.gov",
        certified_on=dt.date(2016, 1, 1),
    )
    rows = list(
        enumerate(
            [_row("HC-1", mine, "nominated"), _row("HC-2", mine, "certified"), _row("HC-3", mine, "revoked")], start=2
        )
    )
    with at(dt.date(2018, 3, 1)):
        report = import_roster(rows, acting_user=people["pm"])
    # certified -> nominated is no transition; a field PM may not revoke: rows 2 and 4 rejected, nothing written
    assert [e["row"] for e in report.errors] == [2, 4]
    assert "cannot be moved to “Nominated”" in report.errors[0]["message"]
    assert "only the Unit Chief or a National Program Manager revokes" in report.errors[1]["message"]
    assert not report.applied
    assert Officer.objects.get(pk=certified.pk).status == "certified"
    # with the valid rows applied, the reinstatement goes through as a transition
    with at(dt.date(2018, 3, 1)):
        report = import_roster(rows, acting_user=people["pm"], apply_valid=True)
    assert report.updated == 1 and [e["row"] for e in report.errors] == [2, 4]
    suspended.refresh_from_db()
    assert (suspended.status, suspended.suspended_on, suspended.suspension_cause) == ("certified", None, "")
    assert suspended.events.first().verb == "reinstate"
    assert Officer.objects.get(pk=certified.pk).status == "certified"
    assert Officer.objects.get(pk=revocable.pk).status == "certified"
    # HQ may revoke by roster: the event says so
    with at(dt.date(2018, 3, 1)):
        hq = import_roster([(2, _row("HC-3", mine, "revoked"))], acting_user=people["chief"])
    revocable.refresh_from_db()
    assert hq.updated == 1 and (revocable.status, revocable.revoked_on) == ("revoked", dt.date(2018, 3, 1))
    assert revocable.events.first().verb == "revoke"


# --- the capacity plan with classes already scheduled ----------------------------------------


def test_capacity_plan_subtracts_the_seats_of_scheduled_classes_per_quarter(world, people):
    for _ in range(10):
        AgreementFactory(status=AgreementStatus.UNDER_REVIEW, signed_on=None)
    for _ in range(30):  # trained in FY2017: refresher due in FY2019
        OfficerFactory(agency=world["mine"], certified_on=dt.date(2017, 3, 1))
    charleston()
    with at(dt.date(2018, 6, 1)):
        services.class_schedule(
            course=course("IADP"), starts_on=dt.date(2019, 2, 4), acting_user=people["chief"], capacity=24
        )
        services.class_schedule(
            course=course("IADRP"), starts_on=dt.date(2019, 4, 8), acting_user=people["chief"], capacity=20
        )
        plan = capacity_plan(2019)
    # 10 pending agreements x 30 officers per agreement (history) = 300 new officers; 30 refreshers
    assert (plan.expected_new_officers, plan.refreshers_due) == (300, 30)
    assert (plan.basic_seats_scheduled, plan.refresher_seats_scheduled) == (24, 20)
    assert (plan.basic_seats_to_schedule, plan.refresher_seats_to_schedule) == (276, 10)
    assert (plan.basic_classes_needed, plan.refresher_classes_needed) == (12, 1)  # ceil(276 / 24), ceil(10 / 24)
    by_quarter = [
        (q.basic_seats_scheduled, q.refresher_seats_scheduled, q.basic_seats_to_schedule, q.refresher_seats_to_schedule)
        for q in plan.quarters
    ]
    assert by_quarter == [(0, 0, 300, 30), (24, 0, 276, 30), (0, 20, 276, 10), (0, 0, 276, 10)]
    assert ["Basic seats still to schedule", 276] in plan.rows()


def test_capacity_page_says_how_many_seats_remain_to_schedule(client, world, people):
    charleston()
    OfficerFactory(agency=world["mine"], certified_on=dt.date(2017, 3, 1))
    with at(dt.date(2018, 6, 1)):
        services.class_schedule(
            course=course("IADRP"), starts_on=dt.date(2019, 4, 8), acting_user=people["chief"], capacity=20
        )
        client.force_login(people["chief"])
        page = client.get("/training/capacity/", {"fy": 2019}).content.decode()
    assert "Seats still to schedule" in page and "0 refresher" in page
    assert "Seats already scheduled" in page and "20 refresher" in page


# --- a Warrant Service agency: no installation needed ----------------------------------------


def test_a_warrant_service_agency_page_shows_no_installation_and_its_officers_can_act(client, world, people):
    agency = AgencyFactory(name="Brevard County Sheriff's Office", state="FL", county="Brevard")
    AgreementFactory(agency=agency, program_model="wso", signed_on=dt.date(2017, 6, 1))
    AssignmentFactory(agency=agency, program_manager=people["pm_miami"])
    able = OfficerFactory(agency=agency, certified_on=dt.date(2017, 8, 1), card_last_login_on=dt.date(2018, 3, 10))
    lapsed = OfficerFactory(agency=agency, certified_on=dt.date(2017, 8, 1), card_last_login_on=dt.date(2018, 1, 10))
    with at(dt.date(2018, 3, 15)):
        client.force_login(people["pm_miami"])
        page = client.get(agency.get_absolute_url()).content.decode()
        sweep_run(notify=False, rule_codes=["itdeploy.signed_without_installation", "training.card_lapsed"])
        standing = {o.pk: o for o in Officer.objects.with_standing(dt.date(2018, 3, 15)).filter(agency=agency)}
    assert 'id="installation-heading"' not in page and "Site equipment" not in page and "cannot log in" not in page
    assert "1 of 2 officers can act today" in page
    assert standing[able.pk].can_act()
    reasons = " ".join(standing[lapsed.pk].reasons_cannot_act())
    assert "security card has lapsed" in reasons and "equipment" not in reasons
    assert not Finding.objects.filter(rule="itdeploy.signed_without_installation", subject_id=agency.pk).exists()
    card = Finding.objects.get(rule="training.card_lapsed", subject_id=lapsed.pk)
    assert "equipment" not in card.detail


def test_a_jail_enforcement_officers_lapsed_card_names_the_missing_equipment(world, people):
    Agreement.objects.filter(pk=world["agreements"]["mine"].pk).update(program_model="jem")
    lapsed = OfficerFactory(
        agency=world["mine"], certified_on=dt.date(2017, 8, 1), card_last_login_on=dt.date(2018, 1, 10)
    )
    with at(dt.date(2018, 3, 15)):
        sweep_run(notify=False, rule_codes=["training.card_lapsed"])
        standing = Officer.objects.with_standing(dt.date(2018, 3, 15)).get(pk=lapsed.pk)
    reasons = " ".join(standing.reasons_cannot_act())
    assert "needs the site's equipment, which is not operational" in reasons and "security card has lapsed" in reasons
    assert "no working equipment yet" in Finding.objects.get(rule="training.card_lapsed", subject_id=lapsed.pk).detail
