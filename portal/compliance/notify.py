"""Delivery of the compliance sweep's e-mails (the digests, ``oversight/digests.py``): at
most one message per person per run.

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

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from .models import SweepNotice

logger = logging.getLogger(__name__)
#: What a failed delivery raises and is worth retrying.
TRANSIENT = (smtplib.SMTPException, OSError)
sleep = time.sleep  # a seam for tests, which do not wait


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


def deliver(*, run, person, message: EmailMessage, findings: int = 0) -> bool:
    """Send ``message`` (the sweep's e-mail of ``run`` to ``person``) unless its marker says
    it was sent; retry with backoff; record the attempt on the marker. True once sent now."""
    SweepNotice.objects.get_or_create(run=run, person=person, defaults={"findings": findings})
    # The row lock keeps two notifiers of the same run from both sending (PostgreSQL).
    with transaction.atomic():
        notice = SweepNotice.objects.select_for_update().get(run=run, person=person)
        if notice.sent_at is not None:
            return False
        error = _send_with_retries(message, notice)
        notice.findings = findings
        notice.last_error = error
        if not error:
            notice.sent_at = timezone.now()
        notice.save(update_fields=["findings", "attempts", "last_error", "sent_at"])
    if error:
        logger.error("Sweep e-mail to %s not sent after %s attempts: %s", person.email, notice.attempts, error)
    return not error
