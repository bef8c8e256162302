"""Import one edition of ICE's published 287(g) agency list (participating or pending)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agreements.importers import CLEANING_LABELS, has_changes
from agreements.services import ice_import_apply, ice_import_drop, ice_import_preview


class Command(BaseCommand):
    help = (
        "Import a file of ICE's 287(g) agency lists (.xlsx or .csv). The edition (participating or pending) "
        "is read from the header. When rows are rejected nothing is applied unless --apply-valid is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")
        parser.add_argument(
            "--apply-valid",
            action="store_true",
            help="Apply the valid rows even when some rows are rejected (they stay listed).",
        )
        parser.add_argument("--user", help="Username recorded as the one who imported the file.")
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="The date the edition is as of (YYYY-MM-DD), when the file and its name do not tell.",
        )

    def handle(self, *args, file, dry_run, apply_valid, user, as_of=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        acting_user = None
        if user:
            acting_user = get_user_model().objects.filter(username=user).first()
            if acting_user is None:
                raise CommandError(f"No user named {user!r}.")
        try:
            ice_import = ice_import_preview(
                content=path.read_bytes(), file_name=path.name, acting_user=acting_user, as_of=as_of
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if ice_import.known:
            self.stdout.write(
                f"{path.name}: the same bytes as edition {ice_import.pk} ({ice_import.file_name}, "
                f"{ice_import.get_status_display().lower()}): nothing to do."
            )
            return
        report = ice_import.report
        applied = False
        self.stdout.write(f"As of: {ice_import.as_of or 'unknown'} ({ice_import.as_of_basis})")
        if dry_run:
            ice_import_drop(ice_import=ice_import)
        elif ice_import.as_of is None:
            ice_import_drop(ice_import=ice_import)
            raise CommandError("The edition's date cannot be told from the file: give it with --as-of YYYY-MM-DD.")
        elif report["rejected"] and not apply_valid:
            ice_import_drop(ice_import=ice_import)
        else:
            ice_import = ice_import_apply(ice_import=ice_import, acting_user=acting_user, apply_valid=apply_valid)
            report, applied = ice_import.report, True
            if ice_import.status == "stored":
                self.stdout.write(
                    self.style.WARNING(
                        "Stored and compared, not applied: an edition of this list as of a later date is applied."
                    )
                )
                return
        self._print(report)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        elif not applied:
            self.stdout.write(
                self.style.ERROR(
                    f"{len(report['rejected'])} row(s) rejected: nothing was applied. Fix the file, or run again with "
                    "--apply-valid to apply the other rows."
                )
            )
        elif has_changes(report):
            self.stdout.write(self.style.SUCCESS(f"Applied (import {ice_import.pk})."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Applied (import {ice_import.pk}): no change."))

    def _print(self, report):
        out = self.stdout.write
        out(f"{report['file_name']}: {report['edition']} edition, {report['rows_read']} rows read")
        a, g = report["agencies"], report["agreements"]
        out(f"Agencies: {a['new']} new, {a['updated']} updated, {a['unchanged']} unchanged")
        out(
            f"Agreements: {g['new']} new, {g['updated']} updated, {g['signed']} signed, {g['unchanged']} unchanged, "
            f"{g['no_longer_listed']} no longer listed"
        )
        out(f"Rejected rows: {len(report['rejected'])}")
        for row in report["rejected"]:
            out(f"  row {row['row']}: {row['reason']} ({row['agency'] or 'no name'}, {row['state'] or 'no state'})")
        out(f"Signing dates that cannot be trusted (flagged for HQ): {len(report['flagged_dates'])}")
        for row in report["flagged_dates"]:
            out(f"  row {row['row']}: {row['agency']} ({row['state']}): {row['value']!r}, {row['problem']}")
        if report["cleanings"]:
            out("Cleanings:")
            for key, count in report["cleanings"].items():
                out(f"  {CLEANING_LABELS.get(key, key)}: {count}")
        for warning in report["warnings"]:
            out(f"  warning, row {warning['row']}: {warning['message']}")
