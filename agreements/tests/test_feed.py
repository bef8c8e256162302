"""The scheduled fetch against a local HTTP server started by the test on 127.0.0.1:
ICE's page with links to the workbooks, conditional requests (304), a changed workbook,
a truncated file, a body that is not a workbook, a timeout; the digest sent once."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from agreements import services
from agreements.choices import FetchStatus
from agreements.feed import fetch_ice_lists, workbook_links
from agreements.models import Agreement, IceFetch, IceImport, IceSource

HISTORY = Path(__file__).parent / "fixtures" / "history"
PARTICIPATING_2021 = (HISTORY / "ParticipatingEntities-20210113002027.xlsx").read_bytes()
PARTICIPATING_2022 = (HISTORY / "ParticipatingEntities-20220104000430.xlsx").read_bytes()
PENDING = (HISTORY / "pendingAgencies12012025am.xlsx").read_bytes()
PAGE = """<html><body><h1>287(g)</h1>
<a href="/files/ParticipatingEntities-20210113002027.xlsx">Participating Agencies</a>
<a href='files/pendingAgencies12012025am.xlsx'>Pending Agencies</a>
<a href="/about.pdf">About</a></body></html>"""


class Site:
    """What the local server serves: path -> (body, ETag, Last-Modified); a mutable map."""

    def __init__(self):
        self.files = {
            "/287g": (PAGE.encode(), '"page-1"', "Tue, 02 Dec 2025 10:00:00 GMT", "text/html; charset=utf-8"),
            "/files/ParticipatingEntities-20210113002027.xlsx": (PARTICIPATING_2021, '"p-1"', None, None),
            "/files/pendingAgencies12012025am.xlsx": (PENDING, '"q-1"', "Mon, 01 Dec 2025 14:00:00 GMT", None),
            "/truncated.xlsx": (PARTICIPATING_2022[: len(PARTICIPATING_2022) // 2], '"t"', None, None),
            "/notabook.xlsx": (b"<html>Access denied</html>", None, None, "text/html"),
            "/plain.xlsx": (b"STATE,AGENCY\nTX,Nobody\n", None, None, "application/octet-stream"),
        }
        self.requests = []
        self.short_body = set()  # paths answered with a Content-Length larger than the body sent
        self.slow = {"/slow.xlsx"}


@pytest.fixture
def site():
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            state.requests.append((self.path, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")))
            if self.path in state.slow:
                time.sleep(1.5)
                self.send_response(200)
                self.end_headers()
                return
            if self.path not in state.files:
                self.send_response(404)
                self.end_headers()
                return
            body, etag, modified, content_type = state.files[self.path]
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header(
                "Content-Type", content_type or "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            declared = len(body) * 2 if self.path in state.short_body else len(body)
            self.send_header("Content-Length", str(declared))
            if etag:
                self.send_header("ETag", etag)
            if modified:
                self.send_header("Last-Modified", modified)
            self.end_headers()
            self.wfile.write(body)
            if self.path in state.short_body:
                self.wfile.flush()
                self.connection.shutdown(2)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _quick_fetch(settings):
    settings.ICE_FETCH_TIMEOUT = 0.5
    settings.ICE_FETCH_RETRIES = 2
    settings.ICE_FETCH_BACKOFF_SECONDS = 0.01
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_workbook_links_are_found_on_icess_page():
    assert workbook_links(PAGE, "https://www.ice.gov/identify-and-arrest/287g") == [
        "https://www.ice.gov/files/ParticipatingEntities-20210113002027.xlsx",
        "https://www.ice.gov/identify-and-arrest/files/pendingAgencies12012025am.xlsx",
    ]


@pytest.mark.django_db
def test_the_page_is_followed_then_not_modified_then_a_changed_workbook_is_a_new_edition(site, offices, people):
    chief = people["chief"]
    chief.email = "chief@example.gov"
    chief.save()
    services.digest_subscription_set(user=chief, subscribed=True)
    people["pm"].email = "pm@example.gov"
    people["pm"].save()

    # when the page is fetched the first time, both workbooks it links to are imported
    fetches = fetch_ice_lists(urls=[f"{site.url}/287g"])
    assert [f.status for f in fetches] == [FetchStatus.PAGE, FetchStatus.NEW_EDITION, FetchStatus.NEW_EDITION]
    participating = IceImport.objects.get(edition="participating")
    pending = IceImport.objects.get(edition="pending")
    assert participating.status == pending.status == "applied"
    assert participating.source_url.endswith("/files/ParticipatingEntities-20210113002027.xlsx")
    # dated by the server's Last-Modified when the name has no stronger evidence
    assert str(pending.as_of) == "2025-12-01" and "Last-Modified" in pending.as_of_basis
    assert Agreement.objects.filter(status="signed").count() == 150
    # and the digest goes once per edition to the HQ subscriber only
    assert len(mail.outbox) == 2 and all(m.to == ["chief@example.gov"] for m in mail.outbox)
    assert any("the first edition the portal has (150 agreements)" in m.subject for m in mail.outbox)
    source = IceSource.objects.get(url=f"{site.url}/files/ParticipatingEntities-20210113002027.xlsx")
    assert source.etag == '"p-1"'

    # when nothing changed, the requests are conditional and answered 304: nothing imported, no mail
    fetches = fetch_ice_lists(urls=[f"{site.url}/287g"])
    assert [f.status for f in fetches] == [FetchStatus.NOT_MODIFIED]
    assert site.requests[-1] == ("/287g", '"page-1"', "Tue, 02 Dec 2025 10:00:00 GMT")
    assert IceImport.objects.count() == 2 and len(mail.outbox) == 2

    # when ICE replaces the participating workbook at the same address
    body, *_ = site.files["/287g"]
    site.files["/287g"] = (body, '"page-2"', None, "text/html")
    site.files["/files/ParticipatingEntities-20210113002027.xlsx"] = (PARTICIPATING_2022, '"p-2"', None, None)
    fetches = fetch_ice_lists(urls=[f"{site.url}/287g"])
    assert [f.status for f in fetches] == [FetchStatus.PAGE, FetchStatus.NEW_EDITION, FetchStatus.NOT_MODIFIED]
    newer = fetches[1].edition
    assert newer.status == "applied" and newer.previous == participating
    assert newer.changes.filter(kind="removed").count() == 8
    assert len(mail.outbox) == 3 and "8 no longer listed" in mail.outbox[2].subject
    assert "No longer listed:" in mail.outbox[2].body

    # the same bytes again (a new ETag, the same file) are an unchanged edition, and the digest is not resent
    site.files["/files/ParticipatingEntities-20210113002027.xlsx"] = (PARTICIPATING_2022, '"p-3"', None, None)
    fetch = fetch_ice_lists(urls=[f"{site.url}/files/ParticipatingEntities-20210113002027.xlsx"])[0]
    assert fetch.status == FetchStatus.UNCHANGED and len(mail.outbox) == 3
    assert services.edition_digest_send(edition=newer) == 0


@pytest.mark.django_db
def test_bad_bodies_and_timeouts_are_recorded_and_import_nothing(site, offices):
    site.short_body.add("/files/ParticipatingEntities-20210113002027.xlsx")
    urls = [
        f"{site.url}/{name}" for name in ("truncated.xlsx", "notabook.xlsx", "plain.xlsx", "slow.xlsx", "missing.xlsx")
    ]
    urls.append(f"{site.url}/files/ParticipatingEntities-20210113002027.xlsx")
    fetches = {f.url.rsplit("/", 1)[1]: f for f in fetch_ice_lists(urls=urls)}
    assert {f.status for f in fetches.values()} == {FetchStatus.FAILED}
    assert "cannot be read as an Excel workbook" in fetches["truncated.xlsx"].reason
    assert "not a workbook: a page with no link" in fetches["notabook.xlsx"].reason
    assert "not an Excel workbook" in fetches["plain.xlsx"].reason
    assert "timed out" in fetches["slow.xlsx"].reason and fetches["slow.xlsx"].attempts == 2
    assert fetches["missing.xlsx"].http_status == 404
    assert "truncated" in fetches["ParticipatingEntities-20210113002027.xlsx"].reason
    # never a partial import, and the server's validators are not remembered for a failure
    assert not IceImport.objects.exists() and not Agreement.objects.exists()
    assert IceFetch.objects.count() == 6
    assert not IceSource.objects.exclude(etag="").exists()


@pytest.mark.django_db
def test_size_limit_and_the_command(site, offices, settings):
    settings.ICE_FETCH_MAX_BYTES = 1000
    out = StringIO()
    call_command("fetch_ice_lists", "--url", f"{site.url}/files/ParticipatingEntities-20210113002027.xlsx", stdout=out)
    assert "Failed (larger than the limit of 1,000 bytes" in out.getvalue()
    assert not IceImport.objects.exists()
    out = StringIO()
    call_command("fetch_ice_lists", stdout=out)
    assert "No address to fetch" in out.getvalue()


@pytest.mark.django_db
def test_the_daily_task_is_scheduled_and_editable():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="agreements.fetch_ice_lists")
    assert task.enabled and task.crontab.hour == "6" and task.crontab.timezone.key == "America/New_York"
