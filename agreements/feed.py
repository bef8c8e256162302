"""The scheduled fetch of ICE's published lists.

Each address of ``ICE_LIST_URLS`` is either ICE's 287(g) page, whose links to ``.xlsx``
workbooks are followed, or a workbook's own address. Every request is conditional
(``If-None-Match`` with the ETag and ``If-Modified-Since`` with the Last-Modified the
server sent last time, remembered per address in ``IceSource``), has a timeout, is retried
with exponential backoff on connection errors, timeouts and 5xx/429 answers, and stops
reading past a size limit. A body is taken as a workbook only when it starts with the zip
signature, openpyxl opens it and it has a header of ICE's list. Every request is recorded
(``IceFetch``: new edition, not modified, unchanged bytes, page, failed with the reason).
A new edition is previewed and applied in one transaction, or not at all: an edition with
rejected rows or without evidence of its date waits on its page for HQ, and a failure
leaves nothing behind but the fetch's record.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from email.utils import parsedate_to_datetime
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.tables import display

from .choices import FetchStatus, ImportStatus
from .models import IceFetch, IceSource

logger = logging.getLogger(__name__)

ZIP_SIGNATURE = b"PK\x03\x04"
LINK = re.compile(r"""href\s*=\s*["']([^"'#]+?\.xlsx(?:\?[^"'#]*)?)["']""", re.I)


class FetchFailed(Exception):
    """A request that gave no usable answer, with the reason to record."""

    def __init__(self, reason: str, *, http_status: int | None = None, attempts: int = 1):
        super().__init__(reason)
        self.reason, self.http_status, self.attempts = reason, http_status, attempts


class _Retry(Exception):
    pass


def configured_urls() -> list[str]:
    return [u for u in getattr(settings, "ICE_LIST_URLS", []) if u]


def _get(session: requests.Session, url: str, source: IceSource | None):
    """GET ``url`` conditionally, with retries and backoff; (response, body, attempts)."""
    headers = {"User-Agent": settings.ICE_FETCH_USER_AGENT, "Accept": "*/*"}
    if source is not None and source.etag:
        headers["If-None-Match"] = source.etag
    if source is not None and source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    limit = settings.ICE_FETCH_MAX_BYTES
    retries = max(1, settings.ICE_FETCH_RETRIES)
    last_error = ""
    for attempt in range(1, retries + 1):
        try:
            response = session.get(url, headers=headers, timeout=settings.ICE_FETCH_TIMEOUT, stream=True)
            if response.status_code >= 500 or response.status_code == 429:
                last_error = f"HTTP {response.status_code}"
                response.close()
                raise _Retry(last_error)
            if response.status_code == 304:
                return response, b"", attempt
            if response.status_code != 200:
                response.close()
                raise FetchFailed(f"HTTP {response.status_code}", http_status=response.status_code, attempts=attempt)
            declared = response.headers.get("Content-Length")
            if declared and declared.isdecimal() and int(declared) > limit:
                response.close()
                raise FetchFailed(
                    f"larger than the limit of {limit:,} bytes ({int(declared):,} declared)",
                    http_status=200,
                    attempts=attempt,
                )
            body = bytearray()
            for chunk in response.iter_content(chunk_size=65536):
                body.extend(chunk)
                if len(body) > limit:
                    response.close()
                    raise FetchFailed(f"larger than the limit of {limit:,} bytes", http_status=200, attempts=attempt)
            if declared and declared.isdecimal() and len(body) != int(declared):
                raise _Retry(f"truncated: {len(body):,} of {int(declared):,} bytes")
            return response, bytes(body), attempt
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError, _Retry) as exc:
            last_error = _describe(exc)
            if attempt < retries:
                time.sleep(settings.ICE_FETCH_BACKOFF_SECONDS * (2 ** (attempt - 1)))
    raise FetchFailed(f"{last_error} (after {retries} attempt{'s' if retries > 1 else ''})", attempts=retries)


def _describe(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return f"timed out after {settings.ICE_FETCH_TIMEOUT} s"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection closed before the whole body arrived (truncated)"
    if isinstance(exc, requests.ConnectionError):
        return "could not connect"
    return str(exc)[:200]


def _last_modified(response) -> dt.datetime | None:
    value = response.headers.get("Last-Modified")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _remember(source: IceSource, response) -> None:
    source.etag = (response.headers.get("ETag") or "")[:200]
    source.last_modified = (response.headers.get("Last-Modified") or "")[:100]
    source.last_fetched_at = timezone.now()
    source.save()


def _record(url, started, status, *, reason="", http_status=None, size=None, attempts=1, edition=None) -> IceFetch:
    return IceFetch.objects.create(
        url=url[:500],
        started_at=started,
        finished_at=timezone.now(),
        status=status,
        reason=reason[:500],
        http_status=http_status,
        size=size,
        attempts=attempts,
        edition=edition,
    )


def is_workbook(body: bytes) -> bool:
    return body[:4] == ZIP_SIGNATURE


def workbook_links(page: str, base_url: str) -> list[str]:
    """The addresses of the ``.xlsx`` workbooks a page links to, in page order, once each."""
    seen, links = set(), []
    for href in LINK.findall(page):
        url = urljoin(base_url, href.replace("&amp;", "&"))
        if url not in seen:
            seen.add(url)
            links.append(url)
    return links


def fetch_ice_lists(*, urls: list[str] | None = None, acting_user=None) -> list[IceFetch]:
    """Fetch every configured address once; return the fetches recorded."""
    session = requests.Session()
    fetches: list[IceFetch] = []
    for url in urls if urls is not None else configured_urls():
        fetches += _fetch(session, url, acting_user=acting_user, follow_links=True)
    return fetches


def _fetch(session, url: str, *, acting_user, follow_links: bool) -> list[IceFetch]:
    started = timezone.now()
    source, _ = IceSource.objects.get_or_create(url=url[:500])
    try:
        response, body, attempts = _get(session, url, source)
    except FetchFailed as exc:
        logger.warning("Fetch of %s failed: %s", url, exc.reason)
        return [
            _record(
                url, started, FetchStatus.FAILED, reason=exc.reason, http_status=exc.http_status, attempts=exc.attempts
            )
        ]
    if response.status_code == 304:
        _remember_304(source)
        return [_record(url, started, FetchStatus.NOT_MODIFIED, http_status=304, attempts=attempts)]
    content_type = response.headers.get("Content-Type", "").lower()
    if not is_workbook(body) and ("html" in content_type or body.lstrip()[:1] == b"<"):
        if not follow_links:
            return [
                _record(
                    url,
                    started,
                    FetchStatus.FAILED,
                    http_status=200,
                    size=len(body),
                    attempts=attempts,
                    reason="a page where a workbook was expected",
                )
            ]
        links = workbook_links(body.decode(response.encoding or "utf-8", errors="replace"), response.url or url)
        links = links[: settings.ICE_FETCH_MAX_LINKS]
        _remember(source, response)
        page = _record(
            url,
            started,
            FetchStatus.PAGE if links else FetchStatus.FAILED,
            http_status=200,
            size=len(body),
            attempts=attempts,
            reason=(
                f"{len(links)} workbook link(s) followed"
                if links
                else "not a workbook: a page with no link to an .xlsx workbook"
            ),
        )
        fetches = [page]
        for link in links:
            fetches += _fetch(session, link, acting_user=acting_user, follow_links=False)
        return fetches
    return [_take_workbook(url, started, source, response, body, attempts, acting_user)]


def _remember_304(source: IceSource) -> None:
    source.last_fetched_at = timezone.now()
    source.save(update_fields=["last_fetched_at"])


def _take_workbook(url, started, source, response, body, attempts, acting_user) -> IceFetch:
    from .importers import IceFileError
    from .services import ice_import_apply, ice_import_preview

    size = len(body)
    if not is_workbook(body):
        return _record(
            url,
            started,
            FetchStatus.FAILED,
            http_status=200,
            size=size,
            attempts=attempts,
            reason=f"not an Excel workbook (no zip signature; starts with {body[:8]!r})",
        )
    name = unquote(PurePosixPath(urlsplit(response.url or url).path).name) or "ice-list.xlsx"
    last_modified = _last_modified(response)
    try:
        with transaction.atomic():
            edition = ice_import_preview(
                content=body, file_name=name, acting_user=acting_user, last_modified=last_modified, source_url=url
            )
            if edition.known:
                _remember(source, response)
                return _record(
                    url,
                    started,
                    FetchStatus.UNCHANGED,
                    http_status=200,
                    size=size,
                    attempts=attempts,
                    edition=edition,
                    reason=f"the same bytes as {edition.file_name}",
                )
            reason = ""
            if edition.report.get("rejected"):
                reason = f"{len(edition.report['rejected'])} row(s) rejected: waits for HQ on its page"
            elif edition.as_of is None:
                reason = "no evidence of its date: waits for HQ to give it"
            else:
                edition = ice_import_apply(ice_import=edition, acting_user=acting_user)
                reason = (
                    "older than an applied edition: stored and compared"
                    if edition.status == ImportStatus.STORED
                    else f"applied as of {display(edition.as_of)}"
                )
            _remember(source, response)
            return _record(
                url,
                started,
                FetchStatus.NEW_EDITION,
                http_status=200,
                size=size,
                attempts=attempts,
                edition=edition,
                reason=reason,
            )
    except IceFileError as exc:
        return _record(
            url,
            started,
            FetchStatus.FAILED,
            http_status=200,
            size=size,
            attempts=attempts,
            reason=f"not one of ICE's lists: {' '.join(exc.messages)}",
        )
    except Exception as exc:  # recorded, never a partial import: the transaction above rolled back
        logger.exception("Import of the fetched %s failed", url)
        return _record(
            url,
            started,
            FetchStatus.FAILED,
            http_status=200,
            size=size,
            attempts=attempts,
            reason=f"import failed: {type(exc).__name__}: {exc}"[:500],
        )


def latest_fetches(limit: int = 200):
    return IceFetch.objects.select_related("edition").order_by("-started_at", "-pk")[:limit]
