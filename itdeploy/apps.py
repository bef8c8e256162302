from django.apps import AppConfig


class ItdeployConfig(AppConfig):
    name = "itdeploy"
    verbose_name = "IT installation"

    def ready(self):
        from . import receivers  # noqa: F401  (connects to the agreements app's signals)
