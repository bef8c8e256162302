"""Editions of ICE's published lists: what date an edition is as of, and what changed
between an edition and the one before it. Pure functions of the files' rows and names;
the services store their answers (``IceImport``, ``EditionChange``).

An edition's date is never taken from the upload day, and never from the file's name
alone: ICE's names are wrong at times (``participatingAgencies01052025pm.xlsx`` holds
signing dates up to 18 December 2025: it is the 5 January 2026 edition). The evidence,
strongest first: a date HQ gives; an archive's timestamp in the name
(``ParticipatingEntities-20210113002027.xlsx``); the server's ``Last-Modified``; the
date in the name (``MMDDYYYY`` with ``am``/``pm``), with its year corrected when it would
fall before the latest signing date inside and the next year fits; the latest signing
date inside. Whatever is chosen, the edition is never dated before its latest signing
date (a list cannot show a signature that has not happened).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from portal.tables import display

from .choices import CHANGE_FIELDS, ChangeKind

ARCHIVE_STAMP = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?!\d)")
NAME_STAMP = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4})(am|pm)?(?!\d)", re.I)
EARLIEST = dt.date(1996, 1, 1)


@dataclass
class Dating:
    """An edition's as-of date, the evidence found and the one used."""

    as_of: dt.date | None
    basis: str
    evidence: list[dict] = field(default_factory=list)
    latest_signed_on: dt.date | None = None
    name_stamp: str = ""


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def archive_timestamp(file_name: str) -> dt.date | None:
    """The date of a web archive's capture written in the name (YYYYMMDDhhmmss)."""
    match = ARCHIVE_STAMP.search(file_name)
    if not match:
        return None
    return _date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def name_stamp(file_name: str) -> tuple[str, dt.date | None]:
    """ICE's own stamp in the name (``07182025pm``) and the date it reads as (MMDDYYYY)."""
    if ARCHIVE_STAMP.search(file_name):
        return "", None
    match = NAME_STAMP.search(file_name)
    if not match:
        return "", None
    return match.group(0).lower(), _date(int(match.group(3)), int(match.group(1)), int(match.group(2)))


def latest_signing(rows: list[dict]) -> dt.date | None:
    dates = [row["signed_on"] for row in rows if row.get("signed_on")]
    return dt.date.fromisoformat(max(dates)) if dates else None


def date_edition(
    *,
    file_name: str,
    rows: list[dict],
    today: dt.date,
    given: dt.date | None = None,
    last_modified: dt.datetime | None = None,
    stamp_dates: dict[str, dt.date] | None = None,
) -> Dating:
    """The as-of date of an edition and why. ``stamp_dates`` maps a name stamp to the date
    another edition with the same stamp was found to be (ICE publishes both lists under
    one stamp, so a pending list, which has no dates inside, takes its participating
    sibling's correction)."""
    latest = latest_signing(rows)
    stamp, named = name_stamp(file_name)
    evidence: list[dict] = []

    def note(kind: str, day: dt.date | None, detail: str):
        if day is not None:
            evidence.append({"kind": kind, "date": day.isoformat(), "detail": detail})

    archived = archive_timestamp(file_name)
    note("given", given, "Given by HQ")
    note("archive_timestamp", archived, "The web archive's capture time in the file name")
    if last_modified is not None:
        note("http_last_modified", last_modified.date(), "The server's Last-Modified header")
    note("name", named, f"The date in the file name ({stamp})" if stamp else "")
    note("latest_signing", latest, "The latest signing date inside the list (a lower bound)")

    def plausible(day):
        return day is not None and EARLIEST <= day <= today + dt.timedelta(days=1)

    chosen, basis = None, ""
    if given is not None:
        chosen, basis = given, "Given by HQ"
    elif plausible(archived):
        chosen, basis = archived, "The web archive's capture time in the file name"
    elif last_modified is not None and plausible(last_modified.date()):
        chosen, basis = last_modified.date(), "The server's Last-Modified header"
    elif stamp and stamp_dates and stamp in stamp_dates and stamp_dates[stamp] != named:
        chosen = stamp_dates[stamp]
        basis = f"The date of the other list published under the same name stamp ({stamp})"
        if named and chosen != named:
            basis += f", whose name's year was wrong ({named:%Y} for {chosen:%Y})"
    elif plausible(named):
        chosen, basis = named, f"The date in the file name ({stamp})"
        if latest and named < latest:
            corrected = _date(named.year + 1, named.month, named.day)
            if corrected and latest <= corrected <= today + dt.timedelta(days=1):
                chosen = corrected
                basis = (
                    f"The date in the file name ({stamp}) with its year corrected to {corrected:%Y}: the list "
                    f"holds a signing date of {display(latest)}"
                )
                note("name_corrected", corrected, "The name's date, a year later")
    elif latest is not None:
        chosen, basis = latest, "The latest signing date inside the list (no other evidence)"
    if chosen is not None and latest is not None and chosen < latest:
        basis = f"{basis}; moved to the latest signing date inside ({display(latest)}), which it cannot precede"
        chosen = latest
    if chosen is None:
        basis = "No evidence of the edition's date: HQ must give it before it is applied"
    return Dating(as_of=chosen, basis=basis[:300], evidence=evidence, latest_signed_on=latest, name_stamp=stamp)


# --- the change list -------------------------------------------------------------------------


def row_key(row: dict) -> tuple[str, str, str]:
    """An agreement on ICE's list: state, agency (folded) and 287(g) model."""
    return row["state"], row["match_key"], row["program_model"]


def _value(row: dict, name: str) -> str:
    if name == "signed_on":
        return row.get("signed_on") or row.get("signed_on_raw") or ""
    value = row.get(name) or ""
    return "" if name == "agency_type" and value == "other" else str(value)


def compare_rows(previous_rows: list[dict], rows: list[dict], *, previous_columns=None, columns=None) -> list[dict]:
    """The change list from ``previous_rows`` to ``rows``: new agreements, those no longer
    listed, and each changed field with its value before and after. A field is compared
    only when both editions have its column (ICE's column sets drift between editions:
    a county is not "removed" by an edition without a COUNTY column)."""
    before = {row_key(r): r for r in previous_rows}
    after = {row_key(r): r for r in rows}
    have = set(columns or ()) & set(previous_columns or ()) if (columns and previous_columns) else None
    column_of = {
        "agency_type": "type",
        "county": "county",
        "signed_on": "signed",
        "moa_url": "moa",
        "addendum_url": "addendum",
        "name": "agency",
    }
    fields = [f for f in CHANGE_FIELDS if have is None or column_of[f] in have]
    changes = []

    def line(kind, row, **extra):
        changes.append(
            {
                "kind": kind,
                "state": row["state"],
                "agency_name": row["name"][:200],
                "match_key": row["match_key"][:200],
                "program_model": row["program_model"],
                **extra,
            }
        )

    for key in sorted(after.keys() - before.keys()):
        line(ChangeKind.NEW, after[key], field="", before="", after="")
    for key in sorted(before.keys() - after.keys()):
        line(ChangeKind.REMOVED, before[key], field="", before="", after="")
    for key in sorted(after.keys() & before.keys()):
        old, new = before[key], after[key]
        for name in fields:
            a, b = _value(old, name), _value(new, name)
            if a != b:
                line(ChangeKind.CHANGED, new, field=name, before=a[:500], after=b[:500])
    return changes
