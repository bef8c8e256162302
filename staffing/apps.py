from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = "Staffing"

    def ready(self):
        from portal import hooks

        from . import providers

        for name in ("staffing_officers_per_pm", "program_managers_assigned_on", "program_manager_suggestions",
                     "program_managers_assign"):
            hooks.provide(name, getattr(providers, name))
