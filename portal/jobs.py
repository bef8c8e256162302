"""Long work started from a page, run as a Celery task and followed on its job page.

An app declares a kind of work with ``@jobs.register("app.kind", title=...)`` in its
``jobs.py`` (found at start-up, as ``rules.py`` are). A view starts it with
``jobs.start(kind, user=..., params=..., content=..., back_url=...)`` and sends the
browser to the job's page (``job_redirect``), which shows a progress bar and moves to the
result page when the work is done.

The work runs in the Celery task ``portal.run_job``: in a worker when ``REDIS_URL`` is
set, in-process (at once, in the request) otherwise, as every task of the portal. It runs
in one transaction, under the audit context of the person who started it: when it raises,
nothing it wrote stays and the job keeps the error (and, for a refusal of its input, the
messages per field); its input (an uploaded file) is kept with the job either way.

The work reports its progress with ``jobs.progress(done, total, message)``. Most work
writes inside a transaction, so its progress rows would not be seen by the page polling
them until the end: progress goes to the cache (Redis, shared by the web and the worker
processes) and is written to the job's row when the work ends.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from celery import current_app, shared_task
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone

logger = logging.getLogger(__name__)

PROGRESS_KEY = "portal:job:{pk}:progress"
PROGRESS_TTL = 24 * 3600
#: Progress is written to the cache at most this often (seconds), and on every change of message.
PROGRESS_EVERY = 0.25


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    function: Callable
    atomic: bool = True  # False for work that commits its own steps (the sweep)


@dataclass
class Outcome:
    """What a job's work answers: the page of its result, its report, and a file to download."""

    url: str = ""
    result: dict = field(default_factory=dict)
    message: str = ""
    file_name: str = ""
    file_type: str = ""
    file: bytes | None = None


REGISTRY: dict[str, Kind] = {}


def register(name: str, *, title: str, atomic: bool = True):
    """Declare a kind of work: ``function(job, **params) -> Outcome``. ``atomic`` off for
    work that commits its own steps and records its own failures (the sweep)."""

    def decorate(function):
        REGISTRY[name] = Kind(name, title, function, atomic)
        return function

    return decorate


def start(
    kind: str,
    *,
    user,
    params: dict | None = None,
    content: bytes | None = None,
    input_name: str = "",
    title: str = "",
    back_url: str = "",
):
    """Record a job and hand it to Celery; return the job (already finished when tasks
    run in-process)."""
    from .models import Job
    from .tasks import enqueue

    spec = REGISTRY[kind]
    job = Job.objects.create(
        kind=kind,
        title=(title or spec.title)[:200],
        params=params or {},
        input=content,
        input_name=input_name[:250],
        back_url=back_url[:500],
        requested_by=user,
        message="Waiting for a worker",
    )
    if current_app.conf.task_always_eager:
        # No broker: the work runs here and now, in this request's connection.
        run(job.pk)
        job.refresh_from_db()
    else:
        enqueue("portal.run_job", job.pk)
    return job


def job_redirect(job):
    return redirect(job.get_absolute_url())


def follow(job, form, reshow):
    """The answer to the page that started ``job`` for ``form``: its form again (``reshow``,
    a callable answering 400) when the work refused the input at once, else the job's page."""
    return reshow() if refused_at_once(job, form) else job_redirect(job)


def refused_at_once(job, form=None) -> bool:
    """Whether the work already refused its input (tasks run in-process); with a form, its
    messages are put on the fields they concern, as the page did before the work ran as a
    job, so the page can re-show the form (400). A worker's refusal shows on the job's page."""
    from .models import Job

    if job.status != Job.Status.FAILED or not job.errors:
        return False
    if form is not None:
        for name, problems in job.errors.items():
            form.add_error(name if name in form.fields else None, problems)
    return True


# --- progress ---------------------------------------------------------------------------

_current: contextvars.ContextVar = contextvars.ContextVar("portal_job", default=None)


@dataclass
class _Tracker:
    pk: int
    done: int = 0
    total: int | None = None
    message: str = ""
    written_at: float = 0.0


def progress(done: int | None = None, total: int | None = None, message: str | None = None, *, step: int = 0) -> None:
    """Report the running job's progress: ``done`` of ``total`` (or ``step`` more done),
    and what it is doing now. Outside a job it does nothing, so services call it freely."""
    tracker = _current.get()
    if tracker is None:
        return
    changed_message = message is not None and message != tracker.message
    if total is not None:
        tracker.total = total
    if done is not None:
        tracker.done = done
    tracker.done += step
    if message is not None:
        tracker.message = message[:300]
    now = time.monotonic()
    if changed_message or now - tracker.written_at >= PROGRESS_EVERY or tracker.done == tracker.total:
        tracker.written_at = now
        cache.set(
            PROGRESS_KEY.format(pk=tracker.pk),
            {"done": tracker.done, "total": tracker.total, "message": tracker.message},
            PROGRESS_TTL,
        )


def live_progress(job) -> dict:
    """The job's progress as the page shows it: the cache's while it runs, else its row's."""
    state = {"done": job.done, "total": job.total, "message": job.message}
    if job.status == job.Status.RUNNING:
        state.update(cache.get(PROGRESS_KEY.format(pk=job.pk)) or {})
    return state


# --- running ----------------------------------------------------------------------------


def _describe(exc: Exception) -> tuple[str, dict]:
    """The message a person reads for a failure, and the messages per field of a refusal."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            errors = {name: list(messages) for name, messages in exc.message_dict.items()}
            return " ".join(m for messages in errors.values() for m in messages), errors
        return " ".join(exc.messages), {}
    message = getattr(exc, "message", None) or str(exc)
    return f"{message}" if message else type(exc).__name__, {}


def run(job_id: int) -> str:
    """Run a queued job; return its final status. A job not waiting is left as it is
    (a task delivered twice runs the work once)."""
    from .audit.context import context
    from .models import Job

    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), message="Starting"
    )
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    if not claimed:
        return job.status
    spec = REGISTRY.get(job.kind)
    tracker = _Tracker(job.pk, message="Starting")
    token = _current.set(tracker)
    outcome, failure = None, None
    try:
        if spec is None:
            raise LookupError(f"No work is registered as {job.kind!r}.")
        with context(actor=job.requested_by, actor_label=f"job #{job.pk}"):
            if spec.atomic:
                with transaction.atomic():
                    outcome = spec.function(job, **job.params)
            else:
                outcome = spec.function(job, **job.params)
    except Exception as exc:  # kept on the job: the transaction above wrote nothing
        logger.exception("Job #%s (%s) failed", job.pk, job.kind)
        failure = exc
    finally:
        _current.reset(token)
        cache.delete(PROGRESS_KEY.format(pk=job.pk))
    fields = {"finished_at": timezone.now(), "done": tracker.done, "total": tracker.total}
    if failure is not None:
        error, errors = _describe(failure)
        fields.update(status=Job.Status.FAILED, error=error[:5000], errors=errors, message="Stopped: nothing was saved")
    else:
        outcome = outcome or Outcome()
        total = tracker.total if tracker.total is not None else max(tracker.done, 1)
        fields.update(
            status=Job.Status.DONE,
            done=total,
            total=total,
            message=(outcome.message or "Done")[:300],
            result=outcome.result,
            result_url=outcome.url[:500],
        )
        if outcome.file is not None:
            fields.update(output=outcome.file, output_name=outcome.file_name[:250], output_type=outcome.file_type[:100])
    Job.objects.filter(pk=job.pk).update(**fields)
    return fields["status"]


@shared_task(name="portal.run_job")
def run_job(job_id: int) -> str:
    return run(job_id)


# --- the portal's own long work ---------------------------------------------------------


@register("portal.sweep", title="Compliance sweep", atomic=False)
def sweep_job(job) -> Outcome:
    """The compliance sweep started by HQ: one run over every rule, as the nightly one
    (each rule commits on its own; a failing rule is recorded on the run)."""
    from django.urls import reverse

    from .compliance.registry import registry
    from .compliance.sweep import sweep_run

    rules = len(registry.all())
    progress(0, None, f"Evaluating the {rules} compliance rules over all data")
    user = job.requested_by
    run = sweep_run(triggered_by=f"HQ: {user.username if user else 'job'}")
    counts = {code: c for code, c in (run.counts or {}).items() if isinstance(c, dict)}
    opened = sum(c.get("opened", 0) for c in counts.values())
    resolved = sum(c.get("resolved", 0) for c in counts.values())
    progress(rules, rules, "Sweep finished")
    return Outcome(
        url=reverse("findings"),
        result={"run": run.pk, "status": run.status, "opened": opened, "resolved": resolved, "error": run.error},
        message=f"Sweep run #{run.pk} {run.get_status_display().lower()}: {opened} finding(s) opened, "
        f"{resolved} resolved.",
    )


def _counted(rows, total: int, message: str):
    progress(0, total, message)
    for row in rows:
        yield row
        progress(step=1)


@register("portal.export", title="Export")
def export_job(job, *, view: str, query: str, fmt: str, kwargs: dict | None = None) -> Outcome:
    """A list page's export of more rows than answer at once: the rows the person who
    asked for it sees, with the page's filters and sort, written as a CSV file or Excel
    workbook to download from the job's page."""
    from django.http import QueryDict
    from django.test import RequestFactory
    from django.utils.module_loading import import_string

    from .tables import csv_response, xlsx_response

    request = RequestFactory().get("/", QueryDict(query))
    request.user = job.requested_by
    page = import_string(view)()
    page.setup(request, **(kwargs or {}))
    queryset = page.get_queryset()
    total = queryset.count()
    columns = page.visible_columns(export=True)
    rows = _counted(queryset.iterator(chunk_size=2000), total, f"Writing {total:,} rows")
    if fmt == "csv":
        response = csv_response(columns, rows, page.export_name)
        content = b"".join(part if isinstance(part, bytes) else part.encode() for part in response.streaming_content)
    else:
        response = xlsx_response(columns, rows, page.export_name, page.title)
        content = response.content
    return Outcome(
        result={"rows": total},
        message=f"{total:,} rows written",
        file_name=f"{page.export_name}.{fmt}",
        file_type=response["Content-Type"],
        file=content,
    )
