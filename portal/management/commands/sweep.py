from django.core.management.base import BaseCommand, CommandError

from portal.compliance.registry import registry
from portal.compliance.sweep import sweep_run
from portal.errors import SweepAlreadyRunning


class Command(BaseCommand):
    help = "Run the compliance sweep now, as the nightly task does, and print its counts per rule."

    def add_arguments(self, parser):
        parser.add_argument("--rule", action="append", dest="rules", help="Run only this rule (repeatable).")
        parser.add_argument("--no-notify", action="store_true", help="Do not e-mail the responsible people.")

    def handle(self, *args, rules=None, no_notify=False, **options):
        try:
            run = sweep_run(triggered_by="command", rule_codes=rules, notify=not no_notify)
        except SweepAlreadyRunning as exc:
            raise CommandError(str(exc)) from exc
        except KeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Sweep {run.pk} {run.get_status_display().lower()} as of {run.as_of}.")
        for code, c in run.counts.items():
            rule = registry.get(code)
            if "error" in c:
                self.stdout.write(f"  {code}: ERROR {c['error']}")
            else:
                self.stdout.write(
                    f"  {code} ({rule.title}): {c['open']} open, {c['opened']} opened, {c['resolved']} resolved"
                )
        if run.error:
            raise CommandError(run.error)
