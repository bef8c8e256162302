"""National figures stored per agency (the officers' standing) and per field office (the
staffing model's program managers), so that the dashboard and readiness sum the rows of
the reader's scope instead of computing the country on every request.

A run of figures is valid for its day and for the state of its inputs: the newest
historical row (or, for a table without history, the newest row) of every table the
figures read, read in one statement whose each part is the end of an index. A reader
that finds the newest run of another day, or its inputs moved, computes the figures
afresh first (one set-based ``INSERT ... SELECT`` for the standing), so a change is
visible on the next request; otherwise staleness costs that one statement. As
``itdeploy.selectors.stored_forecast`` does for the installation forecast.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, transaction
from django.db.models import Count, Q

from portal import dates

from .models import AgencyStanding, FindingCount, FindingTrend, OfficeStaffing, StoredFiguresRun

STANDING = "standing"
STAFFING = "staffing"


def _standing_inputs():
    from agreements.models import Agency, Agreement, AgreementEvent, AgreementSuspension
    from itdeploy.models import ProgramModelSetting
    from training.models import CardLogin, Completion, Course, Officer, TrainingSettings, Waiver

    return (
        Officer,
        Completion,
        CardLogin,
        Waiver,
        Course,
        TrainingSettings,
        Agency,
        Agreement,
        AgreementSuspension,
        AgreementEvent,
        ProgramModelSetting,
    )


def _staffing_inputs():
    from agreements.models import FieldOffice
    from portal.models import StaffProfile
    from staffing.models import Assignment, OtherDuty, StaffingModel, WorkloadReport

    # The officers the model counts are those able to act: every input of the standing.
    return (
        *_standing_inputs(),
        WorkloadReport,
        Assignment,
        OtherDuty,
        StaffingModel,
        StaffProfile,
        FieldOffice,
        ACTIVE_FIELD_MANAGERS,
    )


def _active_field_managers_sql() -> str:
    """Which field program managers are active, as a scalar: their number, the sum of their
    ids and of their squares. Not the users' newest historical row, which every sign-in
    moves (``last_login`` is saved with a historical row); a manager's office or role
    moves the staff profiles' history instead."""
    from django.contrib.auth import get_user_model

    from portal.models import StaffProfile
    from portal.roles import Role

    qn = connection.ops.quote_name
    users, profiles = qn(get_user_model()._meta.db_table), qn(StaffProfile._meta.db_table)
    return (
        f"(SELECT COUNT(*) || '/' || COALESCE(SUM(u.id), 0) || '/' || COALESCE(SUM(u.id * u.id), 0) "
        f"FROM {users} u INNER JOIN {profiles} p ON p.user_id = u.id "
        f"WHERE u.is_active AND p.role = '{Role.FIELD_PM.value}')"
    )


#: An input that is not a table's newest row (``_active_field_managers_sql``).
ACTIVE_FIELD_MANAGERS = _active_field_managers_sql


def inputs_of(models) -> str:
    """The newest historical row of each of ``models``' tables (the newest row of a table
    kept without history), in one statement."""
    qn = connection.ops.quote_name
    parts = []
    for model in models:
        if callable(model) and not hasattr(model, "_meta"):
            parts.append(model())
            continue
        history = getattr(model, "history", None)
        if history is not None and hasattr(history, "model"):
            parts.append(f"(SELECT MAX(history_id) FROM {qn(history.model._meta.db_table)})")
        else:
            parts.append(f"(SELECT MAX({qn(model._meta.pk.column)}) FROM {qn(model._meta.db_table)})")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")
        return ":".join(str(v or 0) for v in cursor.fetchone())


# --- the officers' standing per agency -------------------------------------------------------


def standing_by_agency(today: dt.date):
    """The officers' counts per agency on ``today`` (every officer, no scope), as a
    grouped queryset: ``agency_id``, ``certified``, ``able``, ``recertified``, ``lapsed``
    (certified with a lapsed card), ``missing`` (last fiscal year's recertification
    missed, or suspended for it). The one definition the stored rows and the tests'
    live comparison share."""
    from django.db.models import BooleanField, ExpressionWrapper

    from training.choices import OfficerStatus, SuspensionCause
    from training.models import Officer

    certified = Q(status=OfficerStatus.CERTIFIED)
    suspended = Q(status=OfficerStatus.SUSPENDED, suspension_cause=SuspensionCause.RECERTIFICATION)
    return (
        Officer.objects.with_standing(today)
        .annotate(is_recertified=ExpressionWrapper(Officer.objects.recertified_q(today), output_field=BooleanField()))
        .values("agency_id")
        .order_by("agency_id")
        .annotate(
            certified=Count("id", filter=certified),
            able=Count("id", filter=Officer.objects.able_to_act_q(today)),
            recertified=Count("id", filter=Q(is_recertified=True)),
            lapsed=Count("id", filter=certified & Officer.objects.card_lapsed_q(today)),
            missing=Count("id", filter=Officer.objects.recertification_missed_q(today) | suspended),
        )
        .values("agency_id", "certified", "able", "recertified", "lapsed", "missing")
    )


def _store_standing(run: StoredFiguresRun, today: dt.date) -> None:
    """Write the run's rows in one ``INSERT ... SELECT`` of the grouped counts."""
    sql, params = standing_by_agency(today).query.sql_with_params()
    qn = connection.ops.quote_name
    columns = ["run_id", "agency_id", "certified", "able", "recertified", "lapsed", "missing"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(AgencyStanding._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
            f"SELECT %s, s.agency_id, s.certified, s.able, s.recertified, s.lapsed, s.missing FROM ({sql}) s",
            (run.pk, *params),
        )


# --- the staffing model per field office -----------------------------------------------------


def _staffing_defaults() -> None:
    from staffing.models import StaffingModel

    StaffingModel.current()  # created on first use: with its historical row, an input


def _store_staffing(run: StoredFiguresRun, today: dt.date) -> None:
    from staffing import figures

    computed = figures.compute(today)
    rows = [
        OfficeStaffing(run=run, field_office_id=o.key, required=o.required, assigned=o.assigned)
        for o in computed.offices
    ]
    rows.append(
        OfficeStaffing(
            run=run, field_office_id=None, required=computed.nation.required, assigned=computed.nation.assigned
        )
    )
    OfficeStaffing.objects.bulk_create(rows, batch_size=1000)


# --- the findings, for readers who see every finding ------------------------------------------

FINDINGS = "findings"


def _findings_inputs():
    from portal.compliance.models import Finding, SweepRun

    return (Finding, SweepRun)


def _store_findings(run: StoredFiguresRun, today: dt.date) -> None:
    """The open findings per field office, rule and severity (one ``INSERT ... SELECT``),
    and per field office the findings open at the end of each of the latest finished
    sweep runs (``oversight.dashboard.TREND_RUNS``; one grouped query)."""
    from portal.compliance.models import Finding, SweepRun

    from .dashboard import TREND_RUNS, open_at_end_of

    counts = (
        Finding.objects.open()
        .values("field_office_id", "rule", "severity")
        .order_by()
        .annotate(n=Count("id"))
        .values("field_office_id", "rule", "severity", "n")
    )
    sql, params = counts.query.sql_with_params()
    qn = connection.ops.quote_name
    columns = ["run_id", "field_office_id", "rule", "severity", "open"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(FindingCount._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
            f"SELECT %s, s.field_office_id, s.rule, s.severity, s.n FROM ({sql}) s",
            (run.pk, *params),
        )
    runs = list(SweepRun.objects.filter(finished_at__isnull=False).order_by("-started_at")[:TREND_RUNS])[::-1]
    if not runs:
        return
    rows = (
        Finding.objects.values("field_office_id")
        .order_by("field_office_id")
        .annotate(**{f"run_{r.pk}": open_at_end_of(r) for r in runs})
    )
    FindingTrend.objects.bulk_create(
        [
            FindingTrend(
                run=run,
                field_office_id=row["field_office_id"],
                position=i,
                sweep_run_id=r.pk,
                as_of=r.as_of,
                open=row[f"run_{r.pk}"],
            )
            for row in rows
            for i, r in enumerate(runs)
        ],
        batch_size=1000,
    )


#: kind -> (its inputs, the rows it writes, the rows its computation would create on first use).
KINDS = {
    STANDING: (_standing_inputs, _store_standing, None),
    STAFFING: (_staffing_inputs, _store_staffing, _staffing_defaults),
    FINDINGS: (_findings_inputs, _store_findings, None),
}


def store(kind: str, today: dt.date | None = None) -> StoredFiguresRun:
    """Compute ``kind``'s figures and store them as a new run; older runs of the kind are
    deleted. One at a time: a reader that waited for another's computation and finds it
    current returns it."""
    inputs_models, write, defaults = KINDS[kind]
    today = today or dates.today()
    with transaction.atomic():
        if defaults is not None:
            defaults()  # before the inputs are read, so the computation leaves them as read
        latest = StoredFiguresRun.objects.select_for_update().filter(kind=kind).order_by("-pk").first()
        # Read again under the lock: the caller's reading may be older than another's run.
        inputs = inputs_of(inputs_models())
        if latest is not None and latest.computed_on == today and latest.inputs == inputs:
            return latest  # another process stored it while this one waited
        start = time.perf_counter()
        run = StoredFiguresRun.objects.create(kind=kind, computed_on=today, inputs=inputs)
        write(run, today)
        StoredFiguresRun.objects.filter(kind=kind, pk__lt=run.pk).delete()
        run.seconds = round(time.perf_counter() - start, 3)
        StoredFiguresRun.objects.filter(pk=run.pk).update(seconds=run.seconds)
    return run


def current_runs(kinds, today: dt.date | None = None) -> dict[str, StoredFiguresRun]:
    """The runs of ``kinds`` valid now, each computed afresh first when it is of another
    day or its inputs moved since: two statements for all of them when they are current
    (every input of every kind in one, the newest runs in the other)."""
    today = today or dates.today()
    kinds = list(dict.fromkeys(kinds))
    models = {kind: KINDS[kind][0]() for kind in kinds}
    values = inputs_of([m for kind in kinds for m in models[kind]]).split(":")
    inputs, at = {}, 0
    for kind in kinds:
        inputs[kind] = ":".join(values[at : at + len(models[kind])])
        at += len(models[kind])
    runs: dict[str, StoredFiguresRun] = {}
    for run in StoredFiguresRun.objects.filter(kind__in=kinds).order_by("-pk"):
        runs.setdefault(run.kind, run)
    for kind in kinds:
        run = runs.get(kind)
        if run is None or run.computed_on != today or run.inputs != inputs[kind]:
            runs[kind] = store(kind, today)
    return runs


def current_run(kind: str, today: dt.date | None = None) -> StoredFiguresRun:
    """The run of ``kind`` valid now (``current_runs``)."""
    return current_runs([kind], today)[kind]


def standing_rows(user, today: dt.date | None = None, run: StoredFiguresRun | None = None):
    """The stored standing rows (of ``run``, else the current run) of the agencies whose
    officers ``user`` may see (the access policy's entry for officers, whose paths start
    at the agency)."""
    from portal import access

    run = run or current_run(STANDING, today)
    return access.restrict(AgencyStanding.objects.filter(run=run), user, "view", target="training.Officer")


def staffing_rows(today: dt.date | None = None, run: StoredFiguresRun | None = None):
    """The stored staffing rows (of ``run``, else the current run) of every field office
    and the nation (``field_office`` empty); the caller narrows them to what the reader
    may see."""
    return OfficeStaffing.objects.filter(run=run or current_run(STAFFING, today))


def refresh(today: dt.date | None = None) -> None:
    """Store every kind of figures afresh whose stored run is of another day or whose
    inputs moved (the sweep calls this when it has finished)."""
    for kind in KINDS:
        current_run(kind, today)
