from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = "Staffing"

    def ready(self):
        from portal import hooks

        from . import receivers  # noqa: F401  (connects to the agreements app's signals)
        from .selectors import agency_assignment_history, agency_assignments, primary_manager_ids

        # What the portal asks the staffing app without importing it (portal/hooks.py).
        hooks.provide("primary_manager_ids", primary_manager_ids)
        hooks.provide("agency_assignments", agency_assignments)
        hooks.provide("agency_assignment_history", agency_assignment_history)

        from . import providers

        for name in (
            "staffing_officers_per_pm",
            "program_managers_assigned_on",
            "program_manager_suggestions",
            "program_managers_assign",
        ):
            hooks.provide(name, getattr(providers, name))
