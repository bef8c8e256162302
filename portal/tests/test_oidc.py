"""Federal single sign-on through OpenID Connect, against a local provider the test
serves on 127.0.0.1 (portal/tests/oidc_provider.py): the code flow end to end, with an
RS256-signed id_token checked against the provider's keys. A person is let in only as
the existing, active member of staff with the e-mail address the provider vouches for."""

import urllib.parse

import pytest
import requests
from django.contrib.auth import get_user_model

from portal.tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OIDCProvider


@pytest.fixture
def provider(settings):
    with OIDCProvider() as op:
        config = requests.get(f"{op.url}/.well-known/openid-configuration", timeout=5).json()
        settings.OIDC_ENABLED = True
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = config["authorization_endpoint"]
        settings.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
        settings.OIDC_OP_USER_ENDPOINT = config["userinfo_endpoint"]
        settings.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
        settings.OIDC_VERIFY_SSL = False
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "portal.accounts.oidc.StaffOIDCBackend"]
        yield op


def sso_sign_in(client, provider):
    """Follow the code flow: the portal sends the browser to the provider, the provider
    back to the portal's callback with a code, which the portal exchanges for tokens."""
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302 and start.url.startswith(provider.url + "/authorize")
    at_provider = requests.get(start.url, allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    callback = urllib.parse.urlsplit(at_provider.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_the_login_page_offers_single_sign_on_only_when_configured(client, settings, provider):
    assert "Sign in with federal single sign-on" in client.get("/accounts/login/").content.decode()
    settings.OIDC_ENABLED = False
    assert "single sign-on" not in client.get("/accounts/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404


def test_a_member_of_staff_signs_in_through_the_provider(client, people, provider):
    provider.email = people["pm"].email.upper()  # matched without regard to case
    response = sso_sign_in(client, provider)
    assert response.status_code == 302 and response.url == "/"
    assert client.session["_auth_user_id"] == str(people["pm"].pk)
    assert client.get("/").status_code == 200
    assert {"/authorize", "/token", "/jwks", "/userinfo"} <= set(provider.requests)


@pytest.mark.parametrize("case", ["unknown", "no role", "inactive", "unverified"])
def test_no_account_is_created_or_entered_without_a_matching_active_staff_account(client, people, provider, case):
    users_before = get_user_model().objects.count()
    if case == "unknown":
        provider.email = "someone.else@dhs.gov"
    elif case == "no role":
        provider.email = people["norole"].email
    elif case == "inactive":
        people["pm"].is_active = False
        people["pm"].save()
        provider.email = people["pm"].email
    else:
        provider.email, provider.email_verified = people["pm"].email, False
    response = sso_sign_in(client, provider)
    assert response.status_code == 302 and "sso=failed" in response.url
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.count() == users_before
    assert "did not sign you in" in client.get(response.url).content.decode()


def test_an_id_token_issued_for_another_client_is_refused(client, people, provider):
    provider.email, provider.audience = people["pm"].email, "another-client"
    response = sso_sign_in(client, provider)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (302, 400)
