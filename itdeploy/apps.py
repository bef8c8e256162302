from django.apps import AppConfig


class ItdeployConfig(AppConfig):
    name = "itdeploy"
    verbose_name = "IT installation"

    def ready(self):
        from portal import hooks

        from . import receivers  # noqa: F401  (connects to the agreements app's signals)
        from .models import ProgramModelSetting

        # The 287(g) models whose agreements need a site installation (the onboarding queue asks).
        hooks.provide("program_models_needing_installation", ProgramModelSetting.models_needing_installation)
        hooks.provide("models_needing_installation", ProgramModelSetting.models_needing_installation)
