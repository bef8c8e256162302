import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from portal.compliance.models import Finding, FindingStatus, SweepRun, SweepStatus
from portal.compliance.sweep import sweep_run
from portal.errors import SweepAlreadyRunning
from staffing.models import Assignment

NO_BACKUP = "staffing.primary_without_backup"
NO_PRIMARY = "agreements.no_primary_manager"
#: The foundation's rules; other apps' rules are tested in their own apps.
RULES = [NO_BACKUP, NO_PRIMARY]


def open_findings(rule):
    return Finding.objects.filter(rule=rule, status__in=["open", "acknowledged"])


def test_sweep_opens_findings_for_agencies_without_backup(world, people):
    run = sweep_run(rule_codes=RULES)
    # mine has a backup; houston_other and miami do not.
    subjects = set(open_findings(NO_BACKUP).values_list("subject_id", flat=True))
    assert subjects == {world["houston_other"].pk, world["miami"].pk}
    assert run.status == SweepStatus.SUCCEEDED
    assert run.counts[NO_BACKUP]["opened"] == 2
    finding = open_findings(NO_BACKUP).get(subject_id=world["miami"].pk)
    assert finding.responsible == people["pm_miami"]  # the primary PM by default
    assert finding.field_office.code == "MIA"
    assert finding.opened_by_run == run


def test_second_sweep_opens_nothing_new(world):
    first = sweep_run(rule_codes=RULES)
    second = sweep_run(rule_codes=RULES)
    assert second.counts[NO_BACKUP]["opened"] == 0
    assert second.counts[NO_BACKUP]["still_open"] == 2
    assert Finding.objects.filter(rule=NO_BACKUP).count() == 2
    # The second run did not rewrite them: its counts say what it saw, and each open
    # finding's last sighting is the latest run of its rule.
    assert set(open_findings(NO_BACKUP).values_list("last_seen_run", flat=True)) == {first.pk}
    assert {f.seen_last()[1] for f in open_findings(NO_BACKUP)} == {second.pk}
    assert {f.seen_last()[0] for f in open_findings(NO_BACKUP)} == {second.started_at}
    assert first.pk != second.pk


def test_ten_sweeps_that_find_nothing_new_write_no_finding(world):
    """The findings table does not grow, nor its history, when nothing changes: a steady
    sweep neither inserts nor updates a finding."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sweep_run(rule_codes=RULES)
    rows, history = Finding.objects.count(), Finding.history.count()
    for _ in range(10):
        with CaptureQueriesContext(connection) as queries:
            run = sweep_run(rule_codes=RULES)
        writes = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"].startswith(("UPDATE", "INSERT")) and '"portal_finding"' in q["sql"].split("SET")[0]
        ]
        assert writes == []
        assert run.counts[NO_BACKUP]["still_open"] == 2
    assert (Finding.objects.count(), Finding.history.count()) == (rows, history)


def test_resolved_condition_closes_the_finding(world, people):
    sweep_run(rule_codes=RULES)
    Assignment.objects.create(
        agency=world["miami"], program_manager=people["pm"], kind="backup", starts_on=dt.date(2018, 1, 1)
    )
    run = sweep_run(rule_codes=RULES)
    finding = Finding.objects.get(rule=NO_BACKUP, subject_id=world["miami"].pk)
    assert finding.status == FindingStatus.RESOLVED
    assert finding.resolved_by_run == run
    assert run.counts[NO_BACKUP]["resolved"] == 1


def test_agency_with_signed_agreement_and_no_primary_goes_to_the_director(world, people):
    Assignment.objects.filter(agency=world["houston_other"]).update(ends_on=dt.date(2018, 1, 1))
    sweep_run(rule_codes=RULES)
    finding = open_findings(NO_PRIMARY).get()
    assert finding.subject_id == world["houston_other"].pk
    assert finding.responsible == people["fod"]


def test_the_database_refuses_a_second_open_finding_for_the_same_rule_and_subject(world):
    sweep_run(rule_codes=RULES)
    existing = open_findings(NO_BACKUP).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(
            rule=existing.rule,
            category="staffing",
            subject_type=existing.subject_type,
            subject_id=existing.subject_id,
            subject_label="duplicate",
        )


def test_only_one_sweep_runs_at_a_time(world):
    SweepRun.objects.create(as_of=dt.date.today())  # a run in progress
    with pytest.raises(SweepAlreadyRunning):
        sweep_run(rule_codes=RULES)


def test_a_waived_finding_is_not_reopened_while_the_waiver_stands(world, people):
    from portal.compliance.services import finding_waive

    sweep_run(rule_codes=RULES)
    finding = open_findings(NO_BACKUP).get(subject_id=world["miami"].pk)
    finding_waive(finding=finding, acting_user=people["chief"], reason="Single-officer agency")
    run = sweep_run(rule_codes=RULES)
    assert not open_findings(NO_BACKUP).filter(subject_id=world["miami"].pk).exists()
    assert run.counts[NO_BACKUP]["waived"] == 1


def test_sweep_notifies_each_responsible_person_once(world, people, django_capture_on_commit_callbacks):
    # The digests (oversight app) go out in a task enqueued once the run is committed.
    with django_capture_on_commit_callbacks(execute=True):
        sweep_run(rule_codes=RULES)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([people["pm_other"].email, people["pm_miami"].email])
    assert "Primary program manager without a backup" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_run(rule_codes=RULES)
    assert mail.outbox == []  # nothing new, nothing sent


def test_a_failing_rule_is_recorded_and_the_others_still_run(world, monkeypatch):
    from portal.compliance.registry import registry

    rule = registry.get(NO_PRIMARY)
    monkeypatch.setattr(type(rule), "evaluate", lambda self, today: (_ for _ in ()).throw(RuntimeError("boom")))
    run = sweep_run(rule_codes=RULES)
    assert run.status == SweepStatus.FAILED
    assert "boom" in run.error
    assert run.counts[NO_BACKUP]["opened"] == 2


def test_sweep_command_prints_counts(world, capsys):
    from django.core.management import call_command

    call_command("sweep", "--no-notify")
    out = capsys.readouterr().out
    assert f"{NO_BACKUP} (Primary program manager without a backup): 2 open, 2 opened, 0 resolved" in out


def test_parallel_sweep_finds_what_the_serial_one_finds(world, people):
    """The rules as a Celery group (eager here; workers in production) open the same
    findings, with the same details and people, and record the same counts."""
    from django.db import transaction

    def snapshot(run):
        findings = sorted(
            Finding.objects.filter(opened_by_run=run).values_list(
                "rule", "subject_id", "status", "detail", "responsible_id", "field_office_id", "severity"
            )
        )
        return findings, run.counts, run.status

    sid = transaction.savepoint()
    serial = snapshot(sweep_run(parallel=False, notify=False))
    transaction.savepoint_rollback(sid)
    parallel = snapshot(sweep_run(parallel=True, notify=False))
    assert serial[0], "the world has findings to compare"
    assert parallel == serial
    assert parallel[2] == SweepStatus.SUCCEEDED
