"""The onboarding queue of the agencies an edition adds, its grace period in the sweep
(frozen time), the program's timeline, and the edition pages and API."""

import datetime as dt

import pytest
import time_machine

from agreements import services
from agreements.models import Agency, Agreement, EditionChange, IceImport, OnboardingEntry
from portal.compliance.models import Finding

HEADER = "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA,ADDENDUM\n"
AUGUST = (
    HEADER + "TEXAS,Hays County Sheriff's Office,County,Hays County,Task Force Model,2025-07-20,,\n"
    "TEXAS,Nowhere Police Department,Municipality,Nowhere County,Task Force Model,2025-07-21,,\n"
)


def _load(content, name, user):
    edition = services.ice_import_preview(content=content.encode(), file_name=name, acting_user=user)
    return services.ice_import_apply(ice_import=edition, acting_user=user)


def _open(rule, **filters):
    return Finding.objects.filter(rule=rule, status__in=("open", "acknowledged"), **filters)


@pytest.mark.django_db
def test_within_the_grace_period_the_queue_reports_one_finding_per_edition_then_the_usual_findings(offices, people):
    from portal.compliance.sweep import sweep_run

    with time_machine.travel(dt.datetime(2025, 8, 5, 14, tzinfo=dt.UTC), tick=False):
        edition = _load(AUGUST, "participatingAgencies08012025am.csv", people["chief"])
        agencies = set(Agency.objects.values_list("pk", flat=True))
        assert set(OnboardingEntry.objects.values_list("agency_id", flat=True)) == agencies
        assert {e.entered_on for e in OnboardingEntry.objects.all()} == {dt.date(2025, 8, 1)}
        # within the 30 days: no per-agency "onboarding not finished" findings, one for the edition
        sweep_run(notify=False)
        for rule in (
            "agreements.no_primary_manager",
            "staffing.workload_report_missing",
            "staffing.primary_without_backup",
        ):
            assert not _open(rule).exists(), rule
        queue = _open("agreements.onboarding_unfinished").get()
        assert queue.subject_id == edition.pk and "2 agencies" in queue.detail
        assert "grace period until 08/31/2025" in queue.detail
    with time_machine.travel(dt.datetime(2025, 8, 31, 14, tzinfo=dt.UTC), tick=False):
        sweep_run(notify=False)
        assert _open("agreements.onboarding_unfinished").exists()  # the last day of grace
    # after the grace period, the usual findings for each agency
    with time_machine.travel(dt.datetime(2025, 9, 1, 14, tzinfo=dt.UTC), tick=False):
        sweep_run(notify=False)
        assert set(_open("agreements.no_primary_manager").values_list("agency_id", flat=True)) == agencies
        assert set(_open("staffing.workload_report_missing").values_list("agency_id", flat=True)) == agencies
        assert not _open("agreements.onboarding_unfinished").exists()


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 8, 5, 14, tzinfo=dt.UTC), tick=False)
def test_bulk_onboarding_assigns_managers_confirms_offices_and_closes_the_entries(offices, people):
    from staffing.models import Assignment

    _load(AUGUST, "participatingAgencies08012025am.csv", people["chief"])
    entries = list(OnboardingEntry.objects.all())
    nowhere = Agency.objects.get(name__startswith="Nowhere")
    assert not nowhere.field_office_confirmed  # a Texas county the table does not know
    # bad input writes nothing
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.onboarding_update(
            entries=entries,
            acting_user=people["chief"],
            primary=people["pm"],
            backup=people["pm"],
            starts_on=dt.date(2025, 8, 5),
        )
    assert not Assignment.objects.exists()
    done = services.onboarding_update(
        entries=entries,
        acting_user=people["chief"],
        confirm_office=True,
        primary=people["pm"],
        backup=people["pm_other"],
        starts_on=dt.date(2025, 8, 5),
        installation_decision="not_needed",
    )
    assert done == {"offices": 1, "assignments": 4, "decisions": 2, "completed": 2}
    assert Assignment.objects.filter(kind="primary", program_manager=people["pm"]).count() == 2
    assert Assignment.history.filter(history_user=people["chief"]).count() == 4
    nowhere.refresh_from_db()
    assert nowhere.field_office_confirmed
    assert all(e.completed_on == dt.date(2025, 8, 5) for e in OnboardingEntry.objects.all())
    assert OnboardingEntry.history.filter(history_change_reason="Onboarding finished").count() == 2


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 8, 5, 14, tzinfo=dt.UTC), tick=False)
def test_the_timeline_counts_agreements_in_force_signed_and_left_per_month(offices, people, client):
    from agreements.selectors import program_timeline

    chief = people["chief"]
    pending = "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,MOA\n"
    _load(pending + "TEXAS,Agency B,County,Hays County,Task Force Model,\n", "pendingAgencies04282025pm.csv", chief)
    _load(
        HEADER + "TEXAS,Agency A,County,Hays County,Jail Enforcement Model,2025-05-10,,\n"
        "TEXAS,Agency C,County,Kerr County,Warrant Service Officer,2025-05-20,,\n",
        "participatingAgencies05302025am.csv",
        chief,
    )
    _load(
        HEADER + "TEXAS,Agency A,County,Hays County,Jail Enforcement Model,2025-05-10,,\n"
        "TEXAS,Agency B,County,Hays County,Task Force Model,2025-06-02,,\n"
        "TEXAS,Agency C,County,Kerr County,Warrant Service Officer,2025-05-20,,\n",
        "participatingAgencies06042025am.csv",
        chief,
    )
    # Agency C leaves ICE's list on 1 July
    _load(
        HEADER + "TEXAS,Agency A,County,Hays County,Jail Enforcement Model,2025-05-10,,\n"
        "TEXAS,Agency B,County,Hays County,Task Force Model,2025-06-02,,\n",
        "participatingAgencies07012025am.csv",
        chief,
    )
    timeline = program_timeline(today=dt.date(2025, 8, 5))
    months = {m["month"]: m for m in timeline["months"]}
    assert list(months) == ["2025-05", "2025-06", "2025-07", "2025-08"]
    assert months["2025-05"]["in_force_total"] == 2 and months["2025-05"]["signed_total"] == 2
    assert months["2025-06"]["in_force"] == {"jem": 1, "tfm": 1, "wso": 1}
    assert months["2025-07"]["in_force_total"] == 2 and months["2025-07"]["left"] == 1
    # Agency B: first pending on 28 April, signed on 2 June
    assert timeline["wait"] == {"count": 1, "median": 35, "p90": 35, "max": 35}
    # HQ's assumption: 6 officers per JEM, 4 per TFM; 12 officers per program manager
    assert months["2025-08"]["pms_required"] == round(10 / 12, 1)
    assert timeline["left"][0]["agency"] == "Agency C" and timeline["left_count"] == 1
    assert program_timeline(today=dt.date(2025, 8, 5), program_model="jem")["months"][-1]["in_force_total"] == 1
    assert program_timeline(today=dt.date(2025, 8, 5), state="FL")["months"][-1]["in_force_total"] == 0
    # the page: HQ only, a chart fed from static JavaScript, no inline script
    client.force_login(people["analyst"])
    page = client.get("/agreements/timeline/?state=TX")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="timeline-table"' in html and "agreements/timeline.js" in html
    import re

    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "style=" not in html.split("<main", 1)[-1]
    assert client.get("/agreements/timeline/?state=ZZ").status_code == 400
    client.force_login(people["pm"])
    assert client.get("/agreements/timeline/").status_code == 403


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 9, 5, 14, tzinfo=dt.UTC), tick=False)
def test_edition_api_and_page_show_the_change_list_in_scope(offices, people, api, client):
    _load(AUGUST, "participatingAgencies08012025am.csv", people["chief"])
    september = _load(
        HEADER + "TEXAS,HAYS COUNTY SHERIFFS OFFICE,County,Hays County,Task Force Model,2025-07-22,,\n"
        "TEXAS,Kerr County Sheriff's Office,County,Kerr County,Task Force Model,2025-08-30,,\n",
        "participatingAgencies09012025am.csv",
        people["chief"],
    )
    kinds = sorted(EditionChange.objects.filter(edition=september).values_list("kind", "field"))
    assert kinds == [("changed", "name"), ("changed", "signed_on"), ("new", ""), ("removed", "")]
    url = f"/api/v1/ice-editions/{september.pk}/changes/"
    assert api().get("/api/v1/ice-editions/").status_code == 401
    assert api(people["pm"]).get(url).status_code == 404
    assert api(people["pm"]).get("/api/v1/ice-editions/").json()["results"] == []
    body = api(people["analyst"]).get("/api/v1/ice-editions/").json()
    assert [e["as_of"] for e in body["results"]] == ["2025-09-01", "2025-08-01"]
    assert body["results"][0]["previous"] == body["results"][1]["id"]
    changes = api(people["analyst"]).get(url, {"kind": "changed", "field": "signed_on"}).json()
    assert [(c["before"], c["after"]) for c in changes["results"]] == [("2025-07-20", "2025-07-22")]
    assert api(people["analyst"]).get(url, {"kind": "bogus"}).status_code == 400
    assert (
        api(people["chief"]).post("/api/v1/ice-editions/", {}).status_code == 403
    )  # read only: no "add" in the policy
    # the edition page: filters, export, the review of the changed date (an HQ writer accepts it)
    client.force_login(people["npm"])
    page = client.get(september.get_absolute_url(), {"kind": "removed"})
    assert page.status_code == 200 and "Nowhere Police Department" in page.content.decode()
    csv = b"".join(client.get(september.get_absolute_url(), {"export": "csv"}).streaming_content).decode()
    assert "Kerr County Sheriff's Office" in csv and "2025-07-22" in csv
    assert client.get(september.get_absolute_url(), {"export": "xlsx"})["Content-Type"].startswith("application/vnd")
    review = september.date_reviews.get()
    response = client.post(september.get_absolute_url(), {"choice": "accept_date", "review": review.pk})
    assert response.status_code == 302
    assert Agreement.objects.get(agency__name__startswith="Hays").signed_on == dt.date(2025, 7, 22)
    # a date correction without a reason is refused with the field's message, nothing written
    response = client.post(september.get_absolute_url(), {"choice": "as_of", "as_of": "2025-09-02", "reason": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = client.post(september.get_absolute_url(), {"choice": "as_of", "as_of": "2025-08-01", "reason": "x"})
    assert response.status_code == 400 and "latest signing date" in response.content.decode()
    assert IceImport.objects.get(pk=september.pk).as_of == dt.date(2025, 9, 1)
    client.force_login(people["analyst"])
    assert client.post(september.get_absolute_url(), {"choice": "as_of"}).status_code == 403


@pytest.mark.django_db
def test_pages_of_the_feed_open_for_hq_and_not_for_the_field(offices, people, client):
    for url in (
        "/agreements/ice-fetches/",
        "/agreements/ice-digest/",
        "/agreements/onboarding/",
        "/agreements/timeline/",
    ):
        client.force_login(people["analyst"])
        assert client.get(url).status_code == 200, url
        client.force_login(people["fod"])
        assert client.get(url).status_code == 403, url
    client.force_login(people["analyst"])
    assert client.post("/agreements/ice-digest/", {"subscribed": "on"}).status_code == 302
    assert people["analyst"].ice_digest.subscribed
    assert client.post("/agreements/onboarding/", {}).status_code == 403
