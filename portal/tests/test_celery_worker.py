"""A real Celery worker executes the compliance sweep over Redis (needs REDIS_URL)."""

import pytest

from portal.compliance.models import Finding, SweepRun, SweepStatus


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_runs_the_sweep_task_over_redis(redis_url, world):
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app
    from portal.tasks import compliance_sweep

    app.conf.task_always_eager = False
    app.conf.broker_url = redis_url
    app.conf.result_backend = redis_url
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            result = compliance_sweep.delay("test")
            run_id = result.get(timeout=60)
    finally:
        app.conf.task_always_eager = True
    run = SweepRun.objects.get(pk=run_id)
    assert run.status == SweepStatus.SUCCEEDED
    assert run.triggered_by == "test"
    assert Finding.objects.filter(opened_by_run=run, rule="staffing.primary_without_backup").count() == 2


def test_eager_mode_runs_the_task_in_process_without_redis(world):
    from portal.celery import app
    from portal.tasks import compliance_sweep

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # what the settings choose when REDIS_URL is absent
    try:
        run_id = compliance_sweep.delay("eager").get()
    finally:
        app.conf.task_always_eager = eager
    assert SweepRun.objects.get(pk=run_id).counts["staffing.primary_without_backup"]["opened"] == 2


def test_without_redis_url_settings_run_tasks_in_process():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    code = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','portal.settings');django.setup();"
        "from django.conf import settings as s;print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "memory://"]


@pytest.mark.django_db
def test_nightly_schedule_is_installed_for_beat():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="Nightly compliance sweep")
    assert task.task == "portal.compliance_sweep"
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("2", "0", "America/New_York")
