"""Import an officer roster, a PALMS completion export or a card-login export (CSV)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from training.importers import COLUMNS, run_import


class Command(BaseCommand):
    help = "Import training data: roster, completions or card-logins, from a CSV file (all or nothing by default)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(COLUMNS))
        parser.add_argument("path")
        parser.add_argument(
            "--apply-valid", action="store_true", help="Write the valid rows even if some rows are wrong."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, kind, path, apply_valid, dry_run, **options):
        try:
            with open(path, encoding="utf-8-sig") as fh:
                report = run_import(kind, text=fh.read(), acting_user=None, apply_valid=apply_valid, dry_run=dry_run)
        except (OSError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(f"row {error['row']}: {error['message']}")
        self.stdout.write(
            f"{report.total} rows: {report.valid} valid, {len(report.errors)} with errors, {report.duplicates} duplicates, "
            f"{report.unchanged} unchanged; created {report.created}, updated {report.updated}; "
            + ("applied." if report.applied else "nothing written.")
        )
        if report.errors and not report.applied:
            raise CommandError("Nothing was imported: fix the rows above or use --apply-valid.")
