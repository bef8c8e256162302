from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements"

    def ready(self):
        from portal import hooks

        from .selectors import agreement_figures

        hooks.provide("agreement_figures", agreement_figures)
