"""The 287(g) Program Portal project package: settings, URLs, Celery app, the shell,
authentication, roles and scoping, and the compliance framework."""

from .celery import app as celery_app

__all__ = ["celery_app"]
