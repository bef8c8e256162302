"""An installation's step rows offer exactly the actions the step services then accept,
for the roles the access policy lets act, each with the fields it needs; a refused action
comes back in its row, its reason once on its field."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import transaction

from itdeploy import services
from itdeploy.models import Installation, StepPause
from portal.errors import TransitionNotAllowed

from .factories import InstallerFactory, steps_of

pytestmark = pytest.mark.django_db

OFFER = re.compile(r'name="step" value="(\d+)">\s*<input type="hidden" name="action" value="(\w+)">')


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
    return {(int(pk), action) for pk, action in OFFER.findall(page)}


def _assert_offers_match_services(client, installation, user, on):
    offered = _offered(client, installation)
    for step in steps_of(installation).values():
        for action in services.STEP_ACTIONS:
            assert ((step.pk, action) in offered) == _service_accepts(step, action, user, on), (step.number, action)
    return offered


@pytest.mark.parametrize("role", ["pm", "ocio"])
def test_step_rows_offer_exactly_what_the_services_accept(client, people, installations, frozen, role):
    # given an installation in progress: step 1 running since the MOA, the others waiting
    installation = installations["mine"]
    user = people[role]
    client.force_login(user)
    steps = steps_of(installation)
    offered = _assert_offers_match_services(client, installation, user, frozen)
    assert offered == {(steps[1].pk, "complete"), (steps[1].pk, "pause")}
    # when steps move on: 1 complete, 3 started and paused, 2 started
    services.step_complete(step=steps[1], completed_on=frozen, acting_user=user)
    services.step_start(step=steps[3], started_on=frozen, acting_user=user)
    services.step_pause(step=steps[3], paused_on=frozen, reason="waiting_on_agency", acting_user=user)
    services.step_start(step=steps[2], started_on=frozen, acting_user=user)
    # then the offers still match the services, step by step
    offered = _assert_offers_match_services(client, installation, user, frozen)
    assert (steps[3].pk, "resume") in offered and (steps[3].pk, "complete") not in offered
    assert (steps[2].pk, "complete") in offered and (steps[2].pk, "start") not in offered
    assert (steps[5].pk, "start") in offered  # the telecom line waits on step 1 only
    assert not any(pk == steps[6].pk for pk, _ in offered)  # waits on 2, 4 and 5


def test_buttons_and_inputs_are_named_with_their_step(client, people, installations):
    installation = installations["mine"]
    step = steps_of(installation)[1]
    client.force_login(people["pm"])
    page = html.unescape(client.get(installation.get_absolute_url()).content.decode())
    assert f'aria-label="Complete: {step.name}">Complete</button>' in page
    assert f'aria-label="Pause: {step.name}">Pause</button>' in page
    assert f'aria-label="Completion date: {step.name}"' in page
    assert f'aria-label="Reason: {step.name}"' in page  # a pause asks why
    assert 'name="installer"' not in page  # only the equipment installation's start asks for one


def test_starting_the_equipment_installation_names_its_installer(client, people, installations, frozen):
    installation = installations["mine"]
    installer = InstallerFactory(name="R. Ortiz (dedicated)")
    steps = steps_of(installation)
    for number in range(1, 6):
        if steps[number].started_on is None:
            services.step_start(step=steps[number], started_on=frozen, acting_user=people["ocio"])
        services.step_complete(step=steps[number], completed_on=frozen, acting_user=people["ocio"])
    client.force_login(people["ocio"])
    page = client.get(installation.get_absolute_url()).content.decode()
    assert _offered(client, installation) == {(steps[6].pk, "start")}
    assert f'name="installer" aria-label="Installer: {steps[6].name}"' in html.unescape(page)
    response = client.post(
        installation.get_absolute_url(),
        {"step": steps[6].pk, "action": "start", "on": frozen.isoformat(), "installer": installer.pk},
    )
    assert response.status_code == 302
    steps[6].refresh_from_db()
    assert steps[6].started_on == frozen and steps[6].installer == installer


def test_a_pause_needs_its_reason_on_the_reason_field_and_then_resumes(client, people, installations, frozen):
    installation = installations["mine"]
    step = steps_of(installation)[1]
    client.force_login(people["pm"])
    url = installation.get_absolute_url()
    refused = client.post(url, {"step": step.pk, "action": "pause", "on": frozen.isoformat(), "reason": ""})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert page.count("Choose why the step is paused.") == 1
    assert f'id="step-{step.pk}-pause-reason-error"' in page
    assert not StepPause.objects.exists()
    saved = client.post(
        url, {"step": step.pk, "action": "pause", "on": frozen.isoformat(), "reason": "site_access", "note": "Keys"}
    )
    assert saved.status_code == 302
    pause = StepPause.objects.get()
    assert (pause.reason, pause.note, pause.started_on) == ("site_access", "Keys", frozen)
    assert _offered(client, installation) == {(step.pk, "resume")}
    assert client.post(url, {"step": step.pk, "action": "resume", "on": frozen.isoformat()}).status_code == 302
    pause.refresh_from_db()
    assert pause.ended_on == frozen


def test_a_future_date_is_refused_once_on_the_date_and_nothing_is_written(client, people, installations, frozen):
    installation = installations["mine"]
    step = steps_of(installation)[1]
    client.force_login(people["pm"])
    future = (frozen + dt.timedelta(days=5)).isoformat()
    response = client.post(installation.get_absolute_url(), {"action": "complete", "step": step.pk, "on": future})
    assert response.status_code == 400
    body = response.content.decode()
    errors = re.findall(rf'id="step-{step.pk}-complete-on-error">([^<]+)</span>', body)
    assert errors == ["The date cannot be in the future."]
    assert body.count("The date cannot be in the future.") == 1
    assert f'value="{future}"' in body
    step.refresh_from_db()
    assert step.completed_on is None


def test_an_action_on_another_installations_step_is_refused(client, people, installations):
    mine, other = installations["mine"], installations["houston_other"]
    client.force_login(people["chief"])
    foreign = steps_of(other)[1]
    response = client.post(mine.get_absolute_url(), {"action": "complete", "step": foreign.pk, "on": "2017-07-01"})
    assert response.status_code == 400
    assert "Choose an action on one of the installation's steps." in html.unescape(response.content.decode())
    foreign.refresh_from_db()
    assert foreign.completed_on is None


def test_operational_installation_offers_no_step_action(client, people, installations):
    installation = installations["mine"]
    Installation.objects.filter(pk=installation.pk).update(
        status="operational", operational_on=installation.moa_signed_on
    )
    client.force_login(people["chief"])
    assert _offered(client, installation) == set()


def test_more_open_actions_cost_no_more_queries(client, people, installations, frozen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    installation = installations["mine"]
    steps = steps_of(installation)
    client.force_login(people["pm"])
    client.get(installation.get_absolute_url())

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(installation.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    few = count()  # one step open: complete and pause
    services.step_complete(step=steps[1], completed_on=frozen, acting_user=people["pm"])
    assert len(_offered(client, installation)) == 3  # steps 2, 3 and 5 can start
    assert count() == few
