import datetime as dt
import re

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
        # Writes into the findings or their history (what a quiet sweep must not do); the
        # oversight app's per-run counts of open findings read them into its own table.
        writes = [
            q["sql"]
            for q in queries.captured_queries
            if re.match(r'(?:UPDATE|INSERT INTO) "(portal_finding|portal_historicalfinding)"', q["sql"])
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


def test_set_based_sweep_writes_what_the_generic_one_writes(world, people):
    """PostgreSQL's set-based sweep (each kind of write one statement over arrays, with
    its history and journal) leaves the same findings, historical rows,
    journal events and counts as the ORM's bulk helpers, over two runs that open, keep,
    change (details and stage), resolve, leave waived and reopen findings."""
    import time_machine
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from agreements.models import Agency
    from agreements.tests.factories import AgencyFactory
    from portal.audit import Channel
    from portal.audit import context as audit_context
    from portal.audit.models import AuditEvent
    from portal.compliance.registry import Rule, Violation, registry
    from portal.compliance.sweep import apply_rule

    if connection.vendor != "postgresql":
        pytest.skip("the set-based sweep is PostgreSQL's")
    extra = {key: AgencyFactory(name=f"Extra {key}", field_office=world["mine"].field_office) for key in "DEFG"}
    ids = {key: world[name].pk for key, name in zip("ABC", ["mine", "houston_other", "miami"], strict=True)}
    ids.update({key: agency.pk for key, agency in extra.items()})
    rounds = {
        1: [
            Violation(ids["A"], "Agency A", agency_id=ids["A"], detail="d1", stage="s1"),
            Violation(ids["B"], "Agency B", agency_id=ids["B"], responsible_id=people["pm_miami"].pk, severity="high"),
            Violation(ids["C"], "Agency C", agency_id=ids["C"], detail="gone next"),
            Violation(ids["D"], "Agency D", agency_id=ids["D"], detail="waived"),
            Violation(ids["E"], "Agency E", agency_id=ids["E"], detail="waiver lapses"),
        ],
        2: [
            Violation(ids["A"], "Agency A renamed", agency_id=ids["A"], detail="d2", stage="s2"),
            Violation(ids["B"], "Agency B", agency_id=ids["B"], responsible_id=people["pm_miami"].pk, severity="high"),
            Violation(ids["D"], "Agency D", agency_id=ids["D"], detail="waived"),
            Violation(ids["E"], "Agency E", agency_id=ids["E"], detail="waiver lapses"),
            Violation(ids["F"], "F " + "x" * 300, agency_id=ids["F"], detail="O'Brien — “quoted” \\ 100%"),
            Violation(ids["G"], "No agency", detail="nobody's"),
        ],
    }
    current = {"round": 1}

    class Fake(Rule):
        code = "tests.set_based"
        title = "A rule for the test"
        subject_model = Agency

        def evaluate(self, *, today, subject_ids=None):
            return list(rounds[current["round"]])

    registry.register(Fake)
    today = dt.date(2025, 6, 2)
    finding_type = ContentType.objects.get_for_model(Finding)
    with time_machine.travel(dt.datetime(2025, 6, 2, 7, 30, 15, 250000, tzinfo=dt.UTC), tick=False):
        runs = [
            SweepRun.objects.create(as_of=today, triggered_by="test", status=SweepStatus.SUCCEEDED) for _ in range(2)
        ]

        def swept(set_based):
            sid = transaction.savepoint()
            since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            counts = []
            with audit_context(channel=Channel.SWEEP, actor_label="sweep run", request_id="sweep-test-0001"):
                for n, run in enumerate(runs, start=1):
                    current["round"] = n
                    counts.append(apply_rule(registry.get(Fake.code), run, today, set_based=set_based))
                    if n == 1:
                        Finding.objects.filter(rule=Fake.code, subject_id=ids["C"]).update(status="acknowledged")
                        Finding.objects.filter(rule=Fake.code, subject_id=ids["D"]).update(status="waived")
                        Finding.objects.filter(rule=Fake.code, subject_id=ids["E"]).update(
                            status="waived", waived_until=today - dt.timedelta(days=1)
                        )
            rows = list(Finding.objects.filter(rule=Fake.code).values())
            key = {row["id"]: (row["subject_id"], row["opened_by_run_id"]) for row in rows}
            findings = sorted(
                (key[row["id"]], sorted((k, str(v)) for k, v in row.items() if k != "id")) for row in rows
            )
            history = sorted(
                (key[row["id"]], sorted((k, str(v)) for k, v in row.items() if k not in ("id", "history_id")))
                for row in Finding.history.filter(rule=Fake.code).values()
            )
            events = sorted(
                (
                    key[int(e["object_id"])],
                    sorted((k, str(v)) for k, v in e.items() if k not in ("id", "object_id")),
                )
                for e in AuditEvent.objects.filter(pk__gt=since, content_type=finding_type).values()
            )
            transaction.savepoint_rollback(sid)
            return counts, findings, history, events

        try:
            generic, set_based = swept(False), swept(True)
        finally:
            registry.unregister(Fake.code)
    counts, findings, history, events = generic
    assert counts[1] == {"opened": 3, "still_open": 2, "resolved": 1, "open": 5, "waived": 1}
    assert len(findings) == 8 and len(history) == 11 and len(events) == 11
    assert set_based[0] == counts
    assert set_based[1] == findings
    assert set_based[2] == history
    assert set_based[3] == events
