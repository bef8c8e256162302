"""The officer page offers only the changes valid from the officer's status (the same
TRANSITIONS the service checks) and shows a refused change's reason once, on its field."""

import datetime as dt
import re

import pytest
import time_machine

from training import services
from training.choices import TRANSITIONS, OfficerStatus
from training.models import Officer

from .factories import OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2018, 3, 1, 17, 0, tzinfo=dt.timezone.utc), tick=False):
        yield


def _offered(client, officer) -> list[str]:
    page = client.get(f"/officers/{officer.pk}/").content.decode()
    return re.findall(r'<input type="hidden" name="action" value="([\w-]+)">', page)


@pytest.mark.parametrize("status", [s for s in OfficerStatus.values])
def test_officer_page_offers_only_transitions_valid_from_the_status(client, people, world, status):
    officer = OfficerFactory(agency=world["mine"], status=status, card_last_login_on=dt.date(2018, 2, 20))
    client.force_login(people["pm"])
    offered = [a for a in _offered(client, officer) if a not in ("waiver",) and "card" not in a]
    expected = [verb for verb, (allowed, _to) in TRANSITIONS.items() if status in allowed and verb != "revoke"]
    assert sorted(offered) == sorted(expected)
    # and each one offered is accepted by the service
    for verb in offered:
        services.officer_transition(officer=Officer.objects.get(pk=officer.pk), verb=verb,
                                    acting_user=people["pm"], reason="test")
        Officer.objects.filter(pk=officer.pk).update(status=status)


def test_certified_officer_is_not_offered_adjudication_and_hq_may_revoke(client, people, world):
    officer = OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 2, 20))
    client.force_login(people["pm"])
    assert "adjudicate" not in _offered(client, officer) and "revoke" not in _offered(client, officer)
    client.force_login(people["chief"])
    assert "revoke" in _offered(client, officer)


def test_missing_reason_is_shown_once_on_the_reason_field(client, people, world):
    officer = OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 2, 20))
    client.force_login(people["pm"])
    response = client.post(f"/officers/{officer.pk}/", {"action": "suspend", "reason": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count("Give the reason for this change.") == 1
    assert 'id="reason-suspend-error"' in body
    assert Officer.objects.get(pk=officer.pk).status == OfficerStatus.CERTIFIED


def test_refused_transition_is_shown_once(client, people, world):
    officer = OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 2, 20))
    client.force_login(people["pm"])
    response = client.post(f"/officers/{officer.pk}/", {"action": "adjudicate", "reason": ""})
    assert response.status_code == 409
    assert response.content.decode().count("cannot be moved to") == 1


def test_lapsed_card_offers_the_reactivation_request_only(client, people, world):
    officer = OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2017, 12, 1))
    client.force_login(people["pm"])
    offered = _offered(client, officer)
    assert "request-card-reactivation" in offered and "reactivate-card" not in offered
    assert client.post(f"/officers/{officer.pk}/", {"action": "request-card-reactivation"}).status_code == 302
    offered = _offered(client, officer)
    assert "reactivate-card" in offered and "request-card-reactivation" not in offered
