"""Reads of the agreements app used in several places: what an edition of ICE's lists
changed, and the program's timeline."""

from __future__ import annotations

from django.db.models import Count

from .choices import ChangeKind, ReviewStatus


def edition_summary(edition, *, limit: int = 50) -> dict:
    """Counts of an edition's change list and its first lines of each kind, with the
    signing dates HQ is to review (for the edition page and the digest)."""
    from .models import EditionChange, SigningDateReview

    changes = EditionChange.objects.filter(edition=edition)
    counts = {row["kind"]: row["n"] for row in changes.values("kind").annotate(n=Count("id"))}
    changed_agreements = changes.filter(kind=ChangeKind.CHANGED).values("state", "match_key", "program_model").distinct()
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
    """The program's growth month by month, from the first edition of ICE's list the
    portal has (or ``start``) to ``today``: agreements in force at each month's end and
    signed in the month, by 287(g) model; agreements that left ICE's list; the time from
    an application's first pending listing to its signature; and the program managers the
    growth required (HQ's assumed officers per agreement by model, over the staffing
    model's officers per program manager) against those assigned. Agreements are read in
    one query; the staffing figures come from the staffing app's providers."""
    import datetime as dt
    import statistics

    from portal import hooks

    from .choices import ProgramModel
    from .models import Agreement, AgreementSettings, IceImport

    agreements = Agreement.objects.all()
    if state:
        agreements = agreements.filter(agency__state=state)
    if program_model:
        agreements = agreements.filter(program_model=program_model)
    rows = list(agreements.values_list("program_model", "signed_on", "ended_on", "not_listed_since",
                                       "pending_listed_on", "agency__state", "agency__name", "pk"))
    first = start or IceImport.objects.filter(as_of__isnull=False).order_by("as_of").values_list(
        "as_of", flat=True).first()
    signed_dates = [r[1] for r in rows if r[1]]
    if first is None:
        first = min(signed_dates) if signed_dates else today
    months = []
    year, month = first.year, first.month
    while (year, month) <= (today.year, today.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    models = [m for m, _ in ProgramModel.choices]
    settings_row = AgreementSettings.current()
    per_agreement = settings_row.officers_per_agreement()
    officers_per_pm = hooks.call("staffing_officers_per_pm", default=12) or 12
    ends = [min(_month_end(y, m), today) for y, m in months]
    assigned = hooks.call("program_managers_assigned_on", ends, default={}) or {}

    series = []
    for (y, m), end in zip(months, ends):
        start_of_month = dt.date(y, m, 1)
        in_force = {model: 0 for model in models}
        signed = {model: 0 for model in models}
        left = 0
        for model, signed_on, ended_on, gone, *_ in rows:
            if signed_on and start_of_month <= signed_on <= end:
                signed[model] += 1
            if gone and start_of_month <= gone <= end:
                left += 1
            if not signed_on or signed_on > end:
                continue
            if (ended_on and ended_on <= end) or (gone and gone <= end):
                continue
            in_force[model] += 1
        officers = sum(in_force[model] * per_agreement.get(model, 0) for model in models)
        series.append({
            "month": f"{y:04d}-{m:02d}", "in_force": in_force, "in_force_total": sum(in_force.values()),
            "signed": signed, "signed_total": sum(signed.values()), "left": left,
            "officers": officers, "pms_required": round(officers / officers_per_pm, 1),
            "pms_assigned": assigned.get(end, 0),
        })

    waits = sorted((r[1] - r[4]).days for r in rows if r[1] and r[4] and r[1] >= r[4])
    by_state: dict[str, dict] = {}
    last_end = ends[-1] if ends else today
    for model, signed_on, ended_on, gone, pending_on, agency_state, *_ in rows:
        entry = by_state.setdefault(agency_state, {"state": agency_state, "in_force": 0, "signed_in_period": 0,
                                                   "left": 0, **{f"in_force_{m}": 0 for m in models}})
        if signed_on and signed_on >= first:
            entry["signed_in_period"] += 1
        if gone:
            entry["left"] += 1
        if signed_on and signed_on <= last_end and not (ended_on and ended_on <= last_end) and not gone:
            entry["in_force"] += 1
            entry[f"in_force_{model}"] += 1
    left_list = sorted(((r[3], r[6], r[5], r[0], r[7]) for r in rows if r[3]), reverse=True)
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
        "left": [{"since": since, "agency": name, "state": st, "program_model": model, "agreement": pk}
                 for since, name, st, model, pk in left_list[:200]],
        "left_count": len(left_list),
        "officers_per_agreement": per_agreement,
        "officers_per_pm": officers_per_pm,
        "first": first,
    }


# --- the onboarding queue -----------------------------------------------------------------------

def onboarding_queue(*, today, user=None, include_done: bool = False):
    """The onboarding entries (visible to ``user``) with what each still lacks: the field
    office to confirm, a primary and a backup program manager on ``today``, the
    installation decision. Annotated in one query."""
    from django.db.models import Count, Q

    from .models import OnboardingEntry

    active = (Q(agency__assignments__starts_on__lte=today)
              & (Q(agency__assignments__ends_on__isnull=True) | Q(agency__assignments__ends_on__gte=today)))
    entries = OnboardingEntry.objects.all() if user is None else OnboardingEntry.objects.visible_to(user)
    if not include_done:
        entries = entries.filter(completed_on__isnull=True)
    return (entries.select_related("agency", "agency__field_office", "edition")
            .annotate(primaries=Count("agency__assignments", filter=active & Q(agency__assignments__kind="primary"),
                                      distinct=True),
                      backups=Count("agency__assignments", filter=active & Q(agency__assignments__kind="backup"),
                                    distinct=True))
            .order_by("agency__field_office__name", "agency__state", "agency__name"))


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
    return set(OnboardingEntry.objects.filter(completed_on__isnull=True,
                                              entered_on__gte=today - dt.timedelta(days=grace))
               .values_list("agency_id", flat=True))
