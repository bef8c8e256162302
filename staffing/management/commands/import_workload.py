"""Import monthly workload reports from a CSV file (see staffing/importers.py)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from staffing.importers import import_workload_csv


class Command(BaseCommand):
    help = "Import monthly workload reports (encounters, charging documents, detainers) from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file; '-' reads standard input.")
        parser.add_argument("--user", required=True, help="Username of the person importing (recorded in the history).")
        parser.add_argument("--apply-valid", action="store_true", help="Write the valid rows even if others are wrong.")

    def handle(self, *args, path, user, apply_valid, **options):
        try:
            acting_user = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user {user!r}.") from exc
        if path == "-":
            import sys

            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read()
        result = import_workload_csv(text=text, acting_user=acting_user, apply_valid=apply_valid)
        for error in result.errors:
            self.stderr.write(f"row {error['row']}: {error['field']}: {error['message']}")
        if not result.applied:
            raise CommandError(
                f"{len(result.errors)} error(s); nothing imported (use --apply-valid to import the valid rows)."
            )
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
            f"errors {len(result.errors)}"
        )
