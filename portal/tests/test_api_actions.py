"""The API action pattern (``portal.api.actions.ServiceActionMixin``) through real actions:
each error a service raises gets its answer, and a refused action writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from agreements.choices import AgreementStatus
from agreements.models import Agreement
from portal.compliance.models import Finding, FindingStatus
from portal.tests.factories import AgencyFindingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2018, 3, 15, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def finding(world, people):
    return AgencyFindingFactory(agency=world["mine"], responsible=people["pm"])


def test_a_services_validation_error_answers_400_with_its_field_and_writes_nothing(world, people, api):
    agreement = world["agreements"]["mine"]
    versions = agreement.history.count()

    response = api(people["chief"]).post(
        f"/api/v1/agreements/{agreement.pk}/suspend/", {"effective_on": "2018-04-01", "reason": "Misuse"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"effective_on": ["The date cannot be in the future."]}
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert agreement.history.count() == versions


def test_a_transition_the_state_does_not_allow_answers_409_with_the_reason(world, people, api):
    agreement = world["agreements"]["mine"]

    response = api(people["chief"]).post(
        f"/api/v1/agreements/{agreement.pk}/withdraw/",
        {"effective_on": "2018-03-01", "reason": "Withdrawn"},
        format="json",
    )

    assert response.status_code == 409
    assert list(response.json()) == ["detail"]
    assert "cannot be withdrawn; only a pending application can" in response.json()["detail"]
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.SIGNED


def test_a_services_refusal_answers_403_with_its_reason_and_writes_nothing(world, people, api, monkeypatch):
    # The access policy lets the Unit Chief suspend; here the service itself refuses (as a
    # service does for a rule the policy cannot see), and the action answers its reason.
    from django.core.exceptions import PermissionDenied

    from agreements import services

    def refuse(**kwargs):
        raise PermissionDenied("Only the officer of record may suspend this agreement.")

    monkeypatch.setattr(services, "agreement_suspend", refuse)
    agreement = world["agreements"]["mine"]

    response = api(people["chief"]).post(
        f"/api/v1/agreements/{agreement.pk}/suspend/", {"effective_on": "2018-03-01", "reason": "Misuse"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the officer of record may suspend this agreement."}
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.SIGNED


def test_a_role_the_policy_refuses_never_reaches_the_service(finding, people, api):
    # pm_other is the agency's backup manager: sees the finding, is not responsible for it
    response = api(people["pm_other"]).post(f"/api/v1/findings/{finding.pk}/acknowledge/", {}, format="json")

    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN and finding.acknowledged_by is None


def test_an_allowed_action_answers_with_the_serialized_record(finding, people, api):
    response = api(people["pm"]).post(f"/api/v1/findings/{finding.pk}/acknowledge/", {"note": "On it"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == finding.pk and body["status"] == FindingStatus.ACKNOWLEDGED
    finding.refresh_from_db()
    assert finding.acknowledged_by == people["pm"]


def test_a_body_the_actions_serializer_refuses_answers_400_before_the_service_runs(world, people, api):
    agreement = world["agreements"]["mine"]

    response = api(people["chief"]).post(
        f"/api/v1/agreements/{agreement.pk}/suspend/", {"effective_on": "soon"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"effective_on", "reason"}
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.SIGNED


def test_finding_rows_are_what_the_declared_fields_show(finding, world, people, api):
    """The findings list writes each finding directly; every value, key and order is what
    the serializer's declared fields give (open, acknowledged, resolved, waived; seen by a
    later run of its rule; with and without a responsible person)."""
    import json

    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer
    from rest_framework.test import APIRequestFactory

    from portal.api.serializers import FindingSerializer
    from portal.compliance.models import SweepRun, SweepStatus

    # given findings in every status, one seen again by a later run of its rule
    miami = world["miami"]
    base = {
        "category": "agreements",
        "subject_type": ContentType.objects.get_for_model(miami),
        "subject_label": str(miami),
        "agency": miami,
        "field_office": miami.field_office,
    }
    moment = dt.datetime(2018, 3, 1, 6, 30, tzinfo=dt.UTC)
    Finding.objects.create(
        rule="agreements.unknown_rule",
        subject_id=1,
        status=FindingStatus.ACKNOWLEDGED,
        **base,
        acknowledged_at=moment,
        acknowledged_by=people["chief"],
        notified_at=moment,
        note="Known",
    )
    Finding.objects.create(
        rule="agreements.no_backup_manager",
        subject_id=2,
        status=FindingStatus.RESOLVED,
        **base,
        resolved_at=moment,
        resolved_by=people["chief"],
        resolution="Fixed",
        responsible=people["pm"],
    )
    Finding.objects.create(
        rule="agreements.no_backup_manager",
        subject_id=3,
        status=FindingStatus.WAIVED,
        severity="high",
        **base,
        waived_at=moment,
        waived_by=people["chief"],
        waived_until=dt.date(2018, 6, 30),
        detail="Waived for now",
    )
    SweepRun.objects.create(
        as_of=dt.date(2018, 3, 15), status=SweepStatus.SUCCEEDED, counts={"agreements.no_backup_manager": {"open": 1}}
    )

    # when HQ reads the list
    body = api(people["chief"]).get("/api/v1/findings/").json()["results"]

    # then each row is the declared fields' representation
    serializer = FindingSerializer(context={"request": APIRequestFactory().get("/api/v1/findings/")})
    instances = Finding.objects.select_related("subject_type", "responsible").order_by("-last_seen_at", "rule")
    declared = [serializers.ModelSerializer.to_representation(serializer, f) for f in instances]
    by_id = sorted(json.loads(JSONRenderer().render(declared)), key=lambda f: f["id"])
    assert sorted(body, key=lambda f: f["id"]) == by_id  # several were seen at the same time: no order among them
    assert [list(f) for f in body] == [list(f) for f in by_id]
    assert {f["status"] for f in body} == {"open", "acknowledged", "resolved", "waived"}
    assert any(f["last_seen_run"] is not None for f in body)
