"""Notifications of the compliance sweep: one message per responsible person per run,
listing the findings the run opened for them.

Each message has its marker (``SweepNotice``, unique per run and person): a message
marked sent is never sent again, however often the notification of a run is repeated (a
retried task, a second call). A message that cannot be sent (the mail server refuses or
is unreachable) is tried ``NOTIFY_ATTEMPTS`` times, waiting ``NOTIFY_BACKOFF_SECONDS``,
then twice as long, between tries; after that its error stays on the marker and the next
call for the run tries it again.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .models import Finding, SweepNotice

logger = logging.getLogger(__name__)
#: What a failed delivery raises and is worth retrying.
TRANSIENT = (smtplib.SMTPException, OSError)
sleep = time.sleep  # a seam for tests, which do not wait


def _body(run, person, items) -> str:
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("home")
    lines = [f"- [{f.get_severity_display()}] {f.rule_title}: {f.subject_label}. {f.detail}".rstrip() for f in items]
    return (
        f"{person.get_full_name() or person.username},\n\n"
        f"The 287(g) compliance sweep of {run.as_of:%d %B %Y} found {len(items)} new "
        f"item(s) for which you are responsible:\n\n" + "\n".join(lines) +
        f"\n\nReview, acknowledge or resolve them in the 287(g) Program Portal: {url}\n"
    )


def _send_with_retries(message: EmailMessage, notice: SweepNotice) -> str:
    """Send one message, retrying with backoff; return the last error ('' once sent)."""
    error = ""
    for attempt in range(max(1, settings.NOTIFY_ATTEMPTS)):
        if attempt:
            sleep(settings.NOTIFY_BACKOFF_SECONDS * 2 ** (attempt - 1))
        notice.attempts += 1
        try:
            if get_connection().send_messages([message]):
                return ""
            error = "The mail server accepted no recipient."
        except TRANSIENT as exc:
            error = f"{type(exc).__name__}: {exc}"
            logger.warning("Sweep e-mail to %s failed (attempt %s): %s", message.to[0], notice.attempts, error)
    return error


def notify_new_findings(run) -> int:
    """E-mail each responsible person the findings this run opened for them, unless
    already sent; return how many messages were sent now. Nothing is sent while the Unit Chief has turned the e-mails off
    (``SweepSettings.email_new_findings``, on the settings page)."""
    from .models import SweepSettings

    if not SweepSettings.current().email_new_findings:
        return 0
    findings = (
        Finding.objects.filter(opened_by_run=run, responsible__isnull=False)
        .exclude(responsible__email="")
        .select_related("responsible")
        .order_by("responsible_id", "severity", "subject_label")
    )
    by_person: dict = defaultdict(list)
    for finding in findings:
        by_person[finding.responsible].append(finding)
    sent = 0
    for person, items in by_person.items():
        SweepNotice.objects.get_or_create(run=run, person=person, defaults={"findings": len(items)})
        # The row lock keeps two notifiers of the same run from both sending (PostgreSQL).
        with transaction.atomic():
            notice = SweepNotice.objects.select_for_update().get(run=run, person=person)
            if notice.sent_at is not None:
                continue
            message = EmailMessage(
                subject=f"287(g) compliance: {len(items)} new finding(s)", body=_body(run, person, items),
                from_email=settings.DEFAULT_FROM_EMAIL, to=[person.email],
            )
            error = _send_with_retries(message, notice)
            now = timezone.now()
            notice.findings = len(items)
            notice.last_error = error
            if not error:
                notice.sent_at = now
                sent += 1
            notice.save(update_fields=["findings", "attempts", "last_error", "sent_at"])
            if not error:
                Finding.objects.filter(pk__in=[f.pk for f in items], notified_at__isnull=True).update(notified_at=now)
        if error:
            logger.error("Sweep e-mail to %s not sent after %s attempts: %s", person.email, notice.attempts, error)
    return sent
