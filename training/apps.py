from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Officers and training"

    def ready(self):
        from portal import hooks

        from .selectors import certified_officers_by_agency

        # Whether an officer can act under the agency's agreement is computed at read time
        # (Officer.objects.able_to_act), so no receivers of agreement_ended/reinstated are
        # needed: a suspended or terminated agreement stops its officers the same day.
        hooks.provide("certified_officers_by_agency", certified_officers_by_agency)
