import datetime as dt

import time_machine
from django.core.management import call_command
from rest_framework.test import APIClient

from portal.models import ApiToken


def token_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_issue_token_prints_a_key_stored_only_as_a_hash(world, people, capsys):
    call_command("issue_token", people["pm"].username)
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=people["pm"])
    assert key not in (token.digest, token.prefix)
    assert token.digest == ApiToken.hash_key(key)
    assert not ApiToken.objects.filter(digest=key).exists()


def test_field_manager_token_lists_only_their_agencies(world, people, capsys):
    call_command("issue_token", people["pm"].username)
    key = capsys.readouterr().out.strip()
    response = token_client(key).get("/api/v1/agencies/")
    assert response.status_code == 200
    assert [a["name"] for a in response.json()["results"]] == ["Harris County Sheriff's Office"]


def test_revoked_and_expired_tokens_are_refused_with_401(world, people, api):
    from portal.services import token_create, token_revoke

    token = token_create(user=people["pm"], name="field client", expires_in_days=1)
    client = token_client(token.plain_key)
    assert client.get("/api/v1/agencies/").status_code == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=2)):
        assert client.get("/api/v1/agencies/").status_code == 401
    token_revoke(token=token)
    response = client.get("/api/v1/agencies/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_tokens_endpoint_creates_shows_key_once_and_revokes(world, people, api):
    client = api(people["pm"])
    created = client.post("/api/v1/tokens/", {"name": "laptop", "expires_in_days": 30})
    assert created.status_code == 201
    key = created.json()["key"]
    assert key and len(key) > 30
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["laptop"] and listed[0]["key"] is None
    # another user's tokens are not found
    assert api(people["pm_other"]).delete(f"/api/v1/tokens/{created.json()['id']}/").status_code == 404
    assert client.delete(f"/api/v1/tokens/{created.json()['id']}/").status_code == 200
    assert token_client(key).get("/api/v1/agencies/").status_code == 401
    assert client.post("/api/v1/tokens/", {"name": "", "expires_in_days": 900}).json().keys() >= {
        "name",
        "expires_in_days",
    }


def test_token_page_creates_and_revokes(client, world, people):
    client.force_login(people["analyst"])
    response = client.post("/tokens/", {"name": "reports", "days": "30"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=people["analyst"])
    assert token.prefix in response.content.decode()
    client.post("/tokens/", {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.post("/tokens/", {"name": "", "days": "30"}).status_code == 400


def test_last_use_is_written_at_most_once_a_minute_and_shown(world, people, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.services import token_create

    start = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)

    def call(at):
        with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/agencies/").status_code == 200
        return [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "portal_apitoken"')]

    with time_machine.travel(start, tick=False):
        token = token_create(user=people["pm"], name="field client", expires_in_days=30)
    client = token_client(token.plain_key)
    # given its first use, written at once
    assert len(call(start)) == 1
    token.refresh_from_db()
    assert token.last_used_at == start
    # when it is used again within the minute, nothing is written
    assert call(start + dt.timedelta(seconds=30)) == []
    assert call(start + dt.timedelta(seconds=60)) == []
    token.refresh_from_db()
    assert token.last_used_at == start
    # then the first use after the minute writes the new time, which the tokens list shows
    assert len(call(start + dt.timedelta(seconds=61))) == 1
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(seconds=61)
    listed = api(people["pm"]).get("/api/v1/tokens/").json()["results"]
    assert dt.datetime.fromisoformat(listed[0]["last_used_at"]) == start + dt.timedelta(seconds=61)


def test_a_token_is_read_in_one_statement_and_an_inactive_owner_is_refused(world, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.audit.models import AuditEvent
    from portal.services import token_create

    token = token_create(user=people["pm"], name="field client")
    client = token_client(token.plain_key)
    client.get("/api/v1/agencies/")  # its first use writes the time
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/agencies/").status_code == 200
    assert len([q for q in queries.captured_queries if 'FROM "portal_apitoken"' in q["sql"]]) == 1
    # deactivated without the signal that revokes the account's tokens (a bulk update)
    type(people["pm"]).objects.filter(pk=people["pm"].pk).update(is_active=False)
    assert client.get("/api/v1/agencies/").status_code == 401
    event = AuditEvent.objects.denied().get()
    assert (event.actor, event.token_id, event.reason) == (people["pm"], token.pk, "API token of an inactive user")
