"""Bring the audit journal up to date with records older than it (run once after the
upgrade that adds the journal; running it again writes nothing new)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Journal the historical rows written before the audit journal existed, and give every record "
        "without history a baseline row. Idempotent."
    )

    def handle(self, *args, **options):
        from portal.audit.backfill import backfill

        counts = backfill(log=self.stdout.write)
        self.stdout.write(f"Done: {sum(counts.values())} journal events written.")
