from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = "Staffing"

    def ready(self):
        from . import receivers  # noqa: F401  (connects to the agreements app's signals)
