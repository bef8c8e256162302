"""Reads of the agreements app used beyond its own pages: the home page's figures, what
an edition of ICE's lists changed, the program's timeline and the onboarding queue."""

from __future__ import annotations

from django.db.models import Count

from .choices import HELD_STATUSES, PENDING_STATUSES, AgreementStatus, ChangeKind, ReviewStatus
from .models import Agency, Agreement


def agreement_figures(user) -> dict[str, int]:
    """The home page's figures of the caller's scope: agencies, signed agreements and
    pending applications (the portal asks through ``portal.hooks``)."""
    by_status = dict(
        Agreement.objects.visible_to(user).values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {
        "agency_count": Agency.objects.visible_to(user).count(),
        "signed_count": by_status.get(AgreementStatus.SIGNED, 0),
        "pending_count": sum(by_status.get(s, 0) for s in PENDING_STATUSES),
    }


def edition_summary(edition, *, limit: int = 50) -> dict:
    """Counts of an edition's change list and its first lines of each kind, with the
    signing dates HQ is to review (for the edition page and the digest)."""
    from .models import EditionChange, SigningDateReview

    changes = EditionChange.objects.filter(edition=edition)
    counts = {row["kind"]: row["n"] for row in changes.values("kind").annotate(n=Count("id"))}
    changed_agreements = (
        changes.filter(kind=ChangeKind.CHANGED).values("state", "match_key", "program_model").distinct()
    )
    reviews = SigningDateReview.objects.filter(edition=edition).select_related("agreement__agency")
    return {
        "new": counts.get(ChangeKind.NEW, 0),
        "removed": counts.get(ChangeKind.REMOVED, 0),
        "changed": changed_agreements.count(),
        "changed_fields": counts.get(ChangeKind.CHANGED, 0),
        "new_lines": list(changes.filter(kind=ChangeKind.NEW)[:limit]),
        "removed_lines": list(changes.filter(kind=ChangeKind.REMOVED)[:limit]),
        "changed_lines": list(changes.filter(kind=ChangeKind.CHANGED)[:limit]),
        "to_review": list(reviews.filter(status=ReviewStatus.PENDING)[:limit]),
        "to_review_count": reviews.filter(status=ReviewStatus.PENDING).count(),
        "previous": edition.previous,
    }


# --- the program's timeline ---------------------------------------------------------------------


def _month_end(year: int, month: int):
    import datetime as dt

    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def program_timeline(*, today, state: str = "", program_model: str = "", start=None) -> dict:
    """The program's growth month by month as ICE's published lists record it, from the
    first edition the portal has (or ``start``) to ``today``: agreements in force at each
    month's end (those on the latest participating edition as of then) and signed in the
    month, by 287(g) model; agreements that left the list (on the edition that first
    omitted them); the time from an agreement's first pending listing to its signature;
    and the program managers the growth required (HQ's assumed officers per agreement by
    model, over the staffing model's officers per program manager) against those
    assigned (the staffing app's provider). Editions that were discarded, or are not
    dated, are left out; applied and stored ones count alike (both are ICE's record)."""
    import datetime as dt
    import statistics

    from portal import hooks

    from .choices import ChangeKind, ImportStatus, ProgramModel
    from .models import AgreementSettings, EditionChange, IceImport

    def wanted(row) -> bool:
        return (not state or row["state"] == state) and (not program_model or row["program_model"] == program_model)

    editions = list(
        IceImport.objects.filter(as_of__isnull=False)
        .exclude(status=ImportStatus.DISCARDED)
        .order_by("as_of", "pk")
        .values("pk", "edition", "as_of", "rows")
    )
    participating = [e for e in editions if e["edition"] == "participating"]
    signed_on: dict[tuple, dt.date] = {}
    for edition in participating:  # the latest edition's date wins (ICE corrects dates)
        for row in edition["rows"]:
            if row.get("signed_on") and wanted(row):
                signed_on[(row["state"], row["match_key"], row["program_model"])] = dt.date.fromisoformat(
                    row["signed_on"]
                )
    first_pending: dict[tuple, dt.date] = {}
    for edition in editions:
        if edition["edition"] == "pending":
            for row in edition["rows"]:
                first_pending.setdefault((row["state"], row["match_key"], row["program_model"]), edition["as_of"])

    first = start or (participating[0]["as_of"] if participating else today)
    months = []
    year, month = first.year, first.month
    while (year, month) <= (today.year, today.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    models = [m for m, _ in ProgramModel.choices]
    per_agreement = AgreementSettings.current().officers_per_agreement()
    officers_per_pm = hooks.call("staffing_officers_per_pm", default=12) or 12
    ends = [min(_month_end(y, m), today) for y, m in months]
    assigned = hooks.call("program_managers_assigned_on", ends, default={}) or {}
    removed = EditionChange.objects.filter(
        kind=ChangeKind.REMOVED, edition__edition="participating", edition__as_of__isnull=False
    ).exclude(edition__status=ImportStatus.DISCARDED)
    if state:
        removed = removed.filter(state=state)
    if program_model:
        removed = removed.filter(program_model=program_model)
    removed = list(
        removed.values_list("edition__as_of", "agency_name", "state", "program_model", "agreement_id").order_by(
            "-edition__as_of", "agency_name"
        )
    )

    in_force_by_edition = {}
    for edition in participating:
        counts = dict.fromkeys(models, 0)
        for row in edition["rows"]:
            if wanted(row):
                counts[row["program_model"]] = counts.get(row["program_model"], 0) + 1
        in_force_by_edition[edition["pk"]] = counts
    series = []
    index = -1
    for (y, m), end in zip(months, ends):
        start_of_month = dt.date(y, m, 1)
        while index + 1 < len(participating) and participating[index + 1]["as_of"] <= end:
            index += 1
        in_force = dict(in_force_by_edition[participating[index]["pk"]]) if index >= 0 else dict.fromkeys(models, 0)
        signed = dict.fromkeys(models, 0)
        for (_, _, model), day in signed_on.items():
            if start_of_month <= day <= end:
                signed[model] += 1
        officers = sum(in_force.get(model, 0) * per_agreement.get(model, 0) for model in models)
        series.append(
            {
                "month": f"{y:04d}-{m:02d}",
                "in_force": in_force,
                "in_force_total": sum(in_force.values()),
                "signed": signed,
                "signed_total": sum(signed.values()),
                "left": sum(1 for r in removed if start_of_month <= r[0] <= end),
                "officers": officers,
                "pms_required": round(officers / officers_per_pm, 1),
                "pms_assigned": assigned.get(end, 0),
            }
        )

    waits = sorted((signed_on[k] - d).days for k, d in first_pending.items() if k in signed_on and signed_on[k] >= d)
    by_state: dict[str, dict] = {}

    def state_entry(code):
        return by_state.setdefault(
            code,
            {"state": code, "in_force": 0, "signed_in_period": 0, "left": 0, **{f"in_force_{m}": 0 for m in models}},
        )

    if participating:
        for row in participating[-1]["rows"]:
            if wanted(row):
                entry = state_entry(row["state"])
                entry["in_force"] += 1
                entry[f"in_force_{row['program_model']}"] += 1
    for (code, _, _), day in signed_on.items():
        if day >= first:
            state_entry(code)["signed_in_period"] += 1
    for r in removed:
        state_entry(r[2])["left"] += 1
    return {
        "months": series,
        "models": ProgramModel.choices,
        "by_state": sorted(by_state.values(), key=lambda e: (-e["in_force"], e["state"])),
        "wait": {
            "count": len(waits),
            "median": statistics.median(waits) if waits else None,
            "p90": waits[int(0.9 * (len(waits) - 1))] if waits else None,
            "max": waits[-1] if waits else None,
        },
        "left": [
            {"since": since, "agency": name, "state": st, "program_model": model, "agreement": pk}
            for since, name, st, model, pk in removed[:200]
        ],
        "left_count": len(removed),
        "officers_per_agreement": per_agreement,
        "officers_per_pm": officers_per_pm,
        "first": first,
        "editions": len(editions),
    }


# --- the onboarding queue -----------------------------------------------------------------------


def onboarding_queue(*, today, user=None, include_done: bool = False):
    """The onboarding entries (visible to ``user``) with what each still lacks: the field
    office to confirm, a primary and a backup program manager on ``today``, the
    installation decision. Annotated in one query."""
    from django.db.models import Count, Q

    from .models import OnboardingEntry

    active = Q(agency__assignments__starts_on__lte=today) & (
        Q(agency__assignments__ends_on__isnull=True) | Q(agency__assignments__ends_on__gte=today)
    )
    entries = OnboardingEntry.objects.all() if user is None else OnboardingEntry.objects.visible_to(user)
    if not include_done:
        entries = entries.filter(completed_on__isnull=True)
    return (
        entries.select_related("agency", "agency__field_office", "edition")
        .annotate(
            primaries=Count(
                "agency__assignments", filter=active & Q(agency__assignments__kind="primary"), distinct=True
            ),
            backups=Count("agency__assignments", filter=active & Q(agency__assignments__kind="backup"), distinct=True),
        )
        .order_by("agency__field_office__name", "agency__state", "agency__name")
    )


def onboarding_missing(entry) -> list[str]:
    """What an (annotated) entry still lacks, in words."""
    missing = []
    if not entry.agency.field_office_confirmed:
        missing.append("field office to confirm")
    if not entry.primaries:
        missing.append("primary program manager")
    if not entry.backups:
        missing.append("backup program manager")
    if not entry.installation_decision:
        missing.append("installation decision")
    return missing


def agencies_onboarding_in_grace(today) -> set[int]:
    """Agencies in the onboarding queue, not finished, within HQ's grace period."""
    import datetime as dt

    from .models import AgreementSettings, OnboardingEntry

    grace = AgreementSettings.current().onboarding_grace_days
    return set(
        OnboardingEntry.objects.filter(
            completed_on__isnull=True, entered_on__gte=today - dt.timedelta(days=grace)
        ).values_list("agency_id", flat=True)
    )


def other_agreements_held(agreement: Agreement, program_models=None, *, include_pending: bool = False):
    """The agency's other agreements that are signed and not ended (in force, or suspended
    and so may be reinstated), and with ``include_pending`` its pending applications too,
    optionally only those of ``program_models``. An agreement's end takes away what hangs
    off the agency only when this is empty."""
    statuses = [*HELD_STATUSES, *(PENDING_STATUSES if include_pending else ())]
    others = Agreement.objects.filter(agency_id=agreement.agency_id, status__in=statuses).exclude(pk=agreement.pk)
    if program_models is not None:
        others = others.filter(program_model__in=list(program_models))
    return others
