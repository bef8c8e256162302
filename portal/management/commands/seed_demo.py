from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from portal import demo
from portal.compliance.sweep import sweep_run


class Command(BaseCommand):
    help = "Load deterministic demo data (people, agencies, agreements, ...) and print one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(demo.SCALES), default="small")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing (but print the logins) if data exists.")
        parser.add_argument("--seed", type=int, default=287, help="Random seed (the same seed gives the same data).")

    def handle(self, *args, scale, if_empty, seed, **options):
        from portal.audit.models import AuditEvent
        from portal.compliance.models import Finding, SweepRun

        Agency = Finding._meta.get_field("agency").related_model  # the agreements app's, without importing it
        if if_empty and Agency.objects.exists():
            self.stdout.write("Demo data already present; nothing loaded.")
            self.print_logins()
            return
        try:
            with transaction.atomic():
                ctx = demo.run(scale, seed_value=seed, log=lambda m: self.stdout.write(m))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        # Bulk-written tables have no planner statistics until autovacuum reaches them (never,
        # where it is off): without them PostgreSQL estimates one row where there are
        # thousands and plans nested loops (a sweep rule took 1.7 s instead of 4 ms).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        run = sweep_run(triggered_by="seed_demo", notify=False)
        # The first sweep wrote the findings, their history and journal events into tables
        # analysed while empty: without fresh statistics the next sweep's plans compared
        # the 33,000 national findings as if there were none (seconds instead of milliseconds).
        with connection.cursor() as cursor:
            for model in (Finding, Finding.history.model, SweepRun, AuditEvent):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        self.stdout.write(f"Compliance sweep {run.pk}: {run.opened} findings opened.")
        self.print_logins(ctx.logins)

    def print_logins(self, logins=None):
        from portal.models import StaffProfile

        if logins is None:
            wanted = ["chief", "npm", "analyst", "ocio", "fod.hou", "pm.houston"]
            profiles = {
                p.user.username: p
                for p in StaffProfile.objects.filter(user__username__in=wanted).select_related("user")
            }
            logins = [(u, profiles[u].get_role_display(), "") for u in wanted if u in profiles]
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD})"))
        for username, role, note in logins:
            self.stdout.write(f"  {username:<12} {role}{' – ' + note if note else ''}")
        self.stdout.write("Open http://127.0.0.1:8000/ and sign in; the Unit Chief's settings are at /settings/.")
        from django.contrib.auth import get_user_model

        if get_user_model().objects.filter(username=demo.ADMIN_USERNAME, is_superuser=True).exists():
            self.stdout.write(
                f"Django admin, for operators: http://127.0.0.1:8000/admin/ as {demo.ADMIN_USERNAME} (same password).\n"
            )
