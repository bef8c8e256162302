"""The installation page offers on each step row exactly the actions its service then
accepts, with the fields each needs; a refused date comes back once, on its field."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction

from itdeploy import services
from itdeploy.models import Installation
from portal.errors import TransitionNotAllowed

from .factories import steps_of

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _service_accepts(step, action, user, on) -> bool:
    call = {
        "start": lambda: services.step_start(step=step, started_on=on, acting_user=user),
        "complete": lambda: services.step_complete(step=step, completed_on=on, acting_user=user),
        "pause": lambda: services.step_pause(step=step, paused_on=on, reason="waiting_on_agency", acting_user=user),
        "resume": lambda: services.step_resume(step=step, resumed_on=on, acting_user=user),
    }[action]
    try:
        with transaction.atomic():
            call()
            raise _Rollback
    except _Rollback:
        return True
    except TransitionNotAllowed:
        return False


def _offered(client, installation) -> set[tuple[int, str]]:
    page = client.get(installation.get_absolute_url()).content.decode()
    return {(int(pk), action) for pk, action in re.findall(
        r'name="step" value="(\d+)">\s*<input type="hidden" name="action" value="(\w+)"', page)}


def _check_offers_match_services(client, installation, user, on):
    offered = _offered(client, installation)
    for step in steps_of(installation).values():
        for action in services.STEP_ACTIONS:
            assert ((step.pk, action) in offered) == _service_accepts(step, action, user, on), (step.number, action)
    return offered


def test_step_rows_offer_exactly_what_the_services_accept(client, people, installations, frozen):
    # given an installation in progress, in several states of its steps
    installation = installations["mine"]
    user = people["pm"]
    client.force_login(user)
    steps = steps_of(installation)
    on = frozen
    offered = _check_offers_match_services(client, installation, user, on)
    assert offered  # something is open at the start
    # when steps move on: 1 complete, 3 started and paused, 2 started
    if steps[1].started_on is None:
        services.step_start(step=steps[1], started_on=on, acting_user=user)
    services.step_complete(step=steps[1], completed_on=on, acting_user=user)
    services.step_start(step=steps[3], started_on=on, acting_user=user)
    services.step_pause(step=steps[3], paused_on=on, reason="waiting_on_agency", acting_user=user)
    services.step_start(step=steps[2], started_on=on, acting_user=user)
    # then the offers still match the services, step by step
    offered = _check_offers_match_services(client, installation, user, on)
    assert (steps[3].pk, "resume") in offered and (steps[3].pk, "complete") not in offered
    assert (steps[2].pk, "complete") in offered and (steps[2].pk, "start") not in offered
    assert not any(pk == steps[6].pk for pk, _ in offered)  # waits on 2, 4 and 5


def test_only_the_equipment_installation_start_asks_for_an_installer(client, people, installations):
    installation = installations["mine"]
    client.force_login(people["pm"])
    page = client.get(installation.get_absolute_url()).content.decode()
    assert 'name="installer"' not in page  # step 6 cannot start yet


def test_refused_date_is_shown_once_on_the_date_field(client, people, installations, frozen):
    installation = installations["mine"]
    step = steps_of(installation)[1]
    client.force_login(people["pm"])
    action = "complete" if step.started_on else "start"
    future = (frozen + dt.timedelta(days=5)).isoformat()
    response = client.post(installation.get_absolute_url(), {"action": action, "step": step.pk, "on": future})
    assert response.status_code == 400
    body = response.content.decode()
    error = re.findall(r'<span class="usa-error-message" id="on-[\w-]+-error" role="alert">([^<]+)</span>', body)
    assert len(error) == 1 and body.count(error[0]) == 1
    assert f'value="{future}"' in body  # the posted date is kept for correction
    assert 'class="usa-alert usa-alert--error' not in body  # not repeated as a page alert


def test_operational_installation_offers_no_step_action(client, people, installations):
    installation = installations["mine"]
    Installation.objects.filter(pk=installation.pk).update(status="operational", operational_on=installation.moa_signed_on)
    client.force_login(people["chief"])
    assert _offered(client, installation) == set()
