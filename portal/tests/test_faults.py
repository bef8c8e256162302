"""Faults the portal survives without a worker or Redis of its own: a rule failing with a
database error half way, a run whose worker died, e-mail delivery that fails and is
retried but never sent twice, a broker that cannot take a task, and the health checks
and HQ banner that say so. (The fault tests with a real worker and Redis, on
PostgreSQL, are in test_faults_worker.py.)"""

import datetime as dt
import smtplib
import socket
import subprocess
import sys

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import DatabaseError

from oversight.digests import send_digests
from portal import dates
from portal.compliance import notify
from portal.compliance.models import Finding, SweepNotice, SweepRun, SweepStatus
from portal.compliance.sweep import sweep_run

NO_BACKUP = "staffing.primary_without_backup"
NO_PRIMARY = "agreements.no_primary_manager"
RULES = [NO_BACKUP, NO_PRIMARY]


# --- the sweep -----------------------------------------------------------------------


def test_a_database_error_half_way_through_a_rule_leaves_none_of_its_findings(world, monkeypatch):
    from portal.compliance import sweep

    real_apply = sweep.apply_rule

    def apply_then_fail(rule, run, today):
        counts = real_apply(rule, run, today)  # the findings are written ...
        if rule.code == NO_BACKUP:
            raise DatabaseError("server closed the connection unexpectedly")  # ... and then the database fails
        return counts

    monkeypatch.setattr(sweep, "apply_rule", apply_then_fail)
    failed = sweep_run(rule_codes=RULES, notify=False)
    assert failed.status == SweepStatus.FAILED
    assert "server closed the connection" in failed.counts[NO_BACKUP]["error"]
    assert not Finding.objects.filter(rule=NO_BACKUP).exists()  # rolled back with its rule
    assert NO_PRIMARY in failed.counts and "error" not in failed.counts[NO_PRIMARY]

    monkeypatch.setattr(sweep, "apply_rule", real_apply)
    again = sweep_run(rule_codes=RULES, notify=False)
    assert again.status == SweepStatus.SUCCEEDED
    assert Finding.objects.filter(rule=NO_BACKUP, opened_by_run=again).count() == 2


def test_a_run_whose_worker_process_died_is_abandoned_by_the_next(world):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stuck = SweepRun.objects.create(as_of=dates.today(), worker=f"{socket.gethostname()}:{dead.pid}")

    run = sweep_run(rule_codes=RULES, notify=False)

    stuck.refresh_from_db()
    assert stuck.status == SweepStatus.ABANDONED and "worker stopped" in stuck.error
    assert run.status == SweepStatus.SUCCEEDED


def test_a_run_of_a_live_worker_is_left_running(world):
    from django.db import connection

    from portal.compliance.sweep import SWEEP_LOCK_KEY
    from portal.errors import SweepAlreadyRunning

    SweepRun.objects.create(as_of=dates.today(), worker=f"{socket.gethostname()}:1")  # pid 1 is alive
    if connection.vendor == "postgresql":
        # there a live sweep holds the advisory lock, on a connection of its own
        import psycopg2

        s = connection.settings_dict
        other = psycopg2.connect(
            dbname=s["NAME"],
            user=s["USER"] or "postgres",
            password=s["PASSWORD"] or None,
            host=s["HOST"] or "127.0.0.1",
            port=s["PORT"] or 5432,
        )
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [SWEEP_LOCK_KEY])
    try:
        with pytest.raises(SweepAlreadyRunning):
            sweep_run(rule_codes=RULES, notify=False)
    finally:
        if connection.vendor == "postgresql":
            other.close()


def test_a_run_past_the_time_limit_is_abandoned(world, settings):
    old = SweepRun.objects.create(as_of=dates.today(), worker="another-host:123")
    SweepRun.objects.filter(pk=old.pk).update(
        started_at=old.started_at - dt.timedelta(minutes=settings.SWEEP_STALE_AFTER_MINUTES + 1)
    )
    assert sweep_run(rule_codes=RULES, notify=False).status == SweepStatus.SUCCEEDED
    old.refresh_from_db()
    assert old.status == SweepStatus.ABANDONED


# --- e-mail: retries with backoff, never twice -----------------------------------------


class FlakyBackend(EmailBackend):
    """Refuses the first ``failures`` messages (SMTP errors), then delivers."""

    failures = 0
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).failures > 0:
            type(self).failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings, monkeypatch):
    settings.EMAIL_BACKEND = "portal.tests.test_faults.FlakyBackend"
    settings.NOTIFY_ATTEMPTS = 3
    settings.NOTIFY_BACKOFF_SECONDS = 2
    waits = []
    monkeypatch.setattr(notify, "sleep", waits.append)
    FlakyBackend.failures = FlakyBackend.calls = 0
    return waits


def test_a_refused_message_is_retried_with_backoff_and_sent_once(world, people, flaky):
    FlakyBackend.failures = 2  # the first person's message fails twice, then goes
    run = sweep_run(rule_codes=RULES, notify=False)
    send_digests(run)  # what the sweep's task does once the run is committed
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([people["pm_other"].email, people["pm_miami"].email])
    assert flaky == [2, 4]  # waited 2 s, then 4 s
    assert SweepNotice.objects.filter(run=run, sent_at__isnull=False).count() == 2
    assert sorted(SweepNotice.objects.filter(run=run).values_list("attempts", flat=True)) == [1, 3]


def test_a_message_that_cannot_be_sent_is_kept_and_sent_by_the_next_call_only_once(world, people, flaky):
    FlakyBackend.failures = 3  # every try for the first person fails
    run = sweep_run(rule_codes=RULES, notify=False)
    send_digests(run)  # what the sweep's task does once the run is committed
    assert len(mail.outbox) == 1
    failed = SweepNotice.objects.get(run=run, sent_at__isnull=True)
    assert "SMTPServerDisconnected" in failed.last_error and failed.attempts == 3
    assert Finding.objects.filter(opened_by_run=run, responsible=failed.person, notified_at__isnull=True).exists()

    assert send_digests(run) == 1  # the next call (a retried task) sends only the missing one
    assert send_digests(run) == 0  # and a third sends nothing
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people["pm_other"].email, people["pm_miami"].email])
    assert not Finding.objects.filter(opened_by_run=run, notified_at__isnull=True, responsible__isnull=False).exists()
    assert failed.history.count() >= 2  # the marker keeps its attempts


# --- a broker that cannot take a task ---------------------------------------------------


@pytest.fixture
def dead_broker():
    """Celery pointed at a Redis address where nothing listens."""
    from portal.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    _fresh_connections(app)
    yield app
    app.conf.task_always_eager, app.conf.broker_url = saved
    _fresh_connections(app)


def _fresh_connections(app):
    """Forget the broker connections Celery pooled, so the next publish uses broker_url."""
    app._pool = None
    app.amqp._producer_pool = None


def test_enqueueing_with_the_broker_down_keeps_the_task_and_does_not_raise(
    world, dead_broker, django_capture_on_commit_callbacks
):
    from portal.models import PendingTask
    from portal.tasks import enqueue, pending_dispatch

    with django_capture_on_commit_callbacks(execute=True):
        enqueue("portal.compliance_sweep", triggered_by="page")  # sent once the transaction commits
    kept = PendingTask.objects.get()
    assert (kept.task, kept.kwargs, kept.sent_at) == ("portal.compliance_sweep", {"triggered_by": "page"}, None)
    assert pending_dispatch() == {"sent": 0, "kept": 1}  # still down: still kept
    kept.refresh_from_db()
    assert kept.attempts == 2 and kept.last_error


def test_kept_tasks_run_when_the_broker_is_back(world):
    from portal.celery import app
    from portal.models import PendingTask
    from portal.tasks import pending_dispatch

    PendingTask.objects.create(task="portal.compliance_sweep", kwargs={"triggered_by": "kept"})
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # "the broker is back" in-process: the task runs
    try:
        assert pending_dispatch()["sent"] == 1
    finally:
        app.conf.task_always_eager = eager
    assert SweepRun.objects.filter(triggered_by="kept", status=SweepStatus.SUCCEEDED).exists()
    assert pending_dispatch() == {"sent": 0, "kept": 0}  # sent once, never again


# --- health -------------------------------------------------------------------------


def test_healthz_answers_without_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/")
    assert response.status_code == 200 and response.content == b"ok"


def test_readyz_is_not_ready_until_a_sweep_succeeded_and_again_when_it_is_stale(client, world, settings):
    response = client.get("/readyz/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == {"state": "up", "ok": True}
    assert body["checks"]["sweep"]["state"] == "no successful sweep yet"
    assert "state" in body["checks"]["broker"]

    with time_machine.travel(dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC), tick=False) as clock:
        sweep_run(rule_codes=RULES, notify=False)
        body = client.get("/readyz/").json()
        assert body["checks"]["sweep"]["ok"] is True
        if body["checks"]["broker"]["ok"]:
            assert client.get("/readyz/").status_code == 200
        clock.shift(dt.timedelta(hours=settings.SWEEP_FRESH_HOURS, minutes=1))
        response = client.get("/readyz/")
        assert response.status_code == 503
        assert response.json()["checks"]["sweep"]["state"].startswith("stale")


def test_readyz_reports_a_failed_last_run(client, world, monkeypatch):
    from portal.compliance.registry import registry

    sweep_run(rule_codes=RULES, notify=False)
    monkeypatch.setattr(
        type(registry.get(NO_PRIMARY)), "evaluate", lambda self, today: (_ for _ in ()).throw(RuntimeError("boom"))
    )
    sweep_run(rule_codes=RULES, notify=False)
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["checks"]["sweep"]["state"] == "the last run failed"


def test_readyz_reports_the_broker_down(client, world, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    sweep_run(rule_codes=RULES, notify=False)
    response = client.get("/readyz/")
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False and broker["state"].startswith("down")
    assert response.json()["checks"]["sweep"]["ok"] is True


def test_hq_sees_a_banner_when_the_sweep_is_stale_or_failed_and_field_staff_do_not(client, world, people):
    client.force_login(people["chief"])
    assert "Compliance sweep: no successful sweep yet" in client.get("/").content.decode()
    sweep_run(rule_codes=RULES, notify=False)
    assert "Compliance sweep:" not in client.get("/").content.decode()
    SweepRun.objects.update(finished_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert "Compliance sweep: stale" in client.get("/").content.decode()
    client.force_login(people["pm"])
    assert "Compliance sweep:" not in client.get("/").content.decode()
