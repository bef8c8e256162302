from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements"

    def ready(self):
        from portal import hooks

        from .selectors import agencies_onboarding_in_grace, agreement_figures

        hooks.provide("agreement_figures", agreement_figures)

        # The sweep asks which agencies are still in onboarding within HQ's grace period.
        hooks.provide("agencies_onboarding_in_grace", agencies_onboarding_in_grace)
