"""The findings inbox: whose findings it holds, its actions, waiver requests, the
unread count, and the escalation of unacknowledged high findings (frozen time)."""

import datetime as dt

import pytest
import time_machine

from oversight import services
from oversight.escalation import escalate_overdue
from oversight.inbox import inbox_findings, unread_count
from oversight.models import FindingEscalation, FindingNote, WaiverRequest

from .conftest import NOW, make_finding


@pytest.fixture
def lines(program, people):
    """pm reports to the National PM (program line) and to the Houston director
    (administrative line); pm_miami has no line at all."""
    from staffing.choices import ReportingLineKind
    from staffing.tests.factories import ReportingLineFactory

    ReportingLineFactory(manager=people["pm"], supervisor=people["npm"], kind=ReportingLineKind.PROGRAM)
    ReportingLineFactory(manager=people["pm"], supervisor=people["fod"], kind=ReportingLineKind.ADMINISTRATIVE)
    return program


@pytest.fixture
def findings(lines, people):
    return {
        "pm": make_finding("agreements.no_primary_manager", lines["mine"], severity="high", responsible=people["pm"]),
        "pm_other": make_finding(
            "staffing.primary_without_backup", lines["houston_other"], responsible=people["pm_other"]
        ),
        "miami": make_finding(
            "staffing.primary_without_backup", lines["miami"], severity="high", responsible=people["pm_miami"]
        ),
    }


def ids(user):
    return {f.pk for f in inbox_findings(user)}


def test_inbox_holds_ones_own_and_those_below_in_either_line(findings, people):
    assert ids(people["pm"]) == {findings["pm"].pk}
    assert ids(people["npm"]) == {findings["pm"].pk}  # pm's program supervisor
    assert ids(people["fod"]) == {findings["pm"].pk, findings["pm_other"].pk}  # the office's staff
    assert ids(people["pm_miami"]) == {findings["miami"].pk}
    assert ids(people["fod_miami"]) == {findings["miami"].pk}
    assert ids(people["chief"]) == set()  # nobody reports to the Unit Chief here, nothing escalated


def test_acknowledge_note_and_waiver_request_granted_by_hq(findings, people, client):
    finding = findings["pm"]
    client.force_login(people["pm"])
    url = f"/findings/inbox/{finding.pk}/"
    assert client.post(url, {"action": "acknowledge", "note": "Calling the sheriff."}).status_code == 302
    assert client.post(url, {"action": "note", "text": "Sheriff names a deputy next week."}).status_code == 302
    assert client.post(url, {"action": "waiver", "reason": ""}).status_code == 400
    assert (
        client.post(url, {"action": "waiver", "reason": "Single-officer agency", "until": "2018-06-30"}).status_code
        == 302
    )
    assert (
        client.post(url, {"action": "waiver", "reason": "Again"}, follow=True)
        .content.decode()
        .count("already waiting for HQ")
        == 1
    )
    finding.refresh_from_db()
    assert finding.status == "acknowledged"
    assert [n.kind for n in FindingNote.objects.filter(finding=finding)] == ["acknowledged", "note", "waiver_requested"]

    request = WaiverRequest.objects.get(finding=finding)
    client.force_login(people["chief"])
    assert "Waiver requests waiting for HQ" in client.get("/findings/inbox/").content.decode()
    assert client.post(url, {"action": "grant", "request": request.pk, "note": ""}).status_code == 302
    finding.refresh_from_db()
    request.refresh_from_db()
    assert (finding.status, finding.waived_until, finding.waived_by) == (
        "waived",
        dt.date(2018, 6, 30),
        people["chief"],
    )
    assert (request.status, request.decided_by) == ("granted", people["chief"])
    assert request.history.count() == 2  # requested, granted


def test_refusing_a_waiver_needs_a_reason_and_only_hq_decides(findings, people):
    from django.core.exceptions import PermissionDenied, ValidationError

    request = services.waiver_request_create(finding=findings["pm"], acting_user=people["pm"], reason="No deputies")
    with pytest.raises(PermissionDenied):
        services.waiver_request_decide(request=request, acting_user=people["fod"], grant=True)
    with pytest.raises(ValidationError):
        services.waiver_request_decide(request=request, acting_user=people["npm"], grant=False)
    services.waiver_request_decide(request=request, acting_user=people["npm"], grant=False, note="Assign a backup.")
    findings["pm"].refresh_from_db()
    assert findings["pm"].status == "open"


def test_someone_outside_the_finding_cannot_act_or_see_it(findings, people, client):
    client.force_login(people["pm_miami"])
    assert client.get(f"/findings/inbox/{findings['pm'].pk}/").status_code == 404
    client.force_login(people["pm_other"])  # sees Harris (backup) but is not above pm
    response = client.post(f"/findings/inbox/{findings['pm'].pk}/", {"action": "note", "text": "x"}, follow=True)
    assert "You may not act on this finding." in response.content.decode()
    assert not FindingNote.objects.exists()


def test_header_shows_the_unread_count_until_the_inbox_is_opened(findings, people, client):
    client.force_login(people["fod"])
    assert unread_count(people["fod"]) == 2
    # the header links the count, which its script asks for once the page is shown
    assert 'data-src="/findings/inbox/count/"' in client.get("/agencies/").content.decode()
    count = client.get("/findings/inbox/count/")
    assert count.json() == {"unread": 2} and count["Cache-Control"] == "private, no-store"
    client.get("/findings/inbox/")
    assert unread_count(people["fod"]) == 0
    assert client.get("/findings/inbox/count/").json() == {"unread": 0}
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        make_finding(
            "staffing.primary_without_backup",
            findings["pm"].agency,
            subject=people["pm"],
            responsible=people["pm_other"],
            first_seen_at=NOW + dt.timedelta(hours=1),
        )
        assert unread_count(people["fod"]) == 1


# --- escalation ------------------------------------------------------------------------


def test_an_unacknowledged_high_finding_escalates_after_three_days_once(findings, people):
    with time_machine.travel(NOW + dt.timedelta(days=3, seconds=-1), tick=False):
        assert escalate_overdue() == []
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        made = escalate_overdue()
        assert escalate_overdue() == []  # a rerun escalates nothing twice
    by_finding = {e.finding_id: e for e in made}
    # pm's supervisor on the program line first; pm_miami has no line: the Miami director.
    assert by_finding[findings["pm"].pk].escalated_to == people["npm"]
    assert by_finding[findings["miami"].pk].escalated_to == people["fod_miami"]
    assert findings["pm_other"].pk not in by_finding  # a warning does not escalate
    assert by_finding[findings["pm"].pk].days_unacknowledged == 3
    assert FindingNote.objects.filter(finding=findings["pm"], kind="escalated").exists()
    assert FindingEscalation.history.count() == 2


def test_an_acknowledged_finding_does_not_escalate_and_the_setting_counts(findings, people, settings):
    services.finding_acknowledge_with_note(finding=findings["pm"], acting_user=people["pm"])
    settings.OVERSIGHT_ESCALATION_DAYS = 5
    with time_machine.travel(NOW + dt.timedelta(days=4), tick=False):
        assert escalate_overdue() == []
    with time_machine.travel(NOW + dt.timedelta(days=5), tick=False):
        assert [e.finding_id for e in escalate_overdue()] == [findings["miami"].pk]


def test_a_director_without_supervisor_escalates_to_hq_and_it_is_shown(lines, people, client):
    finding = make_finding(
        "agreements.no_primary_manager", lines["suspended"], severity="critical", responsible=people["fod_miami"]
    )
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        (escalation,) = [e for e in escalate_overdue() if e.finding_id == finding.pk]
    assert escalation.escalated_to is None
    assert finding.pk in ids(people["chief"]) and finding.pk in ids(people["npm"])
    client.force_login(people["chief"])
    page = client.get("/findings/inbox/", {"show": "escalated"}).content.decode()
    assert "Lee County" in page and "to HQ" in page


def test_escalation_runs_after_the_sweep(world, people, django_capture_on_commit_callbacks):
    from portal.compliance.models import Finding
    from portal.compliance.sweep import sweep_run

    rules = ["agreements.no_primary_manager", "staffing.primary_without_backup"]
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        sweep_run(rule_codes=rules, notify=False)
    world["mine"].assignments.all().delete()  # Harris loses its managers: a high finding opens
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False), django_capture_on_commit_callbacks(execute=True):
        run = sweep_run(rule_codes=rules, notify=False)
    high = Finding.objects.get(rule="agreements.no_primary_manager", subject_id=world["mine"].pk, status="open")
    assert high.opened_by_run == run and not FindingEscalation.objects.exists()
    with time_machine.travel(NOW + dt.timedelta(days=4), tick=False), django_capture_on_commit_callbacks(execute=True):
        later = sweep_run(rule_codes=rules, notify=False)
    escalation = FindingEscalation.objects.get(finding=high)
    # Responsible: the Houston director (the rule names them), who has no supervisor: HQ.
    assert high.responsible == people["fod"]
    assert escalation.run == later and escalation.escalated_to is None
