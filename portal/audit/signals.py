"""Connections of the audit journal to django-simple-history, django.contrib.auth and
Celery (connected once, from ``PortalConfig.ready``)."""

from __future__ import annotations

from contextlib import ExitStack

_task_contexts: dict[str, ExitStack] = {}


def connect() -> None:
    from django.contrib.auth.signals import user_login_failed
    from simple_history.signals import post_create_historical_record, pre_create_historical_record

    from . import recording

    pre_create_historical_record.connect(recording.fill_history_from_context, dispatch_uid="audit-fill-history")
    post_create_historical_record.connect(recording.record_historical_row, dispatch_uid="audit-record-history")
    user_login_failed.connect(login_failed, dispatch_uid="audit-login-failed")
    try:
        from celery.signals import task_postrun, task_prerun
    except ImportError:  # pragma: no cover
        return
    task_prerun.connect(task_started, dispatch_uid="audit-task-started", weak=False)
    task_postrun.connect(task_finished, dispatch_uid="audit-task-finished", weak=False)


def login_failed(sender, credentials=None, request=None, **kwargs):
    """A failed sign-in: journaled with the username tried (never the password)."""
    from django.contrib.auth import get_user_model

    from .models import AuditAction
    from .recording import record_refusal

    credentials = credentials or {}
    username = str(credentials.get("username") or "")[:150]
    user = get_user_model()._default_manager.filter(username=username).first() if username else None
    record_refusal(
        request,
        status=401,
        action=AuditAction.LOGIN_FAILED,
        user=user,
        label=f"Sign-in as “{username}”"[:250] if username else "Sign-in",
    )


def task_started(task_id=None, task=None, **kwargs):
    """A Celery task's writes are journaled under the task: channel "task", its id as the
    request id (a task enqueued from a request keeps that request's id in its headers)."""
    from .context import Channel, clean_request_id, context, peek

    if peek() is not None and peek().channel != Channel.COMMAND:
        return  # run eagerly inside a request or another context: keep that one
    request_id = clean_request_id(task_id)
    stack = ExitStack()
    stack.enter_context(
        context(channel=Channel.TASK, request_id=request_id, actor_label=f"task {getattr(task, 'name', '')}"[:120])
    )
    _task_contexts[task_id] = stack


def task_finished(task_id=None, **kwargs):
    stack = _task_contexts.pop(task_id, None)
    if stack is not None:
        stack.close()
