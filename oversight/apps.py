from django.apps import AppConfig


class OversightConfig(AppConfig):
    """HQ's oversight across the apps: the national dashboard, site readiness, the
    expansion impact check, the findings inbox with escalation, digests and the quarterly
    report. It reads the other apps; none of them imports it."""

    name = "oversight"
    verbose_name = "Oversight"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal import hooks
        from portal.compliance.signals import sweep_finished

        from . import receivers, services, views

        sweep_finished.connect(receivers.after_sweep, dispatch_uid="oversight.after_sweep")
        hooks.provide("agreement_approval_check", services.approval_check)
        hooks.provide("agreement_approved", services.approval_record)
        hooks.provide("home_page", views.home_page)
