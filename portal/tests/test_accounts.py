"""Accounts and sign-in: lockout after failed sign-ins and HQ's recorded unlock, password
rules, session limits (frozen time), two-factor sign-in with real TOTP codes, and a
deactivated account losing its sessions and tokens at once."""

import datetime as dt
import logging

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError

from portal.tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


# --- lockout -------------------------------------------------------------------------


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, people, limit, caplog):
    from axes.models import AccessAttempt

    # given: as many wrong passwords as the limit allows
    for _ in range(limit):
        response = sign_in(client, "pm_hou", "wrong-password-1")
    # when: the right password comes next
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        response = sign_in(client, "pm_hou")
    # then: refused, saying the account is locked without telling which field was wrong
    assert response.status_code == 429
    text = response.content.decode()
    assert "locked after too many failed sign-in attempts" in text
    assert "did not match" not in text
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    # and the lockout is on record: the failures with their history, and the security log
    attempt = AccessAttempt.objects.get(username="pm_hou")
    assert attempt.failures_since_start >= limit
    assert attempt.history.filter(history_type="+").exists()
    assert attempt.history.count() == limit + 1  # one history row per failure, the refused one too
    assert any(getattr(r, "event", "") == "lockout" and r.username == "pm_hou" for r in caplog.records)


def test_one_address_is_locked_out_across_usernames(client, people, limit):
    for name in ("pm_hou", "pm_hou2", "pm_mia"):
        sign_in(client, name, "wrong-password-1")
    assert sign_in(client, "fod_hou").status_code == 429  # same address, another person


def test_a_different_address_is_not_locked_by_anothers_failures_on_other_names(client, people, limit):
    for name in ("pm_hou", "pm_hou2", "pm_mia"):
        sign_in(client, name, "wrong-password-1", REMOTE_ADDR="10.0.0.7")
    response = sign_in(client, "fod_hou", REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 302 and response.url == "/"


def test_hq_unlocks_from_the_portal_page_and_the_unlock_is_recorded(client, people, limit):
    from axes.models import AccessAttempt

    for _ in range(limit):
        sign_in(client, "pm_hou", "wrong-password-1", REMOTE_ADDR="10.0.0.9")
    assert sign_in(client, "pm_hou", REMOTE_ADDR="10.0.0.10").status_code == 429  # locked by username

    chief = client_for(people["chief"])
    page = chief.get("/accounts/lockouts/")
    assert page.status_code == 200 and "pm_hou" in page.content.decode()
    # a reason is required
    for attempt in AccessAttempt.objects.all():
        refused = chief.post("/accounts/lockouts/", {"attempt": attempt.pk, "reason": " "}, follow=True)
        assert "Say why" in refused.content.decode()
        chief.post("/accounts/lockouts/", {"attempt": attempt.pk, "reason": "Called the help desk"})
    assert not AccessAttempt.objects.exists()
    deleted = AccessAttempt.history.filter(history_type="-", username="pm_hou")
    assert deleted.count() == 2  # the address 10.0.0.9's failures and the refused sign-in from 10.0.0.10
    assert {(d.history_user, d.history_change_reason) for d in deleted} == {
        (people["chief"], "Unlocked: Called the help desk")
    }
    # then the person signs in again
    response = sign_in(client, "pm_hou", REMOTE_ADDR="10.0.0.10")
    assert response.status_code == 302 and response.url == "/"


def test_only_hq_writers_see_and_use_the_lockout_page(people):
    from django.core.exceptions import PermissionDenied

    from portal.accounts.services import lockout_unlock

    for person in ("analyst", "fod", "pm", "ocio"):
        assert client_for(people[person]).get("/accounts/lockouts/").status_code == 403
    with pytest.raises(PermissionDenied):
        lockout_unlock(attempt_id=1, acting_user=people["pm"], reason="mine")
    assert client_for(people["npm"]).get("/accounts/lockouts/").status_code == 200


def test_the_admin_unlock_action_is_recorded(client, people, limit):
    from axes.models import AccessAttempt

    for _ in range(limit):
        sign_in(client, "pm_hou", "wrong-password-1")
    admin_user = people["chief"]
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    chief = client_for(admin_user)
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = chief.post("/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": ids})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert set(AccessAttempt.history.filter(history_type="-").values_list("history_user", flat=True)) == {admin_user.pk}


def client_for(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


# --- passwords -----------------------------------------------------------------------


def test_the_demo_password_passes_the_validators():
    from portal.demo import DEMO_PASSWORD

    user = get_user_model()(
        username="pm.houston", first_name="Pat", last_name="Houston", email="pm.houston@ice.dhs.gov"
    )
    validate_password(DEMO_PASSWORD, user)


@pytest.mark.parametrize(
    "password, complaint",
    [
        ("Short-1!", "too short"),
        ("password1234", "too common"),
        ("918273645012", "entirely numeric"),
        ("pm.houston.287", "too similar"),
    ],
)
def test_weak_passwords_are_refused(password, complaint):
    user = get_user_model()(username="pm.houston", email="pm.houston@ice.dhs.gov")
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    assert any(complaint in m for m in caught.value.messages)


# --- session limits --------------------------------------------------------------------


def test_a_session_ends_after_thirty_idle_minutes(client, people):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        assert sign_in(client, "pm_hou").status_code == 302
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))  # 29 idle minutes since the last request
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/findings/")
        assert response.status_code == 302 and response.url.startswith(LOGIN)
        assert "_auth_user_id" not in client.session


def test_a_session_ends_twelve_hours_after_sign_in_whatever_the_activity(client, people):
    with time_machine.travel(dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC), tick=False) as clock:
        sign_in(client, "pm_hou")
        for _ in range(47):  # a request every 15 minutes for 11 h 45 min
            clock.shift(dt.timedelta(minutes=15))
            assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=16))
        response = client.get("/")
        assert response.status_code == 302 and response.url.startswith(LOGIN)
        followed = client.get(response.url)
        assert "12 hours after you signed in" in followed.content.decode()


def test_an_api_call_on_an_expired_session_gets_401(client, people):
    with time_machine.travel(dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC), tick=False) as clock:
        sign_in(client, "pm_hou")
        assert client.get("/api/v1/agencies/").status_code == 200
        clock.shift(dt.timedelta(minutes=45))
        assert client.get("/api/v1/agencies/").status_code == 401


# --- two-factor sign-in ------------------------------------------------------------------


def current_code(device):
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def hq_2fa(settings):
    settings.REQUIRE_2FA_FOR_HQ = True


def test_hq_must_enrol_before_any_page_when_required(client, people, hq_2fa):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # given: the Unit Chief signs in with the password
    assert sign_in(client, "chief").status_code == 302
    # then: every page sends them to enrol, the API refuses
    response = client.get("/findings/")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/")
    assert client.get("/api/v1/agencies/").status_code == 403
    page = client.get("/accounts/two-factor/")
    text = page.content.decode()
    assert "<svg" in text and "must use two-factor sign-in" in text
    device = TOTPDevice.objects.get(user=people["chief"], confirmed=False)
    # a wrong code is refused
    assert (
        client.post(
            "/accounts/two-factor/", {"token": "000000" if current_code(device) != "000000" else "111111"}
        ).status_code
        == 400
    )
    # when: a real code from the authenticator (once the throttle after a wrong code has passed)
    with time_machine.travel(dt.timedelta(seconds=3)):
        response = client.post("/accounts/two-factor/", {"token": current_code(device), "next": "/findings/"})
    assert response.status_code == 302 and response.url == "/findings/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/findings/").status_code == 200
    assert client.get("/api/v1/agencies/").status_code == 200


def test_an_enrolled_person_gives_a_code_after_the_password(client, people, hq_2fa):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=people["npm"], name="phone", confirmed=True)
    sign_in(client, "npm")
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/verify/")
    assert client.post("/accounts/two-factor/verify/", {"token": "12345x"}).status_code == 400
    response = client.post("/accounts/two-factor/verify/", {"token": current_code(device), "next": "/"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_field_staff_are_not_required_but_may_enrol(client, people, hq_2fa):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    sign_in(client, "pm_hou")
    assert client.get("/").status_code == 200
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=people["pm"])
    client.post("/accounts/two-factor/", {"token": current_code(device)})
    client.post("/accounts/logout/")
    sign_in(client, "pm_hou")
    assert client.get("/").url.startswith("/accounts/two-factor/verify/")  # once enrolled, always asked


def test_a_new_authenticator_replaces_the_old_one(client, people):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    old = TOTPDevice.objects.create(user=people["pm"], name="old phone", confirmed=True)
    sign_in(client, "pm_hou")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        client.post("/accounts/two-factor/verify/", {"token": current_code(old)})
        assert client.get("/").status_code == 200
        client.get("/accounts/two-factor/")  # a verified person sets up a new phone
        new = TOTPDevice.objects.get(user=people["pm"], confirmed=False)
        clock.shift(dt.timedelta(seconds=1))
        assert client.post("/accounts/two-factor/", {"token": current_code(new)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=people["pm"]).values_list("pk", "confirmed")) == [(new.pk, True)]


def test_hq_is_not_asked_when_the_requirement_is_off(client, people, settings):
    settings.REQUIRE_2FA_FOR_HQ = False
    sign_in(client, "chief")
    assert client.get("/").status_code == 200


# --- deactivation -------------------------------------------------------------------


def test_a_deactivated_person_loses_sessions_and_tokens_at_once(people, api):
    from django.test import Client

    from portal.accounts.services import user_deactivate
    from portal.models import ApiToken
    from portal.services import token_create

    pm = people["pm"]
    laptop, phone, other = Client(), Client(), Client()
    for c in (laptop, phone):
        assert sign_in(c, "pm_hou").status_code == 302
    sign_in(other, "pm_hou2")
    token = token_create(user=pm, name="field client")
    token_client = Client(HTTP_AUTHORIZATION=f"Token {token.plain_key}")
    assert token_client.get("/api/v1/agencies/").status_code == 200

    user_deactivate(user=pm, acting_user=people["chief"], reason="Left the program")

    assert laptop.get("/").status_code == 302 and phone.get("/").status_code == 302
    assert other.get("/").status_code == 200  # nobody else's session is touched
    assert token_client.get("/api/v1/agencies/").status_code == 401
    assert not ApiToken.objects.filter(user=pm, revoked_at__isnull=True).exists()
    assert [str(s.get_decoded().get("_auth_user_id")) for s in Session.objects.all()].count(str(pm.pk)) == 0
    record = pm.history.latest()  # who deactivated and why
    assert (record.is_active, record.history_user, record.history_change_reason) == (
        False,
        people["chief"],
        "Deactivated: Left the program",
    )


def test_unticking_active_in_the_admin_also_ends_sessions_and_tokens(people):
    from django.test import Client

    from portal.models import ApiToken
    from portal.services import token_create

    c = Client()
    sign_in(c, "pm_hou2")
    token_create(user=people["pm_other"], name="x")
    user = people["pm_other"]
    user.is_active = False
    user.save()
    assert c.get("/").status_code == 302
    assert not ApiToken.objects.active().filter(user=user).exists()


def test_deactivation_needs_hq_and_a_reason(people):
    from django.core.exceptions import PermissionDenied

    from portal.accounts.services import user_deactivate

    with pytest.raises(PermissionDenied):
        user_deactivate(user=people["pm"], acting_user=people["fod"], reason="x")
    with pytest.raises(ValidationError):
        user_deactivate(user=people["pm"], acting_user=people["chief"], reason="")
    people["pm"].refresh_from_db()
    assert people["pm"].is_active
