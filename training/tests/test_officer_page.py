"""The officer page's forms: a refused change or waiver shows its reason once, where it
belongs, and writes nothing (portal.forms.submit)."""

import datetime as dt
import html
import re

import pytest
import time_machine

from training.choices import OfficerStatus
from training.models import CardLogin, Waiver

from .factories import OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2018, 3, 1, 17, 0, tzinfo=dt.UTC), tick=False):
        yield


def _group_of(page: str, field_id: str) -> str:
    for group in re.findall(r'<div class="usa-form-group[^"]*">.*?</div>', page, re.S):
        if f'for="{field_id}"' in group:
            return group
    raise AssertionError(f"no form group for {field_id}")


def test_a_waiver_that_expires_in_the_past_is_refused_on_its_date(client, world, people):
    officer = OfficerFactory(agency=world["mine"], status=OfficerStatus.SUSPENDED, suspended_on=dt.date(2017, 10, 1))
    client.force_login(people["fod"])

    response = client.post(
        officer.get_absolute_url(), {"action": "waiver", "reason": "Deployed abroad", "expires_on": "2018-01-01"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("The waiver must expire after today.") == 1
    assert "The waiver must expire after today." in _group_of(page, "id_waiver_expires_on")
    assert not Waiver.objects.exists()


def _offered(page: str) -> list[str]:
    select = re.search(r'<select name="action".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([\w-]+)"', select)


@pytest.mark.parametrize(
    ("status", "extra", "expected"),
    [
        (OfficerStatus.NOMINATED, {"certified_on": None}, ["adjudicate", "leave"]),
        (OfficerStatus.ADJUDICATED, {"certified_on": None}, ["certify", "leave"]),
        (OfficerStatus.CERTIFIED, {"card_last_login_on": dt.date(2018, 2, 20)}, ["suspend", "leave"]),
        (
            OfficerStatus.SUSPENDED,
            {"suspended_on": dt.date(2017, 10, 1), "card_last_login_on": dt.date(2018, 2, 20)},
            ["reinstate", "leave"],
        ),
    ],
)
def test_the_status_form_offers_only_the_changes_open_from_the_status(client, world, people, status, extra, expected):
    officer = OfficerFactory(agency=world["mine"], status=status, **extra)
    client.force_login(people["pm"])
    page = client.get(officer.get_absolute_url()).content.decode()
    assert _offered(page) == expected
    assert '<option value="" selected>- Select a change -</option>' in page  # no default change


def test_hq_may_also_revoke_and_a_lapsed_card_offers_its_reactivation(client, world, people):
    # certified in 2016, no login since: the card has lapsed
    officer = OfficerFactory(agency=world["mine"])
    client.force_login(people["chief"])
    assert _offered(client.get(officer.get_absolute_url()).content.decode()) == [
        "suspend",
        "leave",
        "revoke",
        "request-card-reactivation",
    ]
    assert client.post(officer.get_absolute_url(), {"action": "request-card-reactivation"}).status_code == 302
    assert _offered(client.get(officer.get_absolute_url()).content.decode())[-1] == "reactivate-card"


def test_a_revoked_officer_offers_no_change_and_other_roles_see_no_form(client, world, people):
    revoked = OfficerFactory(agency=world["mine"], status=OfficerStatus.REVOKED)
    client.force_login(people["pm"])
    assert "Change the officer's status" not in client.get(revoked.get_absolute_url()).content.decode()
    officer = OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 2, 20))
    for role in ("fod", "analyst"):
        client.force_login(people[role])
        page = html.unescape(client.get(officer.get_absolute_url()).content.decode())
        assert "Change the officer's status" not in page and "Record a security-card login" not in page
        assert client.post(officer.get_absolute_url(), {"action": "suspend", "reason": "x"}).status_code == 403
    officer.refresh_from_db()
    assert officer.status == OfficerStatus.CERTIFIED


def test_a_change_the_status_no_longer_allows_shows_once_on_the_list_of_changes(client, world, people):
    officer = OfficerFactory(agency=world["mine"])  # certified: a page left open offered "Certify"
    client.force_login(people["pm"])

    response = client.post(officer.get_absolute_url(), {"action": "certify"})

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert page.count("cannot be moved to") == 1
    assert "An officer who is certified cannot be moved to “Certified”." in _group_of(page, "id_action")
    assert 'aria-describedby="id_action-error"' in page
    officer.refresh_from_db()
    assert officer.status == OfficerStatus.CERTIFIED


def test_a_suspension_without_reason_is_refused_on_the_reason_then_recorded_with_one_message(client, world, people):
    officer = OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 2, 20))
    client.force_login(people["pm"])
    refused = client.post(officer.get_absolute_url(), {"action": "suspend", "reason": ""})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert page.count("Give the reason for this change.") == 1
    assert "Give the reason for this change." in _group_of(page, "id_reason")
    saved = client.post(officer.get_absolute_url(), {"action": "suspend", "reason": "Missed PALMS"}, follow=True)
    assert saved.content.decode().count("Change recorded.") == 1  # the success message, once
    officer.refresh_from_db()
    assert officer.status == OfficerStatus.SUSPENDED


def test_a_card_login_is_recorded_from_the_officers_page(client, world, people):
    officer = OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 2, 20))
    client.force_login(people["pm"])
    url = officer.get_absolute_url()
    future = client.post(url, {"action": "card-login", "logged_in_at": "2018-03-02T09:30"})
    assert future.status_code == 400
    assert "The login cannot be in the future." in _group_of(future.content.decode(), "id_card_logged_in_at")
    assert client.post(url, {"action": "card-login", "logged_in_at": "2018-03-01T09:30"}).status_code == 302
    login = CardLogin.objects.get(officer=officer)
    assert login.logged_in_at == dt.datetime(2018, 3, 1, 14, 30, tzinfo=dt.UTC)  # 9:30 Eastern
    assert login.recorded_by == people["pm"]
    officer.refresh_from_db()
    assert officer.card_last_login_on == dt.date(2018, 3, 1)
    again = client.post(url, {"action": "card-login", "logged_in_at": "2018-03-01T09:30"})
    assert again.status_code == 400
    again_page = html.unescape(again.content.decode())
    assert again_page.count("A login at 2018-03-01 09:30 is already recorded") == 1
    assert "A login at 2018-03-01 09:30 is already recorded" in _group_of(again_page, "id_card_logged_in_at")
    assert CardLogin.objects.filter(officer=officer).count() == 1
