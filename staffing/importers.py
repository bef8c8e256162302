"""Import of monthly workload reports from a CSV file.

Columns (a header row is required; names are case-insensitive):
``agency_id`` (or ``agency`` and ``state``), ``month`` (YYYY-MM or YYYY-MM-DD),
``encounters_processed``, ``charging_documents_prepared``, ``detainers_issued``.

Every row is checked and errors name the row number (the header is row 1). Nothing is
written if any row is wrong, unless ``apply_valid`` is set, in which case the valid rows
are written and the wrong ones reported. Re-importing the same file changes nothing: a
row for an agency and month that is already reported with the same figures is left as
is; with different figures it corrects the report. Only agencies the importing person
may see can be reported (a field PM: their assigned agencies).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction

from agreements.models import Agency, agency_match_key
from portal import dates
from portal.audit import Channel
from portal.audit import context as audit_context
from portal.audit.bulk import bulk_create_with_history, bulk_update_with_history
from portal.jobs import progress

from .models import WorkloadReport
from .services import validate_workload

COUNTS = ("encounters_processed", "charging_documents_prepared", "detainers_issued")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    applied: bool = False

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "applied": self.applied,
        }


def _parse_month(text: str) -> dt.date | None:
    text = (text or "").strip()
    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_count(text: str) -> int | None:
    try:
        return int((text or "").strip().replace(",", ""))
    except ValueError:
        return None


@audit_context(channel=Channel.IMPORT)
def import_workload_csv(*, text: str, acting_user, apply_valid: bool = False) -> ImportResult:
    """Check and import workload rows; see the module's docstring for the rules."""
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = {(h or "").strip().lower() for h in (reader.fieldnames or [])}
    missing = [c for c in ("month", *COUNTS) if c not in headers]
    if "agency_id" not in headers and not {"agency", "state"} <= headers:
        missing.insert(0, "agency_id (or agency and state)")
    if missing:
        result.errors.append({"row": 1, "field": "header", "message": "Missing columns: " + ", ".join(missing)})
        return result

    rows = [{(k or "").strip().lower(): (v or "") for k, v in raw.items()} for raw in reader]
    visible = Agency.objects.visible_to(acting_user)
    by_id = {
        a.pk: a
        for a in visible.filter(
            pk__in=[
                _parse_count(r.get("agency_id", "")) for r in rows if _parse_count(r.get("agency_id", "")) is not None
            ]
        )
    }
    by_key = {}
    if "agency" in headers:
        keys = {agency_match_key(r.get("agency", "")) for r in rows}
        by_key = {(a.state, a.match_key): a for a in visible.filter(match_key__in=keys)}
    today = dates.today()
    valid: dict[tuple[int, dt.date], tuple[int, dict]] = {}
    for number, row in enumerate(rows, start=2):
        progress(number - 2, len(rows), f"Checking row {number} of {len(rows) + 1}")

        def error(field_name, message, number=number):
            result.errors.append({"row": number, "field": field_name, "message": message})

        agency = None
        if row.get("agency_id", "").strip():
            agency = by_id.get(_parse_count(row["agency_id"]))
        elif row.get("agency", "").strip():
            agency = by_key.get((row.get("state", "").strip().upper(), agency_match_key(row["agency"])))
        if agency is None:
            error("agency", "Unknown agency, or not one you may report for.")
            continue
        month = _parse_month(row.get("month", ""))
        if month is None:
            error("month", "Give the month as YYYY-MM.")
            continue
        month = month.replace(day=1)
        counts = {c: _parse_count(row.get(c, "")) for c in COUNTS}
        problems = validate_workload(
            month=month, today=today, **{c: (v if v is not None else -1) for c, v in counts.items()}
        )
        if problems:
            for name, messages in problems.items():
                error(name, messages[0])
            continue
        if (agency.pk, month) in valid:
            error("month", f"Duplicate of row {valid[(agency.pk, month)][0]} (same agency and month).")
            continue
        valid[(agency.pk, month)] = (number, counts)

    if result.errors and not apply_valid:
        return result
    progress(len(rows), len(rows), f"Writing {len(valid)} valid row(s)")
    with transaction.atomic():
        existing = {
            (r.agency_id, r.month): r
            for r in WorkloadReport.objects.select_for_update().filter(
                agency_id__in={k[0] for k in valid}, month__in={k[1] for k in valid}
            )
        }
        new, changed = [], []
        for (agency_id, month), (_, counts) in valid.items():
            report = existing.get((agency_id, month))
            if report is None:
                new.append(WorkloadReport(agency_id=agency_id, month=month, **counts))
            elif any(getattr(report, c) != v for c, v in counts.items()):
                for c, v in counts.items():
                    setattr(report, c, v)
                changed.append(report)
            else:
                result.unchanged += 1
        if new:
            bulk_create_with_history(
                new, WorkloadReport, batch_size=1000, default_user=acting_user, default_change_reason="CSV import"
            )
        if changed:
            bulk_update_with_history(
                changed,
                WorkloadReport,
                list(COUNTS),
                batch_size=1000,
                default_user=acting_user,
                default_change_reason="CSV import",
            )
    result.created, result.updated, result.applied = len(new), len(changed), True
    return result
