"""The manager page: one program manager's records, who sees it, and the forms that record
absences, other duties and reporting lines through the services."""

import datetime as dt

import pytest

from staffing.models import Absence, OtherDuty, ReportingLine, StaffingModel
from staffing.selectors import coverage, is_above
from staffing.tests.factories import AbsenceFactory, OtherDutyFactory, ReportingLineFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def url(user, suffix=""):
    return f"/staffing/managers/{user.pk}/{suffix}"


def absence_data(**over):
    data = {
        "absence-kind": "leave",
        "absence-starts_on": "2018-03-20",
        "absence-ends_on": "2018-03-21",
        "absence-note": "Annual leave",
    }
    data.update(over)
    return data


@pytest.mark.parametrize(
    "who, whom, status",
    [
        ("chief", "pm", 200),
        ("analyst", "pm_miami", 200),
        ("fod", "pm", 200),
        ("fod", "pm_other", 200),
        ("pm", "pm", 200),
        ("fod_miami", "pm", 404),
        ("pm", "pm_other", 404),
        ("pm_miami", "pm", 404),
        ("ocio", "pm", 404),
        ("norole", "pm", 404),
        ("chief", "fod", 404),
    ],
)
def test_who_sees_a_manager_page(client, people, world, who, whom, status):
    client.force_login(people[who])
    assert client.get(url(people[whom])).status_code == status


def test_page_shows_the_managers_records_and_history(client, people, world):
    ReportingLineFactory(
        manager=people["pm"],
        kind="program",
        supervisor=people["npm"],
        starts_on=dt.date(2016, 1, 1),
        ends_on=dt.date(2016, 12, 31),
    )
    ReportingLineFactory(manager=people["pm"], kind="program", supervisor=people["chief"])
    OtherDutyFactory(manager=people["pm"], share_percent=25, description="Detained docket")
    AbsenceFactory(manager=people["pm"], starts_on=dt.date(2018, 4, 2), ends_on=dt.date(2018, 4, 6))
    AbsenceFactory(manager=people["pm"], kind="training", starts_on=dt.date(2018, 1, 8), ends_on=dt.date(2018, 1, 9))
    client.force_login(people["chief"])
    page = client.get(url(people["pm"]))
    ctx = page.context
    assert [a.agency.name for a in ctx["current_assignments"]] == ["Harris County Sheriff's Office"]
    assert [a.agency.name for a in ctx["past_assignments"]] == ["Collier County Sheriff's Office"]
    assert [(r["line"].supervisor.username, r["current"]) for r in ctx["lines"]] == [("chief", True), ("npm", False)]
    assert ctx["missing"] == ["Administrative (Field Office Director)"]
    assert [a.starts_on for a in ctx["upcoming_absences"]] == [dt.date(2018, 4, 2)]
    assert [a.starts_on for a in ctx["past_absences"]] == [dt.date(2018, 1, 8)]
    assert ctx["load"].other_duty_percent == 25 and ctx["load"].agencies == 1
    html = page.content.decode()
    assert "Detained docket" in html and "25%" in html and "History of changes" in html
    # HQ writers get all four forms; the organisation page links here.
    for form in ("absence_form", "duty_form", "program_form", "administrative_form"):
        assert form in ctx
    assert url(people["pm"]) in client.get("/staffing/organisation/").content.decode()
    assert url(people["pm"]) in client.get("/staffing/load/").content.decode()


def test_forms_follow_the_role(client, people, world):
    client.force_login(people["fod"])
    ctx = client.get(url(people["pm"])).context
    assert "absence_form" in ctx and "duty_form" in ctx and "program_form" not in ctx
    for who in ("pm", "analyst"):
        client.force_login(people[who])
        ctx = client.get(url(people["pm"])).context
        assert not any(name in ctx for name in ("absence_form", "duty_form", "program_form", "administrative_form"))


def test_director_records_an_absence_and_coverage_shows_the_gap(client, people, world):
    client.force_login(people["fod"])
    response = client.post(url(people["pm_other"], "absences/"), absence_data())
    assert response.status_code == 302 and response.url == url(people["pm_other"])
    absence = Absence.objects.get(manager=people["pm_other"])
    assert (absence.kind, absence.starts_on, absence.ends_on) == ("leave", dt.date(2018, 3, 20), dt.date(2018, 3, 21))
    assert absence.history.first().history_user == people["fod"]
    page = client.get(response.url)
    assert "Leave recorded from 03/20/2018 to 03/21/2018." in page.content.decode()
    # pm_other is Galveston's only manager: nobody can sign there on those two days.
    days = coverage([world["houston_other"].pk], dt.date(2018, 3, 20), dt.date(2018, 3, 21))
    assert all(not d["signers"] for d in days["agencies"][world["houston_other"].pk].values())
    calendar = client.get("/staffing/coverage/", {"month": "2018-03"})
    assert [d["day"].day for d in calendar.context["table_rows"] if d["gaps"]] == [20, 21]


def test_absence_errors_rerender_with_400(client, people, world):
    AbsenceFactory(manager=people["pm"], starts_on=dt.date(2018, 3, 19), ends_on=dt.date(2018, 3, 20))
    client.force_login(people["fod"])
    response = client.post(url(people["pm"], "absences/"), absence_data())
    assert response.status_code == 400
    html = response.content.decode()
    assert "The manager already has an absence on some of these dates." in html
    assert 'id="id_absence-starts_on-error"' in html and 'aria-describedby="id_absence-starts_on-error"' in html
    response = client.post(
        url(people["pm"], "absences/"),
        absence_data(**{"absence-ends_on": "2018-03-01", "absence-starts_on": "2018-04-01"}),
    )
    assert response.status_code == 400 and "An absence cannot end before it starts." in response.content.decode()
    assert Absence.objects.filter(manager=people["pm"]).count() == 1


def test_posts_outside_scope_404_and_without_right_403(client, people, world):
    client.force_login(people["fod_miami"])
    assert client.post(url(people["pm"], "absences/"), absence_data()).status_code == 404
    for who in ("pm", "analyst"):
        client.force_login(people[who])
        assert client.post(url(people["pm"], "absences/"), absence_data()).status_code == 403
        assert client.post(url(people["pm"], "other-duties/"), {}).status_code == 403
        assert client.post(url(people["pm"], "reporting-lines/program/"), {}).status_code == 403
    client.force_login(people["fod"])
    assert client.post(url(people["pm"], "reporting-lines/program/"), {}).status_code == 403
    assert not Absence.objects.exists()


def test_other_duty_cap_error_shows(client, people, world):
    OtherDutyFactory(manager=people["pm"], share_percent=70)
    client.force_login(people["fod"])
    data = {"duty-share_percent": 40, "duty-description": "Task force", "duty-starts_on": "2018-04-01"}
    response = client.post(url(people["pm"], "other-duties/"), data)
    assert response.status_code == 400
    assert (
        "Other duties overlapping these dates would take 110% of the manager&#x27;s time." in response.content.decode()
    )
    data["duty-share_percent"] = 30
    response = client.post(url(people["pm"], "other-duties/"), data)
    assert response.status_code == 302
    assert sorted(OtherDuty.objects.filter(manager=people["pm"]).values_list("share_percent", flat=True)) == [30, 70]


def test_hq_sets_a_reporting_line_and_the_organisation_stops_flagging(client, people, world):
    ReportingLineFactory(manager=people["pm"], kind="program", supervisor=people["npm"])
    client.force_login(people["chief"])
    rows = {r["profile"].user_id: r for r in client.get("/staffing/organisation/").context["table_rows"]}
    assert rows[people["pm"].pk]["missing"]
    assert not is_above(people["fod_miami"], people["pm"])
    # The administrative line offers Field Office Directors only.
    form = client.get(url(people["pm"])).context["administrative_form"]
    assert set(form.fields["supervisor"].queryset) == {people["fod"], people["fod_miami"]}
    data = {"administrative-supervisor": people["npm"].pk, "administrative-starts_on": "2018-03-01"}
    assert client.post(url(people["pm"], "reporting-lines/administrative/"), data).status_code == 400
    data["administrative-supervisor"] = people["fod_miami"].pk
    response = client.post(url(people["pm"], "reporting-lines/administrative/"), data)
    assert response.status_code == 302
    rows = {r["profile"].user_id: r for r in client.get("/staffing/organisation/").context["table_rows"]}
    assert rows[people["pm"].pk]["missing"] == []
    assert is_above(people["fod_miami"], people["pm"])
    # A new program line ends the previous one the day before.
    data = {"program-supervisor": people["chief"].pk, "program-starts_on": "2018-03-10"}
    assert client.post(url(people["pm"], "reporting-lines/program/"), data).status_code == 302
    lines = ReportingLine.objects.filter(manager=people["pm"], kind="program").order_by("starts_on")
    assert [(l.supervisor.username, l.ends_on) for l in lines] == [("npm", dt.date(2018, 3, 9)), ("chief", None)]
    assert lines[1].history.first().history_user == people["chief"]
    assert client.post(url(people["pm"], "reporting-lines/sideways/"), data).status_code == 404


def test_end_or_cancel_an_absence(client, people, world):
    upcoming = AbsenceFactory(manager=people["pm"], starts_on=dt.date(2018, 4, 2), ends_on=dt.date(2018, 4, 6))
    running = AbsenceFactory(manager=people["pm"], starts_on=dt.date(2018, 3, 12), ends_on=dt.date(2018, 3, 23))
    past = AbsenceFactory(manager=people["pm"], starts_on=dt.date(2018, 1, 2), ends_on=dt.date(2018, 1, 3))
    client.force_login(people["pm"])
    assert client.post(url(people["pm"], f"absences/{upcoming.pk}/end/")).status_code == 403
    client.force_login(people["fod_miami"])
    assert client.post(url(people["pm"], f"absences/{upcoming.pk}/end/")).status_code == 404
    client.force_login(people["fod"])
    assert client.post(url(people["pm"], f"absences/{upcoming.pk}/end/")).status_code == 302
    assert not Absence.objects.filter(pk=upcoming.pk).exists()
    assert client.post(url(people["pm"], f"absences/{running.pk}/end/")).status_code == 302
    running.refresh_from_db()
    assert running.ends_on == dt.date(2018, 3, 15)
    client.post(url(people["pm"], f"absences/{past.pk}/end/"))
    past.refresh_from_db()
    assert past.ends_on == dt.date(2018, 1, 3)
    history = client.get(url(people["pm"])).context["history"]
    assert any(e.kind == "Deleted" and e.reason == "Cancelled before it began" and e.who for e in history)
    # Another manager's absence cannot be reached through this manager's page.
    other = AbsenceFactory(manager=people["pm_other"], starts_on=dt.date(2018, 4, 2), ends_on=dt.date(2018, 4, 3))
    assert client.post(url(people["pm"], f"absences/{other.pk}/end/")).status_code == 404


def test_manager_page_queries_do_not_grow_with_the_records(client, people, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(people["pm"])).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(people["chief"])
    StaffingModel.current()  # the model's single row exists once the Unit Chief has set it
    from training import conf

    conf.editable_values()  # the grace periods are read once, then cached (training.conf)
    AbsenceFactory(manager=people["pm"], starts_on=dt.date(2017, 12, 1), ends_on=dt.date(2017, 12, 1))
    ReportingLineFactory(manager=people["pm"], kind="program", supervisor=people["npm"], starts_on=dt.date(2016, 1, 1))
    queries()  # the first request of a session fills caches (content types, the sweep banner)
    few = queries()
    for i in range(5):
        AbsenceFactory(manager=people["pm"], starts_on=dt.date(2018, 1, 1 + 2 * i), ends_on=dt.date(2018, 1, 1 + 2 * i))
        OtherDutyFactory(manager=people["pm"], share_percent=5, starts_on=dt.date(2017, 1, 1 + i))
    client.post(
        url(people["pm"], "reporting-lines/program/"),
        {"program-supervisor": people["chief"].pk, "program-starts_on": "2018-03-01"},
    )
    client.get(url(people["pm"]))  # shows (and clears) the message the form left
    # The header (inbox count, sweep banner) and the page read a fixed number of queries.
    assert queries() == few <= 40
