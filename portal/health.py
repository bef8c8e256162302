"""Health of the running portal: ``/healthz/`` (the process answers; touches nothing)
and ``/readyz/`` (the database, the broker and the compliance sweep, each with its state,
as JSON; 503 when any is not ready). ``sweep_state()`` also feeds HQ's banner."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure of the database means not ready
        return {"state": "down", "ok": False, "error": type(exc).__name__}
    return {"state": "up", "ok": True}


def broker_state() -> dict:
    """Redis (broker and cache). Without REDIS_URL tasks run in-process: ready."""
    if not settings.REDIS_URL:
        return {"state": "not configured: tasks run in-process", "ok": True}
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        from portal.models import PendingTask

        kept = PendingTask.objects.filter(sent_at__isnull=True).count() if database_state()["ok"] else None
        return {
            "state": "down: pages and the API work, background work is kept until it returns",
            "ok": False,
            "error": type(exc).__name__,
            "tasks_kept": kept,
        }
    return {"state": "up", "ok": True}


def sweep_state() -> dict:
    """The last successful sweep must have finished within SWEEP_FRESH_HOURS, and the
    last finished run must not have failed. One query (the latest finished runs)."""
    from portal.compliance.models import SweepRun, SweepStatus

    fresh_after = timezone.now() - dt.timedelta(hours=settings.SWEEP_FRESH_HOURS)
    recent = list(
        SweepRun.objects.exclude(status=SweepStatus.RUNNING)
        .order_by("-started_at")
        .values("pk", "status", "finished_at")[:20]
    )
    last_done = recent[0] if recent else None
    last_ok = next((r for r in recent if r["status"] == SweepStatus.SUCCEEDED), None)
    state = {
        "last_success": last_ok["finished_at"].isoformat() if last_ok and last_ok["finished_at"] else None,
        "last_status": last_done["status"] if last_done else None,
        "last_run_id": last_done["pk"] if last_done else None,
    }
    if last_ok is None:
        return {**state, "state": "no successful sweep recently" if recent else "no successful sweep yet", "ok": False}
    if last_ok["finished_at"] is None or last_ok["finished_at"] < fresh_after:
        return {**state, "state": f"stale: no successful sweep in {settings.SWEEP_FRESH_HOURS} hours", "ok": False}
    if last_done["status"] != SweepStatus.SUCCEEDED:
        return {**state, "state": f"the last run {SweepStatus(last_done['status']).label.lower()}", "ok": False}
    return {**state, "state": "fresh", "ok": True}


@never_cache
def readyz(request):
    checks = {"database": database_state(), "broker": broker_state()}
    checks["sweep"] = sweep_state() if checks["database"]["ok"] else {"state": "unknown: no database", "ok": False}
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)
