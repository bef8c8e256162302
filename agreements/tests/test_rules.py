"""Sweep rules of the agreements app: applications reviewed too long, agreements missing
from ICE's latest list."""

import datetime as dt

import pytest

from agreements.models import Agreement, AgreementSettings
from agreements.tests.factories import AgreementFactory
from portal.compliance.models import Finding, FindingStatus
from portal.compliance.sweep import sweep_run

pytestmark = pytest.mark.django_db
TODAY = dt.date(2018, 6, 1)


def open_findings(rule):
    return Finding.objects.filter(rule=rule, status__in=["open", "acknowledged"])


def test_an_application_pending_over_the_limit_opens_one_finding_until_signed(world, people):
    late = AgreementFactory(
        agency=world["mine"],
        program_model="tfm",
        status="under_review",
        applied_on=TODAY - dt.timedelta(days=91),
        signed_on=None,
    )
    # seen on ICE's pending list only, 80 days ago: within the limit
    AgreementFactory(
        agency=world["miami"],
        program_model="tfm",
        status="under_review",
        applied_on=None,
        pending_listed_on=TODAY - dt.timedelta(days=80),
        signed_on=None,
    )
    sweep_run(today=TODAY, notify=False)
    finding = open_findings("agreements.review_overdue").get()
    assert finding.subject_id == late.pk and finding.responsible == people["chief"]
    assert "91 days" in finding.detail
    sweep_run(today=TODAY, notify=False)
    assert open_findings("agreements.review_overdue").count() == 1

    settings = AgreementSettings.current()
    settings.review_days_limit = 60
    settings.save()
    sweep_run(today=TODAY, notify=False)
    assert open_findings("agreements.review_overdue").count() == 2

    Agreement.objects.filter(pk=late.pk).update(status="signed", signed_on=TODAY)
    sweep_run(today=TODAY, notify=False)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RESOLVED
    assert open_findings("agreements.review_overdue").count() == 1


def test_an_agreement_missing_from_ices_list_is_reported_until_listed_again_or_ended(world, people):
    agreement = world["agreements"]["mine"]
    Agreement.objects.filter(pk=agreement.pk).update(not_listed_since=dt.date(2018, 5, 1))
    sweep_run(today=TODAY, notify=False)
    finding = open_findings("agreements.not_on_ice_list").get()
    assert finding.subject_id == agreement.pk and "05/01/2018" in finding.detail
    sweep_run(today=TODAY, notify=False)
    assert open_findings("agreements.not_on_ice_list").count() == 1
    Agreement.objects.filter(pk=agreement.pk).update(not_listed_since=None)
    sweep_run(today=TODAY, notify=False)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RESOLVED


def test_the_rules_query_count_does_not_grow_with_agreements(world, django_assert_max_num_queries):
    from portal.compliance.registry import registry

    for i in range(30):
        AgreementFactory(
            program_model="tfm",
            status="under_review",
            applied_on=dt.date(2017, 1, 1),
            signed_on=None,
            not_listed_since=dt.date(2018, 1, 1),
        )
    for code in ("agreements.review_overdue", "agreements.not_on_ice_list"):
        with django_assert_max_num_queries(8):  # settings row (created once), the rows, the Unit Chief
            assert len(list(registry.get(code).evaluate(today=TODAY))) == 30
