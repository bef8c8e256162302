from django.core.management.base import BaseCommand

from portal.tasks import pending_dispatch


class Command(BaseCommand):
    help = "Send the background tasks kept while Redis was unreachable (beat does this every five minutes)."

    def handle(self, *args, **options):
        counts = pending_dispatch()
        self.stdout.write(f"{counts['sent']} task(s) sent, {counts['kept']} still kept.")
