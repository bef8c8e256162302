"""Record everything the ICE list import decides for a folder of workbooks, to prove a
change to the import keeps its results identical.

    DATABASE_URL=... .venv/bin/python benchmarks/import_snapshot.py OUT.json [FOLDER ...]

For each workbook (``.xlsx``/``.csv`` under the folders, by default the ICE editions in
``/work/shared/data/ice-287g`` and its ``history``), in a transaction rolled back
afterwards: what ``read_ice_file`` reads (rows, rejected and flagged rows, cleanings,
columns), the full ``plan_ice_import`` (every new, updated, signed, unchanged and no longer
listed agency and agreement with all their fields, the warnings and date changes) and the
stored preview of ``ice_import_preview`` (report, rows, dating, change list). Then, again
rolled back, the whole set imported as a history (``ice_history_import``: preview, change
lists and apply, in as-of order) and every agency and agreement the database then holds.
Time is frozen (1 February 2026, noon UTC) so two runs compare equal; ids of rows the run
creates are left out (PostgreSQL's sequences do not roll back).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from pathlib import Path

from _setup import setup_django

DEFAULT_FOLDERS = [Path("/work/shared/data/ice-287g"), Path("/work/shared/data/ice-287g/history")]
NOW = dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC)


class Rollback(Exception):
    pass


def fields(instance, skip=()) -> dict:
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in skip and not (instance.pk is None and f.attname == "id")
    }


def plan_of(plan) -> dict:
    return {
        "new_agencies": [fields(a) for a in plan.new_agencies],
        "updated_agencies": [fields(a) for a in plan.updated_agencies],
        "unchanged_agencies": plan.unchanged_agencies,
        "new_agreements": [(row["row"], fields(a)) for row, a in plan.new_agreements],
        "updated_agreements": [fields(a) for a in plan.updated_agreements],
        "signed_agreements": [fields(a) for a in plan.signed_agreements],
        "unchanged_agreements": plan.unchanged_agreements,
        "no_longer_listed": [fields(a) for a in plan.no_longer_listed],
        "no_longer_listed_agencies": [(a.agency.name, a.agency.state) for a in plan.no_longer_listed],
        "warnings": plan.warnings,
        "listed_ids": plan.listed_ids,
        "date_changes": [(fields(a), before, after) for a, before, after in plan.date_changes],
        "date_changes_at_once": plan.date_changes_at_once,
    }


def edition_of(edition) -> dict:
    from agreements.models import EditionChange

    return {
        "file_name": edition.file_name,
        "known": getattr(edition, "known", None),
        "status": edition.status,
        "edition": edition.edition,
        "import_date": edition.import_date,
        "rows": edition.rows,
        "report": edition.report,
        "as_of": edition.as_of,
        "as_of_basis": edition.as_of_basis,
        "as_of_evidence": edition.as_of_evidence,
        "latest_signed_on": edition.latest_signed_on,
        "previous": edition.previous.file_name if edition.previous_id else None,
        "changes": [
            {k: v for k, v in c.items() if k not in ("id", "edition_id")}
            for c in EditionChange.objects.filter(edition=edition)
            .order_by(*EditionChange._meta.ordering, "agreement_id")
            .values()
        ],
    }


def rolled_back(fn):
    from django.db import transaction

    box = {}
    try:
        with transaction.atomic():
            box["result"] = fn()
            raise Rollback
    except Rollback:
        pass
    return box["result"]


def one_file(path: Path) -> dict:
    from agreements import services
    from agreements.importers import IceFileError, plan_ice_import, read_ice_file, skip_keys
    from agreements.models import IceImport

    content = path.read_bytes()
    today = NOW.date()
    try:
        read = read_ice_file(content, path.name, today=today)
    except IceFileError as exc:
        return {"error": exc.messages}
    out = {
        "read": {
            "edition": read.edition,
            "rows": read.rows,
            "rejected": read.rejected,
            "flagged": read.flagged,
            "cleanings": dict(sorted(read.cleanings.items())),
            "rows_read": read.rows_read,
            "ignored_columns": read.ignored_columns,
            "columns": read.columns,
        }
    }
    import_date = dt.date(2026, 1, 15)
    out["plan"] = rolled_back(
        lambda: plan_of(plan_ice_import(read.rows, read.edition, import_date, skip_unlisting=skip_keys(read.rejected)))
    )

    def preview():
        # The demo stores ICE's editions: forget this one so that it is read, planned and compared again.
        IceImport.objects.filter(sha256=hashlib.sha256(content).hexdigest()).delete()
        return edition_of(services.ice_import_preview(content=content, file_name=path.name, acting_user=None))

    out["preview"] = rolled_back(preview)
    return out


def history(paths: list[Path]) -> dict:
    from agreements import services
    from agreements.models import Agency, Agreement, IceImport

    def run():
        IceImport.objects.all().delete()  # the demo's stored editions: imported again from scratch
        lines = services.ice_history_import(files=[(p.name, p.read_bytes()) for p in paths], acting_user=None)
        editions = [edition_of(e) for e in IceImport.objects.order_by("as_of", "edition", "file_name")]
        agencies = [
            fields(a, skip=("created_at", "updated_at")) for a in Agency.objects.order_by("state", "match_key", "pk")
        ]
        agreements = [
            dict(fields(a, skip=("created_at", "updated_at")), agency=(a.agency.state, a.agency.match_key))
            for a in Agreement.objects.select_related("agency").order_by(
                "agency__state", "agency__match_key", "program_model", "pk"
            )
        ]
        return {
            "lines": lines,
            "editions": editions,
            "agencies": agencies,
            "agreements": agreements,
            "agency_history": Agency.history.count(),
            "agreement_history": Agreement.history.count(),
        }

    return rolled_back(run)


def main() -> None:
    out_path = Path(sys.argv[1])
    folders = [Path(a) for a in sys.argv[2:]] or DEFAULT_FOLDERS
    setup_django()
    import time_machine

    paths = sorted(p for folder in folders for p in folder.iterdir() if p.suffix.lower() in (".xlsx", ".csv"))
    with time_machine.travel(NOW, tick=False):
        from agreements.models import Agency, Agreement

        last_agency = Agency.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        last_agreement = Agreement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        snapshot = {"files": {}, "history": None}
        for path in paths:
            print(path.name, flush=True)
            snapshot["files"][str(path)] = one_file(path)
        print("history", flush=True)
        snapshot["history"] = history(paths)
    # Ids of the rows the history creates depend on the sequences: written as "new".
    for row in snapshot["history"]["agencies"]:
        if row["id"] > last_agency:
            row["id"] = "new"
    for row in snapshot["history"]["agreements"]:
        if row["id"] > last_agreement:
            row["id"] = "new"
        if row["agency_id"] > last_agency:
            row["agency_id"] = "new"
    for edition in snapshot["history"]["editions"]:
        for change in edition["changes"]:
            if (change["agreement_id"] or 0) > last_agreement:
                change["agreement_id"] = "new"
    # In the reports, an agreement the history created is named by its order of creation.
    entries = [
        entry
        for edition in snapshot["history"]["editions"]
        for name in ("no_longer_listed", "signing_dates_changed")
        for entry in edition["report"].get(name, [])
    ]
    first_new = min((e["agreement"] for e in entries if e["agreement"] > last_agreement), default=0)
    for entry in entries:
        if entry["agreement"] > last_agreement:
            entry["agreement"] = f"new #{entry['agreement'] - first_new}"
    snapshot["last_ids"] = {"agency": last_agency, "agreement": last_agreement}
    snapshot["history"]["lines"] = [
        re.sub(r"\(edition \d+,", "(edition #,", line) for line in snapshot["history"]["lines"]
    ]
    out_path.write_text(json.dumps(snapshot, indent=1, sort_keys=True, default=str))
    print(f"written {out_path}")


if __name__ == "__main__":
    main()
