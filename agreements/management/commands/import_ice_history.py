"""Import a folder of ICE's past editions (both lists, both formats) in as-of order."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agreements.services import ice_history_import


class Command(BaseCommand):
    help = (
        "Import every edition of ICE's 287(g) lists in a folder (.xlsx and .csv), dated from the evidence each "
        "file gives and applied in as-of order, participating and pending alike. Valid rows are applied; "
        "rejected rows stay listed in each edition's report. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--user", help="Username recorded as the one who imported the files.")

    def handle(self, *args, folder, user=None, **options):
        path = Path(folder)
        if not path.is_dir():
            raise CommandError(f"No such folder: {folder}")
        acting_user = None
        if user:
            acting_user = get_user_model().objects.filter(username=user).first()
            if acting_user is None:
                raise CommandError(f"No user named {user!r}.")
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".xlsx", ".csv") and p.is_file())
        try:
            results = ice_history_import(files=[(p.name, p.read_bytes()) for p in files], acting_user=acting_user)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for line in results:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"{len(files)} file(s) read."))
