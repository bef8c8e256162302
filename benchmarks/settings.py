"""Settings of the benchmarks: the portal's production settings (DEBUG off, persistent
connections) plus the floor, minimal Django REST framework lists over the same tables
(``benchmarks/floor_urls.py``). Only the benchmarks load this module; the floor's URLs
are never part of the portal's own URLconf."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmarks-only-key-never-used-to-serve-the-portal-7Qm2vX9kR4tL8wZ3nB6y")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("REQUIRE_2FA_FOR_HQ", "false")
os.environ.setdefault("API_THROTTLE_RATE", "100000000/hour")  # the load generator is one user
os.environ.setdefault("LOG_LEVEL", "WARNING")

from portal.settings import *  # noqa: E402,F403
from portal.settings import STORAGES  # noqa: E402

ROOT_URLCONF = "benchmarks.floor_urls"
# The manifest of collected static files is not needed to time pages.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
