"""The page-form pattern (``portal.forms``): a service's refusal lands on the field it
concerns, once, or once at the form's top; nothing is written."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from agreements.choices import AgreementStatus
from agreements.models import Agreement
from portal.errors import TransitionNotAllowed
from portal.forms import add_service_errors, submit

pytestmark = pytest.mark.django_db


class DatedForm(forms.Form):
    on = forms.DateField()
    reason = forms.CharField(required=False)


def _form(**data):
    return DatedForm({"on": "2018-03-01", **data})


def test_a_field_message_goes_on_the_field_named_by_the_service():
    form = _form()
    done = submit(
        form,
        lambda data: (_ for _ in ()).throw(ValidationError({"effective_on": ["Too late."]})),
        field_names={"effective_on": "on"},
    )
    assert not done and done.status == 400
    assert form.errors == {"on": ["Too late."]}


def test_a_message_about_no_field_of_the_form_goes_once_to_its_top():
    form = _form()
    assert form.is_valid()
    add_service_errors(form, ValidationError({"agency": ["Not yours."]}))
    add_service_errors(form, ValidationError("Not yours."))  # the same reason again: shown once
    assert form.errors == {"__all__": ["Not yours."]}


def test_a_refused_transition_and_a_refused_role_go_to_the_top_with_their_status():
    form = _form()
    done = submit(form, lambda data: (_ for _ in ()).throw(TransitionNotAllowed("Already suspended.")))
    assert (done.status, form.non_field_errors()) == (400, ["Already suspended."])
    form = _form()
    done = submit(form, lambda data: (_ for _ in ()).throw(PermissionDenied("Only HQ.")))
    assert (done.status, form.non_field_errors()) == (403, ["Only HQ."])


def test_a_saved_form_carries_the_services_result():
    done = submit(_form(reason="ok"), lambda data: data["reason"].upper())
    assert done and done.result == "OK"


def test_an_invalid_form_never_calls_the_service():
    called = []
    done = submit(DatedForm({"on": "soon"}), called.append)
    assert not done and done.status == 400 and called == []


@time_machine.travel(dt.datetime(2018, 3, 15, 12, tzinfo=dt.UTC), tick=False)
def test_on_the_agreement_page_a_refused_date_shows_once_on_its_field(client, world, people):
    agreement = world["agreements"]["mine"]
    Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.SUSPENDED)
    client.force_login(people["chief"])

    response = client.post(f"/agreements/{agreement.pk}/", {"action": "reinstate", "reinstate-on": "2018-04-02"})

    assert response.status_code == 400
    page = response.content.decode()
    message = "The date cannot be in the future."
    assert page.count(message) == 1
    group = re.search(r'<div class="usa-form-group usa-form-group--error">.*?</div>', page, re.S).group(0)
    assert 'for="id_reinstate-on"' in group and message in group
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.SUSPENDED


@time_machine.travel(dt.datetime(2018, 3, 15, 12, tzinfo=dt.UTC), tick=False)
def test_on_the_agreement_page_a_refused_transition_shows_once_at_the_forms_top(client, world, people):
    agreement = world["agreements"]["mine"]
    Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.TERMINATED)
    client.force_login(people["chief"])

    response = client.post(
        f"/agreements/{agreement.pk}/", {"action": "suspend", "suspend-on": "2018-03-01", "suspend-reason": "Misuse"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("cannot be suspended") == 1
    form = re.search(r'<form[^>]*aria-labelledby="suspend-heading".*?</form>', page, re.S).group(0)
    assert "usa-alert--error" in form and "cannot be suspended" in form
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.TERMINATED


@pytest.fixture
def finding(world, people):
    from portal.tests.factories import AgencyFindingFactory

    return AgencyFindingFactory(agency=world["mine"], responsible=people["pm"])


def _group_of(page: str, field_id: str) -> str:
    for group in re.findall(r'<div class="usa-form-group[^"]*">.*?</div>', page, re.S):
        if f'for="{field_id}"' in group:
            return group
    raise AssertionError(f"no form group for {field_id}")


def test_on_the_finding_page_a_waiver_without_reason_shows_once_on_the_note(client, finding, people):
    client.force_login(people["npm"])

    response = client.post(f"/findings/{finding.pk}/", {"action": "waive", "note": " "})

    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("A waiver needs a reason.") == 1
    assert "A waiver needs a reason." in _group_of(page, "id_note")
    finding.refresh_from_db()
    assert finding.status == "open"


def test_on_the_finding_page_a_refusal_to_the_role_shows_once_at_the_forms_top(client, finding, people):
    client.force_login(people["pm_other"])  # the agency's backup: sees the finding, is not responsible

    response = client.post(f"/findings/{finding.pk}/", {"action": "acknowledge", "note": "mine?"})

    assert response.status_code == 403
    page = response.content.decode()
    assert page.count("You may not acknowledge this finding.") == 1
    alert = re.search(r'<div class="usa-alert usa-alert--error[^"]*" role="alert">.*?</div></div>', page, re.S).group(0)
    assert "You may not acknowledge this finding." in alert
    finding.refresh_from_db()
    assert finding.status == "open"


def test_on_the_token_page_a_missing_name_shows_once_on_its_field(client, people):
    from portal.models import ApiToken

    client.force_login(people["analyst"])

    response = client.post("/tokens/", {"name": "", "days": "500"})

    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Give the token a name") == 1 and page.count("Choose between 1 and 365 days.") == 1
    assert "Give the token a name" in _group_of(page, "id_name")
    assert "Choose between 1 and 365 days." in _group_of(page, "id_days")
    assert not ApiToken.objects.filter(user=people["analyst"]).exists()
