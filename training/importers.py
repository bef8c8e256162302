"""Imports of field data: the officer roster, PALMS completion exports and security-card
login exports, from a file (command, upload page) or a JSON list (API bulk POST).

Every import validates all rows first and reports row-level errors with the row number
(the file's line; 1 is the header, so data starts at 2; a JSON list counts from 1).
Unknown officers, and rows for agencies outside the importer's scope, are reported alike
("unknown or outside your agencies") so an import never reveals what exists elsewhere.
Rows already recorded, or repeated in the file, are ignored as duplicates, so importing
the same file twice changes nothing. Nothing is written when a row is wrong unless the
importer asks to apply the valid rows. Writes are set-based, with history.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from portal import dates
from portal.audit import Channel
from portal.audit import context as audit_context
from portal.audit.bulk import bulk_create_with_history, bulk_update_with_history

from .choices import CompletionSource, OfficerStatus, SuspensionCause
from .models import CardLogin, Completion, Course, Officer, OfficerEvent

COLUMNS = {
    "roster": ["officer_number", "agency", "last_name", "first_name", "email", "status", "certified_on"],
    "completions": ["officer_number", "course_code", "completed_on"],
    "card-logins": ["officer_number", "logged_in_at"],
}
UNKNOWN = "Unknown officer number, or an officer outside your agencies."


@dataclass
class ImportReport:
    """What an import found and did."""

    kind: str
    total: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)  # {"row": n, "message": "..."}
    unknown: list[dict] = field(default_factory=list)  # {"row": n, "officer_number": "..."}
    applied: bool = False
    preview: list[dict] = field(default_factory=list)

    def error(self, row: int, message: str):
        self.errors.append({"row": row, "message": message})

    def as_dict(self) -> dict:
        return asdict(self)


def parse_csv(text: str, kind: str) -> list[tuple[int, dict]]:
    """Rows of a CSV export with their line numbers; the header must name the columns."""
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS[kind] if c not in header]
    if missing:
        raise ValidationError(
            {"file": [f"The file lacks the column(s): {', '.join(missing)}. Expected: {', '.join(COLUMNS[kind])}."]}
        )
    reader.fieldnames = header
    return [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}) for row in reader]


def rows_from_json(items, kind: str) -> list[tuple[int, dict]]:
    if not isinstance(items, list):
        raise ValidationError({"rows": ["Send a list of rows."]})
    rows = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValidationError({"rows": [f"Row {i} is not an object."]})
        rows.append((i, {k: ("" if v is None else str(v)).strip() for k, v in item.items()}))
    return rows


def _officers_by_number(numbers, acting_user) -> dict[str, Officer]:
    qs = Officer.objects.all() if acting_user is None else Officer.objects.visible_to(acting_user)
    return {o.officer_number: o for o in qs.filter(officer_number__in=set(numbers))}


def _finish(report: ImportReport, apply_valid: bool, dry_run: bool) -> bool:
    """Whether to write: never on a preview; with errors only if the valid rows are wanted."""
    return not dry_run and (not report.errors or apply_valid)


# --- PALMS completions -------------------------------------------------------------------


@audit_context(channel=Channel.IMPORT)
@transaction.atomic
def import_completions(rows, *, acting_user, apply_valid: bool = False, dry_run: bool = False) -> ImportReport:
    report = ImportReport("completions", total=len(rows))
    officers = _officers_by_number([r.get("officer_number", "") for _, r in rows], acting_user)
    courses = {c.code.upper(): c for c in Course.objects.all()}
    today = dates.today()
    seen, candidates = set(), []
    for line, r in rows:
        officer = officers.get(r.get("officer_number", ""))
        course = courses.get(r.get("course_code", "").upper())
        day = _date(r.get("completed_on", ""))
        problems = []
        if officer is None:
            report.unknown.append({"row": line, "officer_number": r.get("officer_number", "")})
            problems.append(UNKNOWN)
        if course is None:
            problems.append(f"Unknown course code “{r.get('course_code', '')}”.")
        if day is None:
            problems.append("completed_on must be a date (YYYY-MM-DD).")
        elif day > today:
            problems.append("completed_on is in the future.")
        if problems:
            report.error(line, " ".join(problems))
            continue
        key = (officer.pk, course.pk, day)
        if key in seen:
            report.duplicates += 1
            continue
        seen.add(key)
        candidates.append((line, key, officer, course, day))
    existing = set(
        Completion.objects.filter(officer_id__in={k[0] for _, k, *_ in candidates}).values_list(
            "officer_id", "course_id", "completed_on"
        )
    )
    new = []
    for line, key, officer, course, day in candidates:
        if key in existing:
            report.duplicates += 1
        else:
            new.append(
                Completion(
                    officer=officer,
                    course=course,
                    completed_on=day,
                    source=CompletionSource.PALMS_EXPORT,
                    recorded_by=acting_user,
                )
            )
            report.preview.append(
                {
                    "row": line,
                    "officer_number": officer.officer_number,
                    "course_code": course.code,
                    "completed_on": day.isoformat(),
                }
            )
    report.valid = len(candidates)
    if _finish(report, apply_valid, dry_run):
        bulk_create_with_history(
            new, Completion, batch_size=500, default_user=acting_user, default_change_reason="PALMS completions import"
        )
        report.created, report.applied = len(new), True
    return report


# --- security-card logins ------------------------------------------------------------------


def parse_login(value: str) -> dt.datetime | None:
    """An ISO 8601 timestamp; without an offset it is America/New_York time."""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


@audit_context(channel=Channel.IMPORT)
@transaction.atomic
def import_card_logins(rows, *, acting_user, apply_valid: bool = False, dry_run: bool = False) -> ImportReport:
    report = ImportReport("card-logins", total=len(rows))
    officers = _officers_by_number([r.get("officer_number", "") for _, r in rows], acting_user)
    now = timezone.now()
    seen, candidates = set(), []
    for line, r in rows:
        officer = officers.get(r.get("officer_number", ""))
        moment = parse_login(r.get("logged_in_at", ""))
        problems = []
        if officer is None:
            report.unknown.append({"row": line, "officer_number": r.get("officer_number", "")})
            problems.append(UNKNOWN)
        if moment is None:
            problems.append("logged_in_at must be an ISO 8601 date and time.")
        elif moment > now + dt.timedelta(minutes=5):
            problems.append("logged_in_at is in the future.")
        if problems:
            report.error(line, " ".join(problems))
            continue
        key = (officer.pk, moment)
        if key in seen:
            report.duplicates += 1
            continue
        seen.add(key)
        candidates.append((line, key, officer, moment))
    existing = set(
        CardLogin.objects.filter(officer_id__in={k[0] for _, k, *_ in candidates}).values_list(
            "officer_id", "logged_in_at"
        )
    )
    new = []
    for line, key, officer, moment in candidates:
        if key in existing:
            report.duplicates += 1
        else:
            new.append(CardLogin(officer=officer, logged_in_at=moment, recorded_by=acting_user))
            report.preview.append(
                {
                    "row": line,
                    "officer_number": officer.officer_number,
                    "logged_in_at": timezone.localtime(moment).isoformat(),
                }
            )
    report.valid = len(candidates)
    if _finish(report, apply_valid, dry_run):
        # Logins already recorded were left out above; a concurrent import of the same
        # login fails on the unique constraint and rolls the import back.
        bulk_create_with_history(
            new, CardLogin, batch_size=1000, default_user=acting_user, default_change_reason="Card-login import"
        )
        latest: dict[int, dt.datetime] = {}
        for login in new:
            if login.logged_in_at > latest.get(login.officer_id, login.logged_in_at - dt.timedelta(seconds=1)):
                latest[login.officer_id] = login.logged_in_at
        changed = []
        for officer_id, moment in latest.items():
            officer = next(c[2] for c in candidates if c[2].pk == officer_id)
            if officer.card_last_login_at is None or moment > officer.card_last_login_at:
                officer.card_last_login_at, officer.card_last_login_on = moment, dates.local_date(moment)
                changed.append(officer)
        if changed:
            bulk_update_with_history(
                changed,
                Officer,
                ["card_last_login_at", "card_last_login_on"],
                batch_size=500,
                default_user=acting_user,
                default_change_reason="Card-login import",
            )
        report.created, report.updated, report.applied = len(new), len(changed), True
    return report


# --- officer roster --------------------------------------------------------------------------


def _status(value: str) -> str | None:
    value = value.strip().lower()
    for choice in OfficerStatus:
        if value in (choice.value, choice.label.lower()):
            return choice.value
    return None


def roster_transition(officer: Officer, status: str, acting_user) -> tuple[str | None, str]:
    """The transition (verb) that moves ``officer`` to ``status`` under the rules of
    ``services.officer_transition``, or a refusal in the program's words."""
    from portal import access

    from .choices import TRANSITIONS
    from .services import HQ_ONLY

    verb = next((v for v, (allowed, to) in TRANSITIONS.items() if to == status and officer.status in allowed), None)
    if verb is None:
        return None, (
            f"Officer {officer.officer_number} is {officer.get_status_display().lower()} and cannot be moved "
            f"to “{OfficerStatus(status).label}”: the transition rules do not allow it."
        )
    if verb in HQ_ONLY and acting_user is not None and not access.may(acting_user, verb, Officer):
        return None, (
            f"Officer {officer.officer_number}: only the Unit Chief or a National Program Manager revokes an officer."
        )
    return verb, ""


@audit_context(channel=Channel.IMPORT)
@transaction.atomic
def import_roster(rows, *, acting_user, apply_valid: bool = False, dry_run: bool = False) -> ImportReport:
    """Create or update officers from an agency roster; officer numbers are national."""
    from agreements.models import Agency, agency_match_key

    report = ImportReport("roster", total=len(rows))
    agencies_qs = Agency.objects.all() if acting_user is None else Agency.objects.visible_to(acting_user)
    agencies = {a.pk: a for a in agencies_qs.only("id", "name", "match_key", "state", "field_office_id")}
    by_key: dict[str, list] = {}
    for a in agencies.values():
        by_key.setdefault(a.match_key, []).append(a)
    numbers = [r.get("officer_number", "") for _, r in rows]
    visible = _officers_by_number(numbers, acting_user)
    taken = set(Officer.objects.filter(officer_number__in=set(numbers)).values_list("officer_number", flat=True))
    today = dates.today()
    seen: dict[str, tuple] = {}
    creates, updates, events = [], [], []
    for line, r in rows:
        number = r.get("officer_number", "")
        problems = []
        agency_text = r.get("agency", "")
        matches = (
            [agencies[int(agency_text)]]
            if agency_text.isdecimal() and int(agency_text) in agencies
            else by_key.get(agency_match_key(agency_text), [])
        )
        if len(matches) != 1:
            problems.append(
                "Unknown agency, or one outside your agencies."
                if not matches
                else f"“{agency_text}” names several agencies; give the agency's id."
            )
        status = _status(r.get("status", "") or "nominated")
        if status is None:
            problems.append(f"Unknown status “{r.get('status')}”; use one of: {', '.join(OfficerStatus.values)}.")
        certified_on = _date(r.get("certified_on", "")) if r.get("certified_on") else None
        if r.get("certified_on") and certified_on is None:
            problems.append("certified_on must be a date (YYYY-MM-DD).")
        elif certified_on and certified_on > today:
            problems.append("certified_on is in the future.")
        if status in (OfficerStatus.CERTIFIED, OfficerStatus.SUSPENDED, OfficerStatus.REVOKED) and not certified_on:
            problems.append("certified_on is required for a certified, suspended or revoked officer.")
        if not number:
            problems.append("officer_number is required.")
        for name in ("last_name", "first_name"):
            if not r.get(name):
                problems.append(f"{name} is required.")
        try:
            validate_email(r.get("email", ""))
        except ValidationError:
            problems.append("email is not a valid e-mail address.")
        if number and number in taken and number not in visible:
            report.unknown.append({"row": line, "officer_number": number})
            problems.append("This officer number cannot be used: " + UNKNOWN[0].lower() + UNKNOWN[1:])
        if problems:
            report.error(line, " ".join(problems))
            continue
        values = (matches[0].pk, r["last_name"], r["first_name"], r["email"].lower(), status, certified_on)
        if number in seen:
            if seen[number] == values:
                report.duplicates += 1
            else:
                report.error(line, f"Officer number {number} appears earlier in the file with other values.")
            continue
        seen[number] = values
        report.valid += 1
        officer = visible.get(number)
        if officer is None:
            creates.append(
                Officer(
                    officer_number=number,
                    agency_id=values[0],
                    last_name=values[1],
                    first_name=values[2],
                    email=values[3],
                    status=status,
                    status_since=certified_on or today,
                    certified_on=certified_on,
                )
            )
            report.preview.append({"row": line, "officer_number": number, "action": "create"})
            continue
        current = (
            officer.agency_id,
            officer.last_name,
            officer.first_name,
            officer.email.lower(),
            officer.status,
            officer.certified_on,
        )
        if current == values:
            report.unchanged += 1
            continue
        verb = None
        if officer.status != status:
            # A status change follows the same transition rules as the pages and the API.
            verb, refusal = roster_transition(officer, status, acting_user)
            if refusal:
                report.valid -= 1
                report.error(line, refusal)
                continue
            events.append(
                OfficerEvent(
                    officer=officer,
                    verb=verb,
                    from_status=officer.status,
                    to_status=status,
                    on=today,
                    acting_user=acting_user,
                    reason="Roster import",
                )
            )
            officer.status_since = today
        (
            officer.agency_id,
            officer.last_name,
            officer.first_name,
            officer.email,
            officer.status,
            officer.certified_on,
        ) = values
        if verb == "certify":
            officer.certified_on = officer.certified_on or today
        elif verb == "suspend":
            officer.suspended_on, officer.suspension_cause = today, SuspensionCause.OTHER
        elif verb == "reinstate":
            officer.suspended_on, officer.suspension_cause = None, ""
        elif verb == "revoke":
            officer.revoked_on = today
        elif verb == "leave":
            officer.left_on = today
        updates.append(officer)
        report.preview.append({"row": line, "officer_number": number, "action": "update"})
    if _finish(report, apply_valid, dry_run):
        created = bulk_create_with_history(
            creates, Officer, batch_size=500, default_user=acting_user, default_change_reason="Roster import"
        )
        if creates and created and created[0].pk is None:  # backends that return no keys
            created = list(Officer.objects.filter(officer_number__in=[o.officer_number for o in creates]))
        events += [
            OfficerEvent(
                officer=o,
                verb="roster_import",
                to_status=o.status,
                on=today,
                acting_user=acting_user,
                reason="Roster import",
            )
            for o in created
        ]
        if updates:
            bulk_update_with_history(
                updates,
                Officer,
                [
                    "agency",
                    "last_name",
                    "first_name",
                    "email",
                    "status",
                    "status_since",
                    "certified_on",
                    "suspended_on",
                    "suspension_cause",
                    "revoked_on",
                    "left_on",
                ],
                batch_size=500,
                default_user=acting_user,
                default_change_reason="Roster import",
            )
        OfficerEvent.objects.bulk_create(events, batch_size=500)
        report.created, report.updated, report.applied = len(creates), len(updates), True
    return report


IMPORTERS = {"roster": import_roster, "completions": import_completions, "card-logins": import_card_logins}


def run_import(
    kind: str, *, text: str | None = None, items=None, acting_user, apply_valid=False, dry_run=False
) -> ImportReport:
    """Parse a CSV text or a JSON list and import it."""
    rows = parse_csv(text, kind) if text is not None else rows_from_json(items, kind)
    return IMPORTERS[kind](rows, acting_user=acting_user, apply_valid=apply_valid, dry_run=dry_run)


def _date(value: str) -> dt.date | None:
    try:
        return parse_date(value.strip())
    except ValueError:
        return None
