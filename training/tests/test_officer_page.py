"""The officer page's forms: a refused change or waiver shows its reason once, where it
belongs, and writes nothing (portal.forms.submit)."""

import datetime as dt
import re

import pytest
import time_machine

from training.choices import OfficerStatus
from training.models import Waiver

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


def test_a_change_the_status_does_not_allow_shows_once_at_the_forms_top(client, world, people):
    officer = OfficerFactory(agency=world["mine"])  # certified
    client.force_login(people["pm"])

    response = client.post(officer.get_absolute_url(), {"action": "certify"})

    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("cannot be moved to") == 1
    form = re.search(r'<form class="usa-form" method="post">.*?</form>', page, re.S).group(0)
    assert "usa-alert--error" in form and "cannot be moved to" in form
    officer.refresh_from_db()
    assert officer.status == OfficerStatus.CERTIFIED
