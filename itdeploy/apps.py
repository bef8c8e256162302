from django.apps import AppConfig


class ItdeployConfig(AppConfig):
    name = "itdeploy"
    verbose_name = "IT installation"

    def ready(self):
        from portal import hooks

        from . import receivers  # noqa: F401  (connects to the agreements app's signals)
        from .models import ProgramModelSetting

        hooks.provide("models_needing_installation", ProgramModelSetting.models_needing_installation)
