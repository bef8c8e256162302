"""Fault tests with a real Celery worker and a real Redis, on PostgreSQL: a worker killed
with SIGKILL in the middle of a sweep, two sweeps started together, and Redis stopped
while people use the portal.

Each test starts its own Redis server on a free port from 6390 up (never the machine's
Redis on 6379, which others use) and its own worker processes, connected to the test
database. Skipped on SQLite (the worker cannot share an in-memory test database) and
where redis-server is missing; with REQUIRE_REDIS=1 (CI's PostgreSQL pass) they fail
instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from conftest import skip_or_fail
from portal.compliance.models import Finding, SweepRun, SweepStatus

ROOT = Path(__file__).resolve().parents[2]
NO_BACKUP = "staffing.primary_without_backup"
#: The label of the finding portal/tests/worker_faults.py writes before it is killed (that
#: module is loaded only by the worker: importing it here would register its rule).
HALF_WRITTEN = "half-written by a killed worker"
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_until(condition, timeout=60.0, what="the condition", log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tail = Path(log).read_text()[-3000:] if log and Path(log).exists() else ""
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}\n{tail}")


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        skip_or_fail("The worker fault tests need PostgreSQL (DATABASE_URL=postgres://...)", "REQUIRE_REDIS")
    if not shutil.which("redis-server"):
        skip_or_fail("The worker fault tests need redis-server (apt-get install redis-server)", "REQUIRE_REDIS")
    settings_dict = connection.settings_dict
    user = settings_dict["USER"] or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"


class RedisServer:
    """A Redis server of the test's own, which it may stop and start again."""

    def __init__(self, tmp_path: Path):
        self.dir = tmp_path
        self.port = self._free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    @staticmethod
    def _free_port() -> int:
        for port in range(6390, 6490):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) != 0:
                    return port
        raise RuntimeError("no free port for a test Redis")

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.is_up, 15, "the test Redis to start")

    def is_up(self) -> bool:
        import redis

        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except redis.exceptions.RedisError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def own_redis(postgres, tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def celery_app(own_redis):
    """The test process's Celery app publishing to the test's Redis."""
    from portal.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend)
    app.conf.task_always_eager = False
    app.conf.broker_url = app.conf.result_backend = own_redis.url
    app._pool = None
    app.amqp._producer_pool = None
    yield app
    app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = saved
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def workers(postgres, own_redis, tmp_path):
    """``start(include=None, **env)``: a Celery worker process on the test database and Redis."""
    started = []

    def start(include: str | None = None, **env):
        log = open(tmp_path / f"worker-{len(started)}.log", "w")
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-l",
            "info",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-n",
            f"fault{len(started)}@%h",
        ]
        if include:
            command += ["--include", include]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "DATABASE_URL": postgres, "REDIS_URL": own_redis.url, "DB_CONN_MAX_AGE": "0", **env},
        )
        process.log_path = log.name
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def advisory_lock_held() -> bool:
    from portal.compliance.sweep import SWEEP_LOCK_KEY

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND granted",
            [SWEEP_LOCK_KEY & 0xFFFFFFFF],
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_sweep_leaves_no_half_written_findings_and_the_next_run_completes(
    world, celery_app, workers, tmp_path
):
    from portal.tasks import compliance_sweep

    marker = tmp_path / "in-rule"
    # given: a worker whose sweep stops in a rule that has written a finding
    doomed = workers(include="portal.tests.worker_faults", PORTAL_FAULT_MARKER=str(marker))
    compliance_sweep.delay("killed")
    wait_until(marker.exists, 300, "the sweep to reach the slow rule", doomed.log_path)
    killed_run = SweepRun.objects.get(triggered_by="killed")
    assert killed_run.status == SweepStatus.RUNNING and advisory_lock_held()

    # when: the worker is killed with SIGKILL half way
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(10)

    # then: the finding the rule had written was never committed
    wait_until(lambda: not advisory_lock_held(), 30, "PostgreSQL to release the dead worker's lock")
    assert not Finding.objects.filter(subject_label=HALF_WRITTEN).exists()
    # and the rules it had finished are whole: each of their findings is complete
    assert Finding.objects.filter(rule=NO_BACKUP, opened_by_run=killed_run).count() == 2

    # when: the next sweep runs on a new worker
    second = workers()
    compliance_sweep.delay("after the kill")
    finished = SweepRun.objects.filter(triggered_by="after the kill").exclude(status=SweepStatus.RUNNING)
    wait_until(finished.exists, 300, "the next sweep to finish", second.log_path)
    # then: it completes, and the killed run is marked abandoned, not left running
    run = finished.get()
    assert run.status == SweepStatus.SUCCEEDED, run.error
    killed_run.refresh_from_db()
    assert killed_run.status == SweepStatus.ABANDONED and "worker stopped" in killed_run.error
    assert Finding.objects.filter(rule=NO_BACKUP, status="open").count() == 2  # no duplicates
    assert not Finding.objects.filter(rule="tests.killed_half_way").exists()


def test_two_sweeps_started_together_never_both_run(world, postgres):
    from portal.compliance.sweep import sweep_run
    from portal.errors import SweepAlreadyRunning

    barrier = threading.Barrier(2)
    outcomes = []

    def start():
        try:
            barrier.wait(10)
            outcomes.append(("ran", sweep_run(triggered_by="together", notify=False).status))
        except SweepAlreadyRunning:
            outcomes.append(("refused", None))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(o[0] for o in outcomes) == ["ran", "refused"]
    assert SweepRun.objects.filter(triggered_by="together").count() == 1
    assert SweepRun.objects.get(triggered_by="together").status == SweepStatus.SUCCEEDED


def test_with_redis_stopped_pages_and_the_api_work_and_kept_work_runs_when_it_returns(
    world, people, own_redis, celery_app, workers, settings, client, api, django_capture_on_commit_callbacks
):
    from django.core.cache import caches

    from portal.models import PendingTask
    from portal.tasks import enqueue, pending_dispatch

    settings.REDIS_URL = own_redis.url
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FallbackRedisCache",
            "LOCATION": own_redis.url,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    worker = workers()
    client.force_login(people["chief"])
    chief_api = api(people["chief"])
    assert chief_api.get("/api/v1/agencies/").status_code == 200  # throttle counts in Redis
    assert client.get("/readyz/").json()["checks"]["broker"]["state"] == "up"

    # when: Redis stops
    own_redis.stop()

    # then: pages and the API keep working (the cache falls back to memory)
    assert client.get("/").status_code == 200
    assert client.get("/agencies/").status_code == 200
    assert chief_api.get("/api/v1/agencies/").status_code == 200
    assert caches["default"].on_fallback
    # asking for background work does not raise: the task is kept in the database
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue("portal.compliance_sweep", triggered_by="while redis was down")
    assert time.monotonic() - started < 15
    assert PendingTask.objects.filter(sent_at__isnull=True).count() == 1
    # and the health page says so
    ready = client.get("/readyz/")
    assert ready.status_code == 503
    broker = ready.json()["checks"]["broker"]
    assert broker["ok"] is False and broker["state"].startswith("down") and broker["tasks_kept"] == 1

    # when: Redis is back (same port), the kept work is sent, and the worker runs it
    own_redis.start()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    assert pending_dispatch()["sent"] == 1
    wait_until(
        lambda: SweepRun.objects.filter(triggered_by="while redis was down", status=SweepStatus.SUCCEEDED).exists(),
        300,
        "the worker to run the kept sweep",
        worker.log_path,
    )
    assert PendingTask.objects.filter(sent_at__isnull=True).count() == 0
    assert client.get("/readyz/").json()["checks"]["broker"]["state"] == "up"
