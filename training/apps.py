from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Officers and training"

    def ready(self):
        from portal import hooks

        from . import receivers  # noqa: F401  (designation ended / restored with the agency's agreements)
        from .selectors import certified_officers_by_agency

        # Whether an officer can act under the agency's agreement is computed at read time
        # (Officer.objects.able_to_act reads Agreement.objects.in_force), so a suspension
        # stops its officers from its effective date without a receiver.
        hooks.provide("certified_officers_by_agency", certified_officers_by_agency)
