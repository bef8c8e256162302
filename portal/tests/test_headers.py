"""Security headers: the Content-Security-Policy allows no inline script or style, API
responses and exports are never stored, and the schema and its docs need a sign-in."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_carries_a_csp_without_inline_script_or_style(client, people):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_template_has_inline_script_style_or_handlers():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\sstyle=", r"<style", r"\son[a-z]+\s*="):
            if re.search(pattern, text, re.IGNORECASE):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


def test_api_responses_are_not_stored(api, people, world):
    response = api(people["chief"]).get("/api/v1/agencies/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "no-store" in api().get("/api/v1/agencies/")["Cache-Control"]  # errors too


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_exports_are_not_stored(client, people, world, export):
    client.force_login(people["chief"])
    response = client.get(f"/agencies/?export={export}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_pages_may_be_kept_by_the_browser_but_not_exports(client, people, world):
    client.force_login(people["chief"])
    assert "no-store" not in client.get("/agencies/").get("Cache-Control", "")


def test_schema_and_docs_need_a_sign_in(client, api, people):
    from portal.services import token_create

    assert api().get("/api/schema/").status_code == 401
    response = client.get("/api/docs/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert client.get("/api/docs/?script").status_code in (401, 403)
    key = token_create(user=people["pm"], name="client").plain_key
    from rest_framework.test import APIClient

    by_token = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert by_token.get("/api/schema/").status_code == 200
    client.force_login(people["pm"])
    page = client.get("/api/docs/")
    assert page.status_code == 200 and b"<style" not in page.content
    script = client.get("/api/docs/?script")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


def test_logs_are_json_with_the_request_id(client, people):
    import json
    import logging

    from portal.logs import JsonFormatter, RequestIdFilter, current_request_id

    record = logging.LogRecord("portal.test", logging.WARNING, __file__, 1, "Sweep %s failed", (7,), None)
    record.event = "sweep_failed"
    token = current_request_id.set("req-123")
    try:
        RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "Sweep 7 failed"
    assert entry["request_id"] == "req-123"
    assert entry["event"] == "sweep_failed" and entry["level"] == "WARNING"


def test_the_request_id_of_the_proxy_reaches_the_logs(client, people, caplog):
    import logging

    with caplog.at_level(logging.WARNING):
        client.get("/no-such-page/", HTTP_X_REQUEST_ID="proxy-abc-1")
    assert any(getattr(r, "request_id", None) == "proxy-abc-1" for r in caplog.records if "Not Found" in r.getMessage())
