"""The digest e-mails after each sweep: at most one per person and run.

A person's digest lists, grouped by agency: the findings the run opened for them
(responsible), their findings whose stage changed (a recertification reminder moving to
its next date, or a subject moving from one rule to the next in the same run, such as a
security card from warning to lapsed), the findings escalated to them, and the count of
their findings still open. Preferences (``DigestPreference``): daily (after any run with
something new or changed), weekly (on the set weekday, everything since the last digest),
high only (after a run, high and critical findings only), or none. Only what the
recipient may see is listed (``Finding.objects.visible_to``). A ``DigestSent`` row per run
and person (unique) makes a rerun send nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from portal.compliance import notify

from .choices import DigestFrequency

HIGH = ("high", "critical")


def _continued(run) -> dict[int, str]:
    """New finding id -> the rule title it moved from: subjects whose finding under one
    rule the run resolved while it opened one under another (warning -> lapsed)."""
    from portal.compliance.models import Finding
    from portal.compliance.registry import registry

    resolved = {
        (t, s): rule
        for t, s, rule in Finding.objects.filter(resolved_by_run=run).values_list(
            "subject_type_id", "subject_id", "rule"
        )
    }
    if not resolved:
        return {}
    moved = {}
    for pk, t, s, rule in Finding.objects.filter(opened_by_run=run).values_list(
        "pk", "subject_type_id", "subject_id", "rule"
    ):
        previous = resolved.get((t, s))
        if previous and previous != rule:
            moved[pk] = getattr(registry.get(previous), "title", previous)
    return moved


def digest_for(user, run, frequency: str, since: dt.datetime | None) -> dict:
    """What one person's digest of ``run`` holds (nothing the person may not see)."""
    from portal.compliance.models import Finding

    from .models import FindingEscalation

    visible = Finding.objects.visible_to(user)
    mine = visible.filter(responsible=user)
    if frequency == DigestFrequency.WEEKLY and since is not None:
        new_q = Q(first_seen_at__gt=since)
        changed_q = Q(stage_changed_at__gt=since)
        escalated = FindingEscalation.objects.filter(escalated_to=user, escalated_at__gt=since)
    elif frequency == DigestFrequency.WEEKLY:
        week = timezone.now() - dt.timedelta(days=7)
        new_q, changed_q = Q(first_seen_at__gt=week), Q(stage_changed_at__gt=week)
        escalated = FindingEscalation.objects.filter(escalated_to=user, escalated_at__gt=week)
    else:
        new_q, changed_q = Q(opened_by_run=run), Q(stage_changed_run=run)
        escalated = FindingEscalation.objects.filter(escalated_to=user, run=run)
    if frequency == DigestFrequency.HIGH_ONLY:
        mine = mine.filter(severity__in=HIGH)
    moved = _continued(run)
    new, changed = [], []
    for finding in (
        mine.open().filter(new_q | changed_q).select_related("agency").order_by("agency__name", "rule", "pk")
    ):
        if finding.pk in moved:
            finding.moved_from = moved[finding.pk]
            changed.append(finding)
        elif finding.stage_changed_run_id == run.pk or (
            frequency == DigestFrequency.WEEKLY
            and finding.stage_changed_at
            and finding.stage_changed_at > finding.first_seen_at
        ):
            finding.moved_from = ""
            changed.append(finding)
        else:
            new.append(finding)
    escalations = list(
        visible.open()
        .filter(pk__in=escalated.values("finding_id"))
        .filter(**({"severity__in": HIGH} if frequency == DigestFrequency.HIGH_ONLY else {}))
        .select_related("agency", "responsible")
        .order_by("agency__name", "rule", "pk")
    )
    still_open = mine.open().count()
    return {"new": new, "changed": changed, "escalated": escalations, "open": still_open}


def _group(findings) -> list[tuple[str, list]]:
    groups: dict[str, list] = defaultdict(list)
    for finding in findings:
        groups[finding.agency.name if finding.agency_id else "Not tied to an agency"].append(finding)
    return sorted(groups.items(), key=lambda item: (item[0] == "Not tied to an agency", item[0]))


def _line(finding) -> str:
    text = f"  - [{finding.get_severity_display()}] {finding.rule_title}: {finding.subject_label}."
    if getattr(finding, "moved_from", ""):
        text += f" Moved from: {finding.moved_from}."
    elif finding.stage and getattr(finding, "moved_from", None) is not None:
        text += f" Now: {finding.stage}."
    if finding.detail:
        text += f" {finding.detail}"
    return text


def render_body(user, run, digest: dict) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    parts = [f"{user.get_full_name() or user.username},", "", f"The 287(g) compliance sweep of {run.as_of:%d %B %Y}:"]
    for title, key in (
        ("New findings for which you are responsible", "new"),
        ("Your findings whose stage changed", "changed"),
        ("Findings escalated to you (not acknowledged in time)", "escalated"),
    ):
        if not digest[key]:
            continue
        parts += ["", f"{title} ({len(digest[key])}):"]
        for agency, items in _group(digest[key]):
            parts.append(f" {agency}")
            parts += [_line(f) for f in items]
    parts += [
        "",
        f"Still open and yours: {digest['open']}.",
        "",
        f"Your findings inbox: {base}{reverse('oversight:inbox')}",
        f"Change how often you get this e-mail: {base}{reverse('oversight:preferences')}",
    ]
    return "\n".join(parts) + "\n"


def send_digests(run) -> int:
    """Send the digests of ``run``; return how many e-mails were sent. Nothing is sent while
    the Unit Chief has turned the sweep's e-mails off (``SweepSettings.email_new_findings``,
    on the settings page)."""
    from portal.compliance.models import SweepSettings

    if not SweepSettings.current().email_new_findings:
        return 0
    from portal.compliance.models import Finding
    from portal.roles import role_of

    from .models import DigestPreference, DigestSent, FindingEscalation

    weekly_day = settings.OVERSIGHT_WEEKLY_DIGEST_WEEKDAY
    recipients = set(
        Finding.objects.filter(Q(opened_by_run=run) | Q(stage_changed_run=run), responsible__isnull=False).values_list(
            "responsible_id", flat=True
        )
    ) | set(
        FindingEscalation.objects.filter(run=run, escalated_to__isnull=False).values_list("escalated_to_id", flat=True)
    )
    preferences = dict(DigestPreference.objects.values_list("user_id", "frequency"))
    weekly_people = {uid for uid, f in preferences.items() if f == DigestFrequency.WEEKLY}
    if run.as_of.weekday() == weekly_day:
        recipients |= weekly_people
    else:
        recipients -= weekly_people
    last_sent = dict(
        DigestSent.objects.filter(user_id__in=weekly_people)
        .values_list("user_id")
        .annotate(last=Max("sent_at"))
        .values_list("user_id", "last")
    )
    users = (
        get_user_model()
        .objects.filter(pk__in=recipients, is_active=True)
        .exclude(email="")
        .select_related("staff_profile")
    )
    sent, new_ids = 0, []
    already = set(DigestSent.objects.filter(run=run).values_list("user_id", flat=True))
    for user in users.order_by("pk"):
        if user.pk in already:
            continue  # this person already got this run's digest
        frequency = preferences.get(user.pk, DigestFrequency.DAILY)
        if frequency == DigestFrequency.NONE or role_of(user) is None:
            continue
        digest = digest_for(user, run, frequency, last_sent.get(user.pk))
        if not (digest["new"] or digest["changed"] or digest["escalated"]):
            continue
        count = len(digest["new"]) + len(digest["changed"]) + len(digest["escalated"])
        message = EmailMessage(
            subject=f"287(g) compliance digest: {count} finding(s) to look at, {digest['open']} open",
            body=render_body(user, run, digest),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
        )
        # Retried with backoff, and never sent twice for the run (portal.compliance.notify).
        if not notify.deliver(run=run, person=user, message=message, findings=count):
            continue
        with transaction.atomic():
            DigestSent.objects.get_or_create(
                run=run,
                user=user,
                defaults={
                    "new_count": len(digest["new"]),
                    "changed_count": len(digest["changed"]),
                    "open_count": digest["open"],
                },
            )
        sent += 1
        new_ids += [f.pk for f in digest["new"]]
    if new_ids:
        Finding.objects.filter(pk__in=new_ids, notified_at__isnull=True).update(notified_at=timezone.now())
    return sent
