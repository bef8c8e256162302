"""Notifications of the compliance sweep: one message per responsible person per run,
listing the findings the run opened for them."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.mail import get_connection, EmailMessage
from django.urls import reverse
from django.utils import timezone

from .models import Finding


def notify_new_findings(run) -> int:
    """E-mail each responsible person the findings this run opened for them; return how
    many messages were sent. Nothing is sent while the Unit Chief has turned the
    e-mails off (``SweepSettings.email_new_findings``)."""
    from .models import SweepSettings

    if not SweepSettings.current().email_new_findings:
        return 0
    findings = (
        Finding.objects.filter(opened_by_run=run, responsible__isnull=False, notified_at__isnull=True)
        .exclude(responsible__email="")
        .select_related("responsible")
        .order_by("responsible_id", "severity", "subject_label")
    )
    by_person: dict = defaultdict(list)
    for finding in findings:
        by_person[finding.responsible].append(finding)
    if not by_person:
        return 0
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("home")
    messages = []
    for person, items in by_person.items():
        lines = [f"- [{f.get_severity_display()}] {f.rule_title}: {f.subject_label}. {f.detail}".rstrip() for f in items]
        body = (
            f"{person.get_full_name() or person.username},\n\n"
            f"The 287(g) compliance sweep of {run.as_of:%d %B %Y} found {len(items)} new "
            f"item(s) for which you are responsible:\n\n" + "\n".join(lines) +
            f"\n\nReview, acknowledge or resolve them in the 287(g) Program Portal: {url}\n"
        )
        messages.append(
            EmailMessage(
                subject=f"287(g) compliance: {len(items)} new finding(s)",
                body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[person.email],
            )
        )
    sent = get_connection().send_messages(messages) or 0
    Finding.objects.filter(opened_by_run=run, responsible__isnull=False, notified_at__isnull=True).exclude(
        responsible__email=""
    ).update(notified_at=timezone.now())
    return sent
