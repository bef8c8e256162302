"""Reload the shipped catalogue (used after transactional tests flush the tables)."""


def ensure_catalogue():
    import importlib

    from django.apps import apps

    from .models import Course

    if not Course.objects.filter(code="IADP").exists():
        module = importlib.import_module("training.migrations.0002_catalogue_and_charleston")
        module.load(apps, None)
