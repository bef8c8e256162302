from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "287(g) Program Portal"

    def ready(self):
        # Each app declares its compliance rules in <app>/rules.py.
        autodiscover_modules("rules")
        from .api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
