"""An agreement's page offers exactly the transitions its status allows (those the
services then accept), only to the roles the policy lets make them; a refused transition
shows its reason once, where it belongs."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.db import transaction

from agreements import services
from agreements.choices import AgreementStatus
from agreements.forms import TRANSITIONS
from portal.errors import TransitionNotAllowed

from .factories import AgreementFactory

pytestmark = pytest.mark.django_db

ON = dt.date(2018, 3, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2018, 3, 15, 16, tzinfo=dt.UTC), tick=False):
        yield


class _Rollback(Exception):
    pass


def _service_accepts(agreement, verb, user) -> bool:
    """Whether the transition's service takes the agreement in its status (then undone)."""
    service = getattr(services, f"agreement_{verb}")
    date = {"signed_on": ON} if TRANSITIONS[verb][1] == "signed_on" else {"effective_on": ON}
    try:
        with transaction.atomic():
            service(agreement=agreement, acting_user=user, reason="A reason", **date)
            raise _Rollback
    except _Rollback:
        return True
    except TransitionNotAllowed:
        return False


def _offered(page: str) -> set[str]:
    return set(re.findall(r'<button[^>]*type="submit" name="action" value="(\w+)"', page)) - {"document"}


@pytest.mark.parametrize("status", [s for s, _ in AgreementStatus.choices])
def test_the_page_offers_exactly_the_transitions_the_services_accept(client, world, people, status):
    signed = status in ("signed", "suspended", "terminated")
    agreement = AgreementFactory(
        status=status,
        applied_on=dt.date(2017, 1, 10),
        signed_on=dt.date(2017, 6, 1) if signed else None,
    )
    client.force_login(people["chief"])
    offered = _offered(client.get(agreement.get_absolute_url()).content.decode())
    assert offered == set(services.transitions_open(agreement))
    for verb in TRANSITIONS:
        assert (verb in offered) == _service_accepts(agreement, verb, people["chief"]), verb


@pytest.mark.parametrize("role", ["analyst", "fod", "pm", "ocio"])
def test_roles_that_may_not_change_agreements_see_no_transition(client, world, people, role):
    agreement = world["agreements"]["mine"]
    client.force_login(people[role])
    response = client.get(agreement.get_absolute_url())
    if role == "ocio":
        assert response.status_code == 404  # OCIO does not see agreements
        return
    assert _offered(response.content.decode()) == set()
    refused = client.post(
        agreement.get_absolute_url(), {"action": "suspend", "suspend-on": "2018-03-01", "suspend-reason": "x"}
    )
    assert refused.status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED


def _form_of(page: str, verb: str) -> str:
    return re.search(rf'<form[^>]*aria-labelledby="{verb}-heading">.*?</form>', page, re.S).group(0)


def test_a_refused_transition_shows_its_reason_once_on_its_field_or_at_its_forms_top(client, world, people):
    agreement = world["agreements"]["mine"]
    client.force_login(people["chief"])
    url = agreement.get_absolute_url()
    # a suspension without its reason: on the reason, once
    no_reason = client.post(url, {"action": "suspend", "suspend-on": "2018-03-01"})
    assert no_reason.status_code == 400
    page = html.unescape(no_reason.content.decode())
    assert page.count("Give the reason for this change.") == 1
    assert 'id="id_suspend-reason-error"' in _form_of(page, "suspend")
    # a date before the signature: on the date, once
    early = html.unescape(
        client.post(url, {"action": "suspend", "suspend-on": "2016-01-01", "suspend-reason": "x"}).content.decode()
    )
    assert early.count("The date cannot be before the signature (06/01/2017).") == 1
    assert 'id="id_suspend-on-error"' in _form_of(early, "suspend")
    # a page left open after the suspension: the status no longer allows it, once, at that form's top
    assert client.post(url, {"action": "suspend", "suspend-on": "2018-03-01", "suspend-reason": "x"}).status_code == 302
    stale = client.post(url, {"action": "suspend", "suspend-on": "2018-03-02", "suspend-reason": "again"})
    assert stale.status_code == 400
    page = html.unescape(stale.content.decode())
    assert page.count("A suspended agreement cannot be suspended") == 1
    assert "usa-alert--error" in _form_of(page, "suspend")
    assert _offered(page) == {"suspend", "reinstate", "terminate"}  # the refused form stays beside the open ones
