"""Fetch ICE's published lists now (what the daily Celery beat task does)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from agreements.feed import configured_urls, fetch_ice_lists


class Command(BaseCommand):
    help = (
        "Fetch every address of ICE_LIST_URLS (or the --url given): ICE's 287(g) page, whose .xlsx links are "
        "followed, or workbook addresses. A new edition is imported and its change digest e-mailed to the HQ "
        "users who subscribe to it; every fetch is recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", action="append", dest="urls", help="An address to fetch instead (repeatable).")

    def handle(self, *args, urls=None, **options):
        urls = urls or configured_urls()
        if not urls:
            self.stdout.write("No address to fetch: set ICE_LIST_URLS (see .env.example) or give --url.")
            return
        for fetch in fetch_ice_lists(urls=urls):
            line = f"{fetch.url}: {fetch.get_status_display()}"
            if fetch.reason:
                line += f" ({fetch.reason})"
            self.stdout.write(line)
