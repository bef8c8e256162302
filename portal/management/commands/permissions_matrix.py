"""Write ``docs/permissions.md`` from the access policy (``portal/access.py``)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.access_docs import render


class Command(BaseCommand):
    help = "Write docs/permissions.md from the access policy (portal/access.py); --check only compares."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if docs/permissions.md is stale.")

    def handle(self, *args, check=False, **options):
        path = Path(settings.BASE_DIR) / "docs" / "permissions.md"
        text = render()
        if check:
            if not path.exists() or path.read_text() != text:
                self.stderr.write("docs/permissions.md is stale: run python manage.py permissions_matrix")
                raise SystemExit(1)
            self.stdout.write("docs/permissions.md is up to date.")
            return
        path.write_text(text)
        self.stdout.write(f"Wrote {path}")
