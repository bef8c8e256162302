from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig, apps
from django.utils.module_loading import autodiscover_modules


def app_modules(name: str):
    """``(app config, module)`` for every installed app that has a module ``<app>.<name>``
    (its ``navigation``, ``panels``, ``demo``, ``api.urls``), in the order of INSTALLED_APPS. A module
    that exists but fails to import raises, rather than passing for absent."""
    parts = name.split(".")
    for config in apps.get_app_configs():
        # A dotted name ("api.urls") is looked for package by package: an app without an
        # ``api`` package has no ``api.urls``.
        dotted = [f"{config.name}.{'.'.join(parts[: i + 1])}" for i in range(len(parts))]
        if _exists(dotted):
            yield config, import_module(dotted[-1])


def _exists(dotted: list[str]) -> bool:
    """Whether each of the names exists, every one but the last as a package."""
    for i, module in enumerate(dotted):
        spec = find_spec(module)
        if spec is None or (i < len(dotted) - 1 and spec.submodule_search_locations is None):
            return False
    return True


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "287(g) Program Portal"

    def ready(self):
        # Each app declares its compliance rules in <app>/rules.py.
        autodiscover_modules("rules")
        # Each app declares its long work (run as jobs, portal.jobs) in <app>/jobs.py.
        autodiscover_modules("jobs")
        from .accounts import signals  # noqa: F401  (deactivation, session clock, lockout log)
        from .api import (
            schema,  # noqa: F401  (registers the token scheme with drf-spectacular)
            strict,
        )

        strict.install()  # every serializer refuses unknown body fields

        from .audit import signals as audit_signals

        audit_signals.connect()
        from .logs import install_record_factory

        install_record_factory()
