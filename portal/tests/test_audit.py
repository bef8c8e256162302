"""The audit trail: every write path journals actor, request id and values before and
after; refused attempts are journaled; the HQ audit page and API read the journal."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from rest_framework.test import APIClient

from agreements.models import Agency
from portal.audit import Channel
from portal.audit import context as audit_context
from portal.audit.bulk import baseline_history, bulk_update_with_history, delete_with_history, queryset_update
from portal.audit.models import AuditEvent
from portal.compliance.models import Finding
from portal.compliance.sweep import sweep_run

pytestmark = pytest.mark.django_db

RULES = ["staffing.primary_without_backup", "agreements.no_primary_manager"]


def events_on(obj, **filters):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk), **filters
    ).order_by("occurred_at", "pk")


def token_client(key, request_id=None):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", **({"HTTP_X_REQUEST_ID": request_id} if request_id else {}))
    return client


# --- request id ----------------------------------------------------------------------


def test_every_response_carries_a_request_id_and_a_well_formed_one_is_kept(client, world, people):
    assert len(client.get("/accounts/login/")["X-Request-ID"]) == 32
    kept = client.get("/accounts/login/", HTTP_X_REQUEST_ID="field-client-0001")
    assert kept["X-Request-ID"] == "field-client-0001"
    replaced = client.get("/accounts/login/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert replaced["X-Request-ID"] != "<script>alert(1)</script>" and len(replaced["X-Request-ID"]) == 32


# --- one test per write path -----------------------------------------------------------


def test_page_write_journals_actor_request_id_and_before_after(client, world, people):
    # given an open finding the Houston PM is responsible for
    sweep_run(notify=False, rule_codes=RULES)
    finding = Finding.objects.get(subject_id=world["houston_other"].pk)
    client.force_login(finding.responsible)
    # when they acknowledge it on its page
    response = client.post(
        f"/findings/{finding.pk}/", {"action": "acknowledge", "note": "On it"}, REMOTE_ADDR="10.1.2.3"
    )
    # then the journal names them, the request, the address and the status before and after
    event = events_on(finding, action="acknowledge").get()
    assert event.actor == finding.responsible and event.channel == Channel.PAGE
    assert event.request_id == response["X-Request-ID"] and event.address == "10.1.2.3"
    assert event.changes["status"] == ["open", "acknowledged"] and event.reason == "On it"
    assert event.agency_id == world["houston_other"].pk
    finding.refresh_from_db()
    assert finding.history.first().history_user == finding.responsible


def test_api_write_with_a_token_journals_the_token_and_the_callers_request_id(world, people, offices):
    from portal.services import token_create

    token = token_create(user=people["chief"], name="HQ client")
    response = token_client(token.plain_key, "hq-client-000042").patch(
        f"/api/v1/agencies/{world['mine'].pk}/", {"field_office": offices["SNA"].pk}, format="json"
    )
    assert response.status_code == 200 and response["X-Request-ID"] == "hq-client-000042"
    event = events_on(world["mine"], action="change").get()
    assert (event.actor, event.token_id, event.channel, event.request_id) == (
        people["chief"],
        token.pk,
        Channel.API,
        "hq-client-000042",
    )
    assert event.changes["field_office"] == [str(offices["HOU"].pk), str(offices["SNA"].pk)]
    # a forgotten stamp() no longer yields "System": the history's user comes from the context
    assert world["mine"].history.first().history_user == people["chief"]


@time_machine.travel(dt.datetime(2018, 3, 1, 17, 0, tzinfo=dt.UTC), tick=False)
def test_import_journals_created_and_changed_rows_with_values_before(world, people):
    from training.importers import import_card_logins
    from training.models import CardLogin
    from training.tests.factories import OfficerFactory

    officer = OfficerFactory(
        agency=world["mine"], officer_number="HC-1", card_last_login_at=dt.datetime(2018, 2, 1, 15, tzinfo=dt.UTC)
    )
    with audit_context(request_id="import-req-0001"):
        report = import_card_logins(
            [(2, {"officer_number": "HC-1", "logged_in_at": "2018-02-20T10:00:00"})],
            acting_user=people["pm"],
            apply_valid=True,
        )
    assert report.applied
    login = CardLogin.objects.get()
    created = events_on(login, action="create").get()
    assert (created.actor, created.channel, created.request_id) == (people["pm"], Channel.IMPORT, "import-req-0001")
    changed = events_on(officer, action="change").get()
    assert changed.changes["card_last_login_at"] == ["2018-02-01T15:00:00+00:00", "2018-02-20T15:00:00+00:00"]
    assert changed.reason == "Card-login import" and changed.agency_id == world["mine"].pk
    assert login.history.count() == 1


def test_sweep_journals_opened_and_resolved_findings_under_its_run(world, people):
    from staffing.tests.factories import AssignmentFactory

    run = sweep_run(notify=False, rule_codes=RULES)
    finding = Finding.objects.get(rule="staffing.primary_without_backup", subject_id=world["houston_other"].pk)
    opened = events_on(finding, action="create").get()
    assert opened.channel == Channel.SWEEP and opened.actor_label == f"sweep run #{run.pk}"
    assert opened.changes["status"] == [None, "open"] and opened.agency_id == world["houston_other"].pk
    # the condition goes away: the next run resolves it, and says so with the values before
    AssignmentFactory(agency=world["houston_other"], program_manager=people["pm"], kind="backup")
    second = sweep_run(notify=False, rule_codes=RULES)
    resolved = events_on(finding, action="resolve").get()
    assert resolved.actor_label == f"sweep run #{second.pk}" and resolved.changes["status"] == ["open", "resolved"]
    assert finding.history.count() == 2


def test_sweep_writes_its_journal_set_based(world, people, django_assert_max_num_queries):
    from agreements.tests.factories import AgencyFactory, AgreementFactory
    from portal.compliance.signals import sweep_finished

    for i in range(40):
        AgreementFactory(agency=AgencyFactory(name=f"Bulk County {i}", field_office=world["mine"].field_office))
    # The sweep's own statements: the listeners of the finished run (the oversight app's
    # stored figures, recomputed once per run whatever the findings) are not the journal's.
    receivers = sweep_finished.receivers
    sweep_finished.receivers = []
    sweep_finished.sender_receivers_cache.clear()
    try:
        with django_assert_max_num_queries(60):
            sweep_run(notify=False, rule_codes=["agreements.no_primary_manager"])
    finally:
        sweep_finished.receivers = receivers
        sweep_finished.sender_receivers_cache.clear()
    opened = AuditEvent.objects.filter(
        channel=Channel.SWEEP, action="create", content_type=ContentType.objects.get_for_model(Finding)
    )
    assert (
        opened.count() == 40 and opened.filter(object_label__startswith="agreements.no_primary_manager: ").count() == 40
    )


def test_admin_write_journals_the_admin_user_and_request(client, world, people):
    people["chief"].is_staff = people["chief"].is_superuser = True
    people["chief"].save()
    client.force_login(people["chief"])
    profile = people["pm"].staff_profile
    response = client.post(
        f"/admin/portal/staffprofile/{profile.pk}/change/",
        {
            "user": people["pm"].pk,
            "role": "field_pm",
            "field_office": profile.field_office_id,
            "title": "Senior Field Program Manager",
            "phone": "",
        },
    )
    assert response.status_code == 302
    event = events_on(profile, action="change").get()
    assert (event.actor, event.channel, event.request_id) == (people["chief"], Channel.ADMIN, response["X-Request-ID"])
    assert event.changes["title"] == ["", "Senior Field Program Manager"]


def test_bulk_update_and_queryset_update_journal_each_row_with_values_before(world, people):
    agencies = list(Agency.objects.filter(pk__in=[world["mine"].pk, world["miami"].pk]).order_by("pk"))
    before = {a.pk: None if a.area_sq_mi is None else str(a.area_sq_mi) for a in agencies}
    for agency in agencies:
        agency.area_sq_mi = 1234
    with audit_context(actor=people["npm"], channel=Channel.COMMAND, request_id="bulk-req-0001"):
        bulk_update_with_history(agencies, Agency, ["area_sq_mi"], default_change_reason="Surveyed")
        queryset_update(Agency.objects.filter(pk=world["miami"].pk), reason="Renamed", name="Collier County SO")
    for agency in agencies:
        event = events_on(agency, reason="Surveyed").get()
        assert (event.actor, event.request_id) == (people["npm"], "bulk-req-0001")
        assert event.changes == {"area_sq_mi": [before[agency.pk], "1234"]}
    renamed = events_on(world["miami"], reason="Renamed").get()
    assert renamed.changes == {"name": ["Collier County Sheriff's Office", "Collier County SO"]}
    assert world["miami"].history.filter(name="Collier County SO").get().history_user == people["npm"]


def test_delete_over_the_api_journals_the_values_before(api, world, people):
    from staffing.tests.factories import AbsenceFactory

    absence = AbsenceFactory(manager=people["pm"], starts_on=dt.date(2030, 1, 2), ends_on=dt.date(2030, 1, 3))
    response = api(people["fod"]).delete(f"/api/v1/absences/{absence.pk}/")
    assert response.status_code == 204
    event = events_on(absence, action="delete").get()
    assert (event.actor, event.request_id) == (people["fod"], response["X-Request-ID"])
    assert event.changes["starts_on"] == ["2030-01-02", None] and event.changes["manager"] == [
        str(people["pm"].pk),
        None,
    ]


def test_delete_helper_journals_rows_of_a_model_without_history(world, people):
    from agreements.models import AgreementEvent

    row = AgreementEvent.objects.create(
        agreement=world["agreements"]["mine"],
        transition="review",
        to_status="under_review",
        effective_on=dt.date(2018, 1, 1),
    )
    with audit_context(actor=people["chief"]):
        assert delete_with_history(AgreementEvent.objects.filter(pk=row.pk), reason="Recorded twice") == 1
    event = events_on(row, action="delete").get()
    assert event.actor == people["chief"] and event.changes["to_status"] == ["under_review", None]
    assert event.agency_id == world["mine"].pk


def test_rows_created_in_bulk_get_a_baseline_so_the_first_edit_shows_values_before(world, people):
    Agency.objects.bulk_create(
        [
            Agency(
                name="Seeded County Sheriff's Office",
                match_key="seeded",
                state="TX",
                field_office=world["mine"].field_office,
            )
        ]
    )
    seeded = Agency.objects.get(match_key="seeded")
    assert baseline_history(Agency) == 1 and baseline_history(Agency) == 0
    seeded.county = "Seeded"
    seeded.save()
    assert events_on(seeded, action="change").get().changes["county"] == ["", "Seeded"]
    assert seeded.history.count() == 2


@pytest.mark.parametrize("model_name", ["agency", "officer"])
def test_set_based_baseline_writes_what_the_row_by_row_one_writes(world, people, monkeypatch, model_name):
    """PostgreSQL's INSERT ... SELECT baseline (large tables: the national demo) gives the
    same historical rows and journal events as the row-by-row one, label aside."""
    from django.db import connection, transaction

    from portal.audit import bulk
    from portal.audit.models import AuditEvent
    from training.models import Officer
    from training.tests.factories import OfficerFactory

    if connection.vendor != "postgresql":
        pytest.skip("the set-based baseline is PostgreSQL's")
    model = {"agency": Agency, "officer": Officer}[model_name]
    OfficerFactory(agency=world["mine"], card_last_login_at=dt.datetime(2018, 3, 1, 9, 30, tzinfo=dt.UTC))
    model.history.all().delete()

    def written(threshold):
        monkeypatch.setattr(bulk, "SET_BASED_BASELINE_FROM", threshold)
        sid = transaction.savepoint()
        since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        bulk.baseline_history(model, reason="Baseline")
        events = {
            e.object_id: (e.action, e.agency_id, e.changes, e.reason, e.channel, e.actor_id)
            for e in AuditEvent.objects.filter(pk__gt=since)
        }
        rows = sorted(
            model.history.values_list(
                "id",
                "history_type",
                "history_change_reason",
                *[f.attname for f in model._meta.concrete_fields if f.attname != "id"],
            )
        )
        transaction.savepoint_rollback(sid)
        return events, rows

    row_by_row, set_based = written(10**9), written(0)
    assert row_by_row[0] and set_based == row_by_row


# --- refused attempts ------------------------------------------------------------------


def test_403_over_the_api_is_journaled_with_the_record(api, world, people):
    response = api(people["analyst"]).patch(f"/api/v1/agencies/{world['mine'].pk}/", {"county": "X"}, format="json")
    assert response.status_code == 403
    event = events_on(world["mine"], action="denied").get()
    assert (event.actor, event.status_code, event.request_id) == (people["analyst"], 403, response["X-Request-ID"])
    assert event.path == f"/api/v1/agencies/{world['mine'].pk}/"


def test_403_page_is_journaled(client, world, people):
    client.force_login(people["analyst"])
    response = client.post("/staffing/managers/%d/absences/" % people["pm"].pk, {})
    assert response.status_code == 403
    event = AuditEvent.objects.denied().get()
    assert (event.actor, event.status_code, event.request_id) == (people["analyst"], 403, response["X-Request-ID"])


def test_out_of_scope_404_is_journaled_but_a_missing_record_is_not(api, client, world, people):
    assert api(people["pm"]).get(f"/api/v1/agencies/{world['miami'].pk}/").status_code == 404
    assert api(people["pm"]).get("/api/v1/agencies/999999/").status_code == 404
    client.force_login(people["pm"])
    assert client.get(f"/agencies/{world['miami'].pk}/").status_code == 404
    refused = list(AuditEvent.objects.denied().order_by("pk"))
    assert [(e.actor, e.status_code, e.object_id, e.channel) for e in refused] == [
        (people["pm"], 404, str(world["miami"].pk), Channel.API),
        (people["pm"], 404, str(world["miami"].pk), Channel.PAGE),
    ]
    assert refused[0].agency_id == world["miami"].pk
    # following the record shows the refused attempts, for HQ
    client.force_login(people["chief"])
    page = client.get(f"/agencies/{world['miami'].pk}/").content.decode()
    assert "Refused" in page and "Outside the caller" in page


def test_failed_sign_in_is_journaled_without_the_password(client, world, people):
    response = client.post(
        "/accounts/login/", {"username": "pm_hou", "password": "wrong-password-123"}, REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="login_failed")
    assert (event.actor, event.address, event.status_code) == (people["pm"], "192.0.2.7", 401)
    assert "wrong-password" not in str(event.changes) + event.reason + event.object_label
    # an anonymous visit of the sign-in page writes nothing
    client.get("/accounts/login/")
    assert AuditEvent.objects.denied().count() == 1


def test_revoked_expired_and_unknown_tokens_are_journaled(world, people):
    from portal.services import token_create, token_revoke

    revoked = token_create(user=people["pm"], name="old client")
    token_revoke(token=revoked)
    expiring = token_create(user=people["pm"], name="short", expires_in_days=1)
    assert token_client(revoked.plain_key).get("/api/v1/agencies/").status_code == 401
    assert token_client("not-a-key-at-all").get("/api/v1/agencies/").status_code == 401
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=2)):
        assert token_client(expiring.plain_key).get("/api/v1/agencies/").status_code == 401
    refused = list(AuditEvent.objects.denied().order_by("pk"))
    assert [(e.actor, e.token_id, e.reason) for e in refused] == [
        (people["pm"], revoked.pk, "Revoked API token"),
        (None, None, "Unknown API token"),
        (people["pm"], expiring.pk, "Expired API token"),
    ]
    assert all(e.status_code == 401 and e.path == "/api/v1/agencies/" for e in refused)


# --- the audit page and API ------------------------------------------------------------


@pytest.fixture
def journal(api, world, people, offices):
    api(people["chief"]).patch(f"/api/v1/agencies/{world['mine'].pk}/", {"county": "Harris County"}, format="json")
    api(people["pm"]).get(f"/api/v1/agencies/{world['miami'].pk}/")
    return world


def test_audit_page_is_for_hq_only(client, journal, people):
    for role in ("chief", "npm", "analyst"):
        client.force_login(people[role])
        assert client.get("/audit/").status_code == 200
    # others are refused by the access policy's page gate (403, as every HQ-only page), and
    # the refusal is itself journaled
    for role in ("fod", "pm", "ocio"):
        client.force_login(people[role])
        assert client.get("/audit/").status_code == 403
        assert AuditEvent.objects.filter(actor=people[role], action="denied", path="/audit/").exists()
    client.logout()
    assert client.get("/audit/").status_code == 302


def test_audit_page_filters(client, journal, people):
    client.force_login(people["analyst"])
    denied = client.get("/audit/", {"denied": "true"}).content.decode().split("<tbody>", 1)[1]  # the rows
    assert "Collier County" in denied and "Harris County</" not in denied and "404 /api/v1/agencies/" in denied
    by_who = client.get("/audit/", {"who": "chief", "record_type": "agreements.agency"}).content.decode()
    by_who = by_who.split("<tbody>", 1)[1]
    assert "Harris County" in by_who and "Collier" not in by_who
    record = client.get(
        "/audit/", {"record_type": "agreements.agency", "object_id": journal["mine"].pk, "action": "change"}
    ).context["object_list"]
    assert [e.changes["county"][1] for e in record] == ["Harris County"]
    assert not client.get("/audit/", {"date_to": "2000-01-01"}).context["object_list"]


def test_audit_page_exports_csv_and_excel(client, journal, people):
    client.force_login(people["chief"])
    response = client.get("/audit/", {"denied": "true", "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["When", "Who", "From"] and len(rows) == 2 and "Collier" in rows[1][4]
    xlsx = client.get("/audit/", {"export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_audit_api_is_hq_only_and_filters(api, journal, people):
    assert api().get("/api/v1/audit-events/").status_code == 401
    # outside HQ the policy grants no rows: an empty list, as for every HQ-only resource
    for role in ("pm", "fod", "ocio"):
        response = api(people[role]).get("/api/v1/audit-events/")
        assert response.status_code == 200 and response.json()["results"] == []
    response = api(people["analyst"]).get("/api/v1/audit-events/", {"denied": "true"})
    assert response.status_code == 200
    [event] = response.json()["results"]
    assert event["action"] == "denied" and event["status_code"] == 404 and event["record_type"] == "agreements.agency"
    assert event["object_id"] == str(journal["miami"].pk)
    change = api(people["chief"]).get("/api/v1/audit-events/", {"action": "change", "record_type": "agreements.agency"})
    assert [e["changes"]["county"] for e in change.json()["results"]] == [["Harris", "Harris County"]]


def test_audit_api_is_in_the_schema(api, people):
    schema = api(people["chief"]).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/audit-events/" in schema["paths"]


def test_backfill_journals_history_older_than_the_journal_once(world, people):
    from io import StringIO

    from django.core.management import call_command

    # given history rows the journal never saw (written before it existed)
    AuditEvent.objects.all().delete()
    world["mine"].county = "Harris (old)"
    world["mine"].save()
    AuditEvent.objects.all().delete()
    # when the backfill runs, twice
    call_command("audit_backfill", stdout=StringIO())
    count = AuditEvent.objects.count()
    call_command("audit_backfill", stdout=StringIO())
    # then each record's history is journaled, with the values before, once
    assert AuditEvent.objects.count() == count
    change = events_on(world["mine"], action="change").get()
    assert change.changes["county"] == ["Harris", "Harris (old)"] and change.agency_id == world["mine"].pk
    assert events_on(world["mine"], action="create").count() == 1


def test_a_refused_finding_action_on_its_page_shows_in_the_findings_trail(client, world, people):
    sweep_run(notify=False, rule_codes=RULES)
    finding = Finding.objects.get(subject_id=world["houston_other"].pk)
    client.force_login(people["pm_other"])
    response = client.post(f"/findings/{finding.pk}/", {"action": "waive", "note": "no"})
    event = events_on(finding, action="denied").get()
    assert (event.actor, event.status_code, event.request_id) == (people["pm_other"], 403, response["X-Request-ID"])
    assert "waive" in event.reason


def test_a_task_journals_under_its_own_context(world, people):
    from celery import shared_task

    @shared_task(name="portal.tests.rename_agency")
    def rename_agency(pk):
        agency = Agency.objects.get(pk=pk)
        agency.county = "Renamed by a task"
        agency.save()

    rename_agency.apply(args=[world["mine"].pk], task_id="task-0000-0001")
    event = events_on(world["mine"], action="change").get()
    assert (event.channel, event.request_id, event.actor_label) == (
        Channel.TASK,
        "task-0000-0001",
        "task portal.tests.rename_agency",
    )


def test_audit_page_and_api_queries_do_not_grow_with_the_rows(client, api, world, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(make):
        with CaptureQueriesContext(connection) as ctx:
            assert make().status_code == 200
        return len(ctx.captured_queries)

    client.force_login(people["chief"])
    hq = api(people["chief"])
    hq.get("/api/v1/audit-events/")  # the role's profile is read once, then kept on the user
    few = (queries(lambda: client.get("/audit/")), queries(lambda: hq.get("/api/v1/audit-events/")))
    for i in range(30):
        world["mine"].county = f"County {i}"
        world["mine"].save()
        api(people["pm"]).get(f"/api/v1/agencies/{world['miami'].pk}/")
    many = (queries(lambda: client.get("/audit/")), queries(lambda: hq.get("/api/v1/audit-events/")))
    assert many == few


def test_visible_or_404_tells_out_of_scope_from_missing(world, people):
    from django.http import Http404

    from portal.errors import OutOfScope
    from portal.scoping import visible_or_404

    assert visible_or_404(Agency.objects, people["pm"], pk=world["mine"].pk) == world["mine"]
    with pytest.raises(OutOfScope) as caught:
        visible_or_404(Agency.objects, people["pm"], pk=world["miami"].pk)
    assert (caught.value.model, caught.value.pk) == (Agency, world["miami"].pk)
    with pytest.raises(Http404) as missing:
        visible_or_404(Agency.objects, people["pm"], pk=999999)
    assert getattr(missing.value, "pk", None) is None  # nothing to journal
