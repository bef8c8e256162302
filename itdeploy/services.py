"""Writes of the IT installation pipeline. Every change records the acting user (and a
reason) in the record's history; date and order rules answer 400 (bad date) or 409
(the step's state or its dependencies do not allow it)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import dates
from portal.audit.bulk import bulk_create_with_history
from portal.errors import TransitionNotAllowed
from portal.history import stamp
from portal.tables import display
from portal.writes import model_update

from .choices import InstallationStatus, PauseReason, StepKind
from .models import (
    Installation,
    InstallationPause,
    InstallationSettings,
    InstallationStep,
    Installer,
    InstallerUnavailability,
    ProgramModelSetting,
    StepPause,
    StepTemplate,
)


def _check_date(field: str, value: dt.date | None, *, not_before: dt.date | None = None, not_before_label: str = ""):
    if value is None:
        raise ValidationError({field: ["Give a date."]})
    if value > dates.today():
        raise ValidationError({field: ["The date cannot be in the future."]})
    if not_before is not None and value < not_before:
        raise ValidationError({field: [f"The date cannot be before {not_before_label} ({display(not_before)})."]})


def needs_installation(program_model: str) -> bool:
    return ProgramModelSetting.objects.filter(program_model=program_model, needs_installation=True).exists()


# --- opening --------------------------------------------------------------------------


@transaction.atomic
def installation_open(*, agreement, acting_user, opened_on: dt.date | None = None) -> Installation | None:
    """Open the installation of the agreement's agency if it has none and the agreement's
    287(g) model needs a site installation; otherwise return the existing one (one per
    site) or None. An agreement signed more than the goal's days before the opening
    (loaded from ICE's lists) opens as "status unknown, to confirm", so old sites do not
    flood the sweep until HQ confirms where they stand. The plan's steps without
    dependencies start at the MOA signature."""
    existing = Installation.objects.filter(agency_id=agreement.agency_id).first()
    if existing is not None:
        if existing.status == InstallationStatus.CANCELLED and needs_installation(agreement.program_model):
            return installation_reopen(installation=existing, agreement=agreement, acting_user=acting_user)
        return existing
    opened = installations_open_for(
        agreements=[agreement],
        acting_user=acting_user,
        opened_on=opened_on,
        reason=f"Opened on the signature of the MOA ({agreement.get_program_model_display()})",
    )
    return opened[0] if opened else None


@transaction.atomic
def installations_open_for(
    *,
    agreements,
    acting_user,
    opened_on: dt.date | None = None,
    reason: str = "Opened on the signature of the MOA (ICE list import)",
) -> list[Installation]:
    """Open, set-based, the installations of many signed agreements at once (an ICE list
    import): one per agency without one, from its earliest signed agreement whose model
    needs a site; the same rules as ``installation_open``, in a fixed number of queries."""
    opened_on = opened_on or dates.today()
    models_needing = set(
        ProgramModelSetting.objects.filter(needs_installation=True).values_list("program_model", flat=True)
    )
    # A cancelled installation (its agreement ended) is reopened by the new agreement.
    have = set(
        Installation.objects.filter(agency_id__in={a.agency_id for a in agreements})
        .exclude(status=InstallationStatus.CANCELLED)
        .values_list("agency_id", flat=True)
    )
    first_by_agency: dict = {}
    for agreement in sorted(agreements, key=lambda a: (a.signed_on or dt.date.max, a.pk)):
        if agreement.signed_on is None or agreement.program_model not in models_needing or agreement.agency_id in have:
            continue
        first_by_agency.setdefault(agreement.agency_id, agreement)
    reopened = [
        installation_reopen(
            installation=installation, agreement=first_by_agency.pop(installation.agency_id), acting_user=acting_user
        )
        for installation in Installation.objects.filter(
            agency_id__in=list(first_by_agency), status=InstallationStatus.CANCELLED
        )
    ]
    if not first_by_agency:
        return reopened
    goal = InstallationSettings.current().goal_days
    installations = [
        Installation(
            agency_id=agency_id,
            opened_from=agreement,
            moa_signed_on=agreement.signed_on,
            opened_on=opened_on,
            status=(
                InstallationStatus.UNCONFIRMED
                if (opened_on - agreement.signed_on).days > goal
                else InstallationStatus.IN_PROGRESS
            ),
        )
        for agency_id, agreement in first_by_agency.items()
    ]
    bulk_create_with_history(
        installations, Installation, batch_size=500, default_user=acting_user, default_change_reason=reason
    )
    installations = list(Installation.objects.filter(agency_id__in=first_by_agency))
    templates = list(StepTemplate.objects.prefetch_related("depends_on").order_by("number"))
    steps = [
        InstallationStep(
            installation=installation,
            template=t,
            number=t.number,
            name=t.name,
            owner=t.owner,
            kind=t.kind,
            planned_days=t.planned_days,
            started_on=(
                installation.moa_signed_on
                if installation.status == InstallationStatus.IN_PROGRESS and not t.depends_on.all()
                else None
            ),
        )
        for installation in installations
        for t in templates
    ]
    bulk_create_with_history(
        steps,
        InstallationStep,
        batch_size=1000,
        default_user=acting_user,
        default_change_reason="Copied from the installation plan",
    )
    step_ids = {
        (installation_id, number): pk
        for pk, installation_id, number in InstallationStep.objects.filter(installation__in=installations).values_list(
            "pk", "installation_id", "number"
        )
    }
    through = InstallationStep.depends_on.through
    through.objects.bulk_create(
        [
            through(
                from_installationstep_id=step_ids[(i.pk, t.number)], to_installationstep_id=step_ids[(i.pk, d.number)]
            )
            for i in installations
            for t in templates
            for d in t.depends_on.all()
        ],
        batch_size=1000,
    )
    return reopened + installations


@transaction.atomic
def installation_reopen(*, installation: Installation, agreement, acting_user) -> Installation:
    """A new agreement that needs the site was signed for an agency whose installation a
    termination or withdrawal cancelled: the same installation (one per site) is reopened
    rather than a new one started, so its history keeps the cancelled episode. Its clock
    against the goal runs again from the new MOA signature (pauses from before it do not
    count); the steps completed before the cancellation stay complete (that work is done:
    the survey, the ISA, the equipment bought); each cancelled step is opened again,
    started at the new signature when the steps it depends on are complete. An agreement
    signed more than the goal's days ago (loaded from ICE's lists) reopens as "status
    unknown", as a new installation would open."""
    installation = Installation.objects.select_for_update().get(pk=installation.pk)
    if installation.status != InstallationStatus.CANCELLED or agreement.signed_on is None:
        return installation
    signed = agreement.signed_on
    today = dates.today()
    unconfirmed = (today - signed).days > InstallationSettings.current().goal_days
    why = (
        f"Reopened: a new agreement ({agreement.get_program_model_display()}) was signed on {display(signed)} "
        f"after the installation was cancelled on {display(installation.cancelled_on)}"
    )[:100]
    steps = list(installation.steps.prefetch_related("depends_on").order_by("number"))
    done = {s.number for s in steps if s.completed_on is not None}
    for step in steps:
        if step.cancelled_on is None:
            continue
        ready = not unconfirmed and all(d.number in done for d in step.depends_on.all())
        step.cancelled_on, step.started_on = None, (signed if ready else None)
        stamp(step, acting_user, why)
        step.save(update_fields=["cancelled_on", "started_on"])
    installation.status = InstallationStatus.UNCONFIRMED if unconfirmed else InstallationStatus.IN_PROGRESS
    installation.cancelled_on = None
    installation.moa_signed_on, installation.opened_from, installation.opened_on = signed, agreement, today
    installation.full_clean()
    stamp(installation, acting_user, why)
    installation.save(update_fields=["status", "cancelled_on", "moa_signed_on", "opened_from", "opened_on"])
    return installation


@transaction.atomic
def installation_follow_signing_date(*, agreement, previous_signed_on, acting_user) -> Installation | None:
    """The MOA's signing date was corrected (ICE's list, accepted by HQ): the installation
    it opened takes the new date, so its 180-day clock runs from it, and the steps that
    started at the old signature start at the new one. A site already operational before
    the new date keeps its date (HQ is told by the record's note)."""
    installation = (
        Installation.objects.select_for_update()
        .filter(agency_id=agreement.agency_id)
        .filter(opened_from_id=agreement.pk)
        .first()
    )
    if installation is None or agreement.signed_on is None or installation.moa_signed_on == agreement.signed_on:
        return installation
    new = agreement.signed_on
    if installation.operational_on and installation.operational_on < new:
        installation.note = (
            f"ICE's list moved the MOA signature to {display(new)}, after the site became "
            f"operational; the clock keeps {display(installation.moa_signed_on)}."
        )[:250]
        stamp(installation, acting_user, "Signing date corrected after the site was operational")
        installation.save(update_fields=["note"])
        return installation
    old = installation.moa_signed_on
    installation.moa_signed_on = new
    stamp(installation, acting_user, f"MOA signing date corrected: {display(old)} -> {display(new)}")
    installation.save(update_fields=["moa_signed_on"])
    for step in installation.steps.filter(started_on=old, completed_on__isnull=True):
        step.started_on = new
        stamp(step, acting_user, "Starts at the corrected MOA signature")
        step.save(update_fields=["started_on"])
    return installation


# --- steps ----------------------------------------------------------------------------


def _locked(step: InstallationStep) -> InstallationStep:
    return InstallationStep.objects.select_for_update().select_related("installation").get(pk=step.pk)


def _require_in_progress(installation: Installation):
    if installation.status == InstallationStatus.UNCONFIRMED:
        raise TransitionNotAllowed("This installation's status is unknown: HQ confirms where it stands first.")
    if installation.status == InstallationStatus.OPERATIONAL:
        raise TransitionNotAllowed("This site is already operational.")
    if installation.status == InstallationStatus.CANCELLED:
        raise TransitionNotAllowed("This installation was cancelled: the agreement that needed the site ended.")


def _open_pause(step: InstallationStep) -> StepPause | None:
    return step.pauses.filter(ended_on__isnull=True).first()


@transaction.atomic
def step_start(
    *, step: InstallationStep, started_on: dt.date, acting_user, note: str = "", installer: Installer | None = None
) -> InstallationStep:
    """Start a step. Its dependencies must be complete (409), and the equipment may not
    be installed before the ISA is signed (409). The date may not be in the future, nor
    before the MOA signature or the completion of a dependency (400)."""
    step = _locked(step)
    installation = step.installation
    _require_in_progress(installation)
    if step.started_on is not None:
        raise TransitionNotAllowed(f"Step {step.number} already started on {display(step.started_on)}.")
    deps = list(step.depends_on.all())
    missing = [d for d in deps if d.completed_on is None]
    if missing:
        raise TransitionNotAllowed(
            f"Step {step.number} starts after step{'s' if len(missing) > 1 else ''} "
            f"{', '.join(str(d.number) for d in missing)}, not yet complete."
        )
    if step.kind == StepKind.INSTALL:
        isa = installation.steps.filter(kind=StepKind.ISA).first()
        if isa is not None and isa.completed_on is None:
            raise TransitionNotAllowed(
                "Equipment may not be deployed before the ICE CISO signs the Interconnection Service Agreement."
            )
    _check_date("started_on", started_on, not_before=installation.moa_signed_on, not_before_label="the MOA signature")
    latest = max(deps, key=lambda d: d.completed_on, default=None)
    if latest is not None and started_on < latest.completed_on:
        raise ValidationError(
            {
                "started_on": [
                    f"Step {step.number} cannot start before step {latest.number} was complete ({display(latest.completed_on)})."
                ]
            }
        )
    data = {"started_on": started_on}
    if installer is not None:
        if step.kind != StepKind.INSTALL:
            raise ValidationError({"installer": ["Only the equipment installation step takes an installer."]})
        data["installer"] = installer
    if note:
        data["note"] = note[:250]
    model_update(
        instance=step, data=data, acting_user=acting_user, reason=(note or f"Started on {display(started_on)}")[:250]
    )
    return step


@transaction.atomic
def step_complete(*, step: InstallationStep, completed_on: dt.date, acting_user, note: str = "") -> InstallationStep:
    """Complete a step. A step completed twice, not started, or paused answers 409; an
    end before the start or in the future answers 400. Completing the equipment
    installation makes the site operational."""
    step = _locked(step)
    installation = step.installation
    _require_in_progress(installation)
    if step.completed_on is not None:
        raise TransitionNotAllowed(f"Step {step.number} was already completed on {display(step.completed_on)}.")
    if step.started_on is None:
        raise TransitionNotAllowed(f"Step {step.number} has not started.")
    if _open_pause(step) is not None:
        raise TransitionNotAllowed(f"Step {step.number} is paused: resume it before completing it.")
    _check_date("completed_on", completed_on, not_before=step.started_on, not_before_label="the step's start")
    model_update(
        instance=step,
        data={"completed_on": completed_on, **({"note": note[:250]} if note else {})},
        acting_user=acting_user,
        reason=(note or f"Completed on {display(completed_on)}")[:250],
    )
    if step.kind == StepKind.INSTALL or not installation.steps.filter(completed_on__isnull=True).exists():
        _make_operational(installation, completed_on, acting_user, "Equipment installed and connected")
    return step


def _make_operational(installation: Installation, on: dt.date, acting_user, reason: str):
    """The site's equipment works: the installation is operational and the agency's
    officers can log in (Agency.equipment_operational_since, read by other apps)."""
    installation = Installation.objects.select_for_update().select_related("agency").get(pk=installation.pk)
    model_update(
        instance=installation,
        data={"status": InstallationStatus.OPERATIONAL, "operational_on": on},
        acting_user=acting_user,
        reason=reason[:250],
    )
    agency = installation.agency
    if agency.equipment_operational_since is None or agency.equipment_operational_since > on:
        model_update(
            instance=agency,
            data={"equipment_operational_since": on},
            acting_user=acting_user,
            reason=f"Site equipment operational since {display(on)}",
        )


@transaction.atomic
def step_pause(*, step: InstallationStep, paused_on: dt.date, reason: str, acting_user, note: str = "") -> StepPause:
    """Pause a step in progress (waiting on the agency, site access): the paused days are
    not counted against it."""
    step = _locked(step)
    _require_in_progress(step.installation)
    if step.started_on is None or step.completed_on is not None:
        raise TransitionNotAllowed(f"Only a step in progress can be paused; step {step.number} is not.")
    if _open_pause(step) is not None:
        raise TransitionNotAllowed(f"Step {step.number} is already paused.")
    if reason not in PauseReason.values:
        raise ValidationError({"reason": [f"Choose one of: {', '.join(PauseReason.values)}."]})
    last = step.pauses.order_by("-ended_on").first()
    floor, label = step.started_on, "the step's start"
    if last is not None and last.ended_on and last.ended_on > floor:
        floor, label = last.ended_on, "the end of its last pause"
    _check_date("paused_on", paused_on, not_before=floor, not_before_label=label)
    return _create_pause(step, reason, note, paused_on, acting_user)


def _create_pause(step, reason, note, paused_on, acting_user) -> StepPause:
    pause = StepPause(step=step, reason=reason, note=note[:250], started_on=paused_on)
    pause.full_clean()
    stamp(pause, acting_user, f"Paused: {pause.get_reason_display()}")
    pause.save()
    return pause


@transaction.atomic
def step_resume(*, step: InstallationStep, resumed_on: dt.date, acting_user, note: str = "") -> StepPause:
    """End the open pause of a step: its clock runs again."""
    step = _locked(step)
    _require_in_progress(step.installation)
    pause = _open_pause(step)
    if pause is None:
        raise TransitionNotAllowed(f"Step {step.number} is not paused.")
    _check_date("resumed_on", resumed_on, not_before=pause.started_on, not_before_label="the start of the pause")
    data = {"ended_on": resumed_on}
    if note:
        data["note"] = (f"{pause.note} / {note}" if pause.note else note)[:250]
    model_update(
        instance=pause, data=data, acting_user=acting_user, reason=(note or f"Resumed on {display(resumed_on)}")[:250]
    )
    return pause


# --- HQ's decisions -------------------------------------------------------------------


@transaction.atomic
def installation_confirm(
    *,
    installation: Installation,
    acting_user,
    operational_since: dt.date | None = None,
    at_step: int | None = None,
    step_started_on: dt.date | None = None,
) -> Installation:
    """HQ confirms where a "status unknown" installation stands: operational since a date,
    or in progress at step N since a date (the steps N depends on are then taken as
    complete on that date). Dates confirmed this way are marked estimated, so the forecast
    does not learn durations from them."""
    installation = Installation.objects.select_for_update().get(pk=installation.pk)
    if installation.status != InstallationStatus.UNCONFIRMED:
        raise TransitionNotAllowed("Only an installation whose status is unknown can be confirmed.")
    if (operational_since is None) == (at_step is None):
        raise ValidationError(
            {"non_field_errors": ["Confirm either the date the site became operational or the step it is at."]}
        )
    if operational_since is not None:
        _check_date(
            "operational_since",
            operational_since,
            not_before=installation.moa_signed_on,
            not_before_label="the MOA signature",
        )
        model_update(
            instance=installation,
            data={"dates_estimated": True},
            acting_user=acting_user,
            reason="Confirmed by HQ: dates estimated",
        )
        _make_operational(installation, operational_since, acting_user, "Confirmed by HQ: operational")
        installation.refresh_from_db()
        return installation
    steps = {s.number: s for s in installation.steps.prefetch_related("depends_on")}
    if at_step not in steps:
        raise ValidationError({"at_step": [f"This installation has no step {at_step}."]})
    step_started_on = step_started_on or dates.today()
    _check_date(
        "step_started_on", step_started_on, not_before=installation.moa_signed_on, not_before_label="the MOA signature"
    )
    upstream: set[int] = set()
    todo = [at_step]
    while todo:
        for dep in steps[todo.pop()].depends_on.all():
            if dep.number not in upstream:
                upstream.add(dep.number)
                todo.append(dep.number)
    for number in upstream:
        model_update(
            instance=steps[number],
            data={"started_on": step_started_on, "completed_on": step_started_on},
            acting_user=acting_user,
            reason="Confirmed by HQ: complete (date unknown, taken as the confirmation's date)",
        )
    model_update(
        instance=steps[at_step],
        data={"started_on": step_started_on},
        acting_user=acting_user,
        reason="Confirmed by HQ: in progress",
    )
    model_update(
        instance=installation,
        data={"status": InstallationStatus.IN_PROGRESS, "dates_estimated": True},
        acting_user=acting_user,
        reason=f"Confirmed by HQ: in progress at step {at_step}",
    )
    return installation


@transaction.atomic
def installations_confirm(
    *,
    installations,
    acting_user,
    operational_since: dt.date | None = None,
    at_step: int | None = None,
    step_started_on: dt.date | None = None,
) -> list[Installation]:
    """Confirm several "status unknown" installations the same way, all or none."""
    return [
        installation_confirm(
            installation=i,
            acting_user=acting_user,
            operational_since=operational_since,
            at_step=at_step,
            step_started_on=step_started_on,
        )
        for i in installations
    ]


@transaction.atomic
def installation_set_priority(*, installation: Installation, priority_rank: int | None, acting_user) -> Installation:
    """HQ's rank of a site in the installer queue (1 first); None returns it to MOA order."""
    installation = Installation.objects.select_for_update().get(pk=installation.pk)
    model_update(
        instance=installation,
        data={"priority_rank": priority_rank},
        acting_user=acting_user,
        reason=f"Priority set to {priority_rank}" if priority_rank else "Priority cleared: MOA order",
    )
    return installation


# --- agreements ending and coming back --------------------------------------------------


def _agency_still_needs_site(agreement, on: dt.date, *, held: bool) -> bool:
    """Whether another agreement of the agency needs the site: one in force on ``on``
    (for a suspension: the site keeps working for it), or, for a termination or
    withdrawal (``held``), one signed and not ended (a suspended one may be reinstated)."""
    from agreements.models import Agreement
    from agreements.selectors import other_agreements_held

    models_needing = ProgramModelSetting.models_needing_installation()
    if held:
        return other_agreements_held(agreement, models_needing).exists()
    return (
        Agreement.objects.in_force(on)
        .filter(agency_id=agreement.agency_id, program_model__in=models_needing)
        .exclude(pk=agreement.pk)
        .exists()
    )


def _pause_start(step: InstallationStep, on: dt.date) -> dt.date:
    last_end = (
        step.pauses.filter(ended_on__isnull=False).order_by("-ended_on").values_list("ended_on", flat=True).first()
    )
    return max(d for d in (on, step.started_on, last_end) if d)


@transaction.atomic
def installation_hold_for_agreement(
    *, agreement, acting_user, reason: str = "", transition: str = "suspend", on: dt.date | None = None
) -> list[StepPause]:
    """An agreement was suspended, terminated or withdrawn on ``on``.

    A suspension, when no other agreement in force needs the site: from ``on``, every step
    in progress is paused ("agreement suspended or terminated") and the installation's own
    clock pauses, so neither counts the suspended days. A termination or withdrawal, when
    no other agreement of the agency that needs the site is held: the installation (in
    progress or status unknown) is closed as cancelled on ``on`` with its open steps."""
    on = on or dates.today()
    if transition in ("terminate", "withdraw"):
        if not _agency_still_needs_site(agreement, on, held=True):
            installation_cancel(
                agency_id=agreement.agency_id,
                acting_user=acting_user,
                on=on,
                reason=f"Agreement {'terminated' if transition == 'terminate' else 'withdrawn'} "
                f"on {display(on)}: {reason}".rstrip(": "),
            )
        return []
    installation = Installation.objects.filter(
        agency_id=agreement.agency_id, status=InstallationStatus.IN_PROGRESS
    ).first()
    if installation is None or _agency_still_needs_site(agreement, on, held=False):
        return []
    note = (reason or "Agreement suspended")[:250]
    if not installation.clock_pauses.filter(ended_on__isnull=True).exists():
        pause = InstallationPause(
            installation=installation,
            reason=PauseReason.AGREEMENT_ENDED,
            note=note,
            started_on=max(on, installation.moa_signed_on),
        )
        pause.full_clean()
        stamp(pause, acting_user, f"Agreement suspended on {display(on)}")
        pause.save()
    pauses = []
    for step in installation.steps.filter(started_on__isnull=False, completed_on__isnull=True):
        if _open_pause(step) is None:
            pauses.append(_create_pause(step, PauseReason.AGREEMENT_ENDED, note, _pause_start(step, on), acting_user))
    return pauses


@transaction.atomic
def installation_release_for_agreement(*, agreement, acting_user, on: dt.date | None = None) -> list[StepPause]:
    """A suspended agreement was reinstated on ``on``: the pauses its suspension opened
    (the steps' and the installation clock's) end that day."""
    installation = Installation.objects.filter(agency_id=agreement.agency_id).first()
    if installation is None:
        return []
    on = on or dates.today()
    why = f"Agreement reinstated on {display(on)}"
    for pause in installation.clock_pauses.filter(ended_on__isnull=True):
        pause.ended_on = max(on, pause.started_on)
        stamp(pause, acting_user, why)
        pause.save(update_fields=["ended_on"])
    ended = []
    for pause in StepPause.objects.filter(
        step__installation=installation, reason=PauseReason.AGREEMENT_ENDED, ended_on__isnull=True
    ):
        model_update(instance=pause, data={"ended_on": max(on, pause.started_on)}, acting_user=acting_user, reason=why)
        ended.append(pause)
    return ended


@transaction.atomic
def installation_cancel(*, agency_id: int, acting_user, on: dt.date, reason: str) -> Installation | None:
    """Close the agency's installation (in progress or status unknown) as cancelled on
    ``on``: its steps not complete are cancelled, its open pauses end that day. An
    operational site keeps its status: its equipment is installed."""
    installation = (
        Installation.objects.select_for_update()
        .filter(agency_id=agency_id, status__in=[InstallationStatus.IN_PROGRESS, InstallationStatus.UNCONFIRMED])
        .first()
    )
    if installation is None:
        return None
    for pause in installation.clock_pauses.filter(ended_on__isnull=True):
        pause.ended_on = max(on, pause.started_on)
        stamp(pause, acting_user, reason[:100])
        pause.save(update_fields=["ended_on"])
    for pause in StepPause.objects.filter(step__installation=installation, ended_on__isnull=True):
        pause.ended_on = max(on, pause.started_on)
        stamp(pause, acting_user, reason[:100])
        pause.save(update_fields=["ended_on"])
    for step in installation.steps.filter(completed_on__isnull=True, cancelled_on__isnull=True):
        step.cancelled_on = max(on, step.started_on) if step.started_on else on
        stamp(step, acting_user, reason[:100])
        step.save(update_fields=["cancelled_on"])
    installation.status, installation.cancelled_on = InstallationStatus.CANCELLED, max(on, installation.moa_signed_on)
    installation.full_clean()
    stamp(installation, acting_user, reason[:100])
    installation.save(update_fields=["status", "cancelled_on"])
    return installation


# --- installers -----------------------------------------------------------------------


@transaction.atomic
def installer_save(*, acting_user, installer: Installer | None = None, **fields) -> Installer:
    """Create or update an OCIO installer and their availability."""
    installer = installer or Installer()
    model_update(
        instance=installer,
        data=fields,
        acting_user=acting_user,
        reason="Installer recorded" if installer.pk is None else "Installer updated",
    )
    return installer


@transaction.atomic
def installer_add_unavailability(
    *, installer: Installer, acting_user, starts_on: dt.date, ends_on: dt.date, reason: str = ""
) -> InstallerUnavailability:
    """Record a period when an installer cannot install; the queue forecast works around it."""
    if ends_on < starts_on:
        raise ValidationError({"ends_on": ["A period of unavailability cannot end before it starts."]})
    period = InstallerUnavailability(installer=installer, starts_on=starts_on, ends_on=ends_on, reason=reason[:200])
    period.full_clean()
    stamp(period, acting_user, "Unavailability recorded")
    period.save()
    return period


@transaction.atomic
def installation_settings_update(*, acting_user, **fields) -> InstallationSettings:
    """Change the pipeline's goal, at-risk share and forecast window (the Unit Chief's
    setting)."""
    from portal.settings_sections import row_update

    return row_update(
        InstallationSettings.current(), acting_user=acting_user, reason="Installation settings changed", **fields
    )


@transaction.atomic
def step_plan_update(*, acting_user, planned_days: dict[int, int]) -> list[StepTemplate]:
    """Change the planned days of steps of the default plan (by step number); new
    installations copy the plan, open ones keep theirs. Unknown step numbers are refused."""
    from portal.settings_sections import row_update

    templates = {t.number: t for t in StepTemplate.objects.select_for_update().order_by("number")}
    unknown = sorted(set(planned_days) - set(templates))
    if unknown:
        raise ValidationError({"planned_days": f"No step numbered {', '.join(map(str, unknown))} in the plan."})
    errors = {}
    for number, days in planned_days.items():
        try:
            row_update(templates[number], acting_user=acting_user, reason="Step plan changed", planned_days=days)
        except ValidationError as exc:
            errors[f"step_{number}"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return list(templates.values())


#: The actions on an installation step, in the order the page offers them.
STEP_ACTIONS = ("start", "complete", "pause", "resume")


def step_action_refusal(step: InstallationStep, action: str, *, installation: Installation | None = None) -> str | None:
    """Why ``action`` on ``step`` would be refused today by its service (``step_start``,
    ``step_complete``, ``step_pause``, ``step_resume``), or None when it is open: the
    state rules those services check (409), read from the step's prefetched pauses and
    dependencies, so a page offers only the buttons the service then accepts. The date
    and the fields are checked by the service itself (400, on their field)."""
    installation = installation or step.installation
    if installation.status == InstallationStatus.UNCONFIRMED:
        return "This installation's status is unknown: HQ confirms where it stands first."
    if installation.status == InstallationStatus.OPERATIONAL:
        return "This site is already operational."
    if installation.status == InstallationStatus.CANCELLED:
        return "This installation was cancelled: the agreement that needed the site ended."
    paused = any(p.ended_on is None for p in step.pauses.all())
    if action == "start":
        if step.started_on is not None:
            return f"Step {step.number} already started on {display(step.started_on)}."
        missing = sorted(d.number for d in step.depends_on.all() if d.completed_on is None)
        if missing:
            return f"Step {step.number} starts after step{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))}, not yet complete."
        if step.kind == StepKind.INSTALL:
            isa = next((s for s in installation.steps.all() if s.kind == StepKind.ISA), None)
            if isa is not None and isa.completed_on is None:
                return "Equipment may not be deployed before the ICE CISO signs the Interconnection Service Agreement."
        return None
    if action == "complete":
        if step.completed_on is not None:
            return f"Step {step.number} was already completed on {display(step.completed_on)}."
        if step.started_on is None:
            return f"Step {step.number} has not started."
        return f"Step {step.number} is paused: resume it before completing it." if paused else None
    if action == "pause":
        if step.started_on is None or step.completed_on is not None:
            return f"Only a step in progress can be paused; step {step.number} is not."
        return f"Step {step.number} is already paused." if paused else None
    if action == "resume":
        return None if paused else f"Step {step.number} is not paused."
    return f"Unknown action {action!r}."
