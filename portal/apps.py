from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig, apps
from django.utils.module_loading import autodiscover_modules


def app_modules(name: str):
    """``(app config, module)`` for every installed app that has a module ``<app>.<name>``
    (its ``navigation``, ``panels``, ``demo``), in the order of INSTALLED_APPS. A module
    that exists but fails to import raises, rather than passing for absent."""
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.{name}") is not None:
            yield config, import_module(f"{config.name}.{name}")


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "287(g) Program Portal"

    def ready(self):
        # Each app declares its compliance rules in <app>/rules.py.
        autodiscover_modules("rules")
        from .api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
        from .audit import signals as audit_signals

        audit_signals.connect()
