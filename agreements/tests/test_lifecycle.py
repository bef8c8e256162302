"""The agreement's life: every transition allowed and refused, dated and audited, and
what an agreement's end does to findings and program managers' assignments."""

import datetime as dt

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from agreements import services
from agreements.choices import AgreementStatus, Transition
from agreements.models import Agreement
from agreements.signals import agreement_ended, agreement_reinstated
from agreements.tests.factories import AgreementFactory
from portal.compliance.models import Finding, FindingStatus
from portal.errors import TransitionNotAllowed
from staffing.choices import AssignmentKind
from staffing.models import Assignment

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2018, 3, 15, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def application(agency, status=AgreementStatus.APPLICATION_RECEIVED, model="tfm"):
    return AgreementFactory(
        agency=agency, program_model=model, status=status, applied_on=dt.date(2018, 1, 5), signed_on=None
    )


def test_an_application_goes_through_review_approval_and_signature(world, people):
    chief = people["chief"]
    agreement = application(world["mine"])
    services.agreement_review(agreement=agreement, acting_user=chief, effective_on=dt.date(2018, 1, 10))
    services.agreement_approve(agreement=agreement, acting_user=chief, effective_on=dt.date(2018, 2, 1))
    services.agreement_sign(agreement=agreement, acting_user=chief, signed_on=dt.date(2018, 3, 1))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED and agreement.signed_on == dt.date(2018, 3, 1)
    timeline = list(
        agreement.events.values_list("transition", "from_status", "to_status", "effective_on", "acting_user")
    )
    assert timeline == [
        ("review", "application_received", "under_review", dt.date(2018, 1, 10), chief.pk),
        ("approve", "under_review", "approved", dt.date(2018, 2, 1), chief.pk),
        ("sign", "approved", "signed", dt.date(2018, 3, 1), chief.pk),
    ]
    assert agreement.history.first().history_user == chief


def test_suspension_and_reinstatement_send_the_signals_other_apps_listen_to(world, people):
    agreement = world["agreements"]["mine"]
    received = []

    def on_ended(sender, agreement, acting_user, reason, **kwargs):
        received.append(("ended", agreement.status, reason, kwargs.get("transition")))

    def on_reinstated(sender, agreement, acting_user, **kwargs):
        received.append(("reinstated", agreement.status, acting_user.username, None))

    agreement_ended.connect(on_ended)
    agreement_reinstated.connect(on_reinstated)
    try:
        services.agreement_suspend(
            agreement=agreement,
            acting_user=people["npm"],
            effective_on=dt.date(2018, 3, 1),
            reason="Officers acted outside the MOA",
        )
        services.agreement_reinstate(agreement=agreement, acting_user=people["npm"], effective_on=dt.date(2018, 3, 10))
    finally:
        agreement_ended.disconnect(on_ended)
        agreement_reinstated.disconnect(on_reinstated)
    assert received == [
        ("ended", "suspended", "Officers acted outside the MOA", "suspend"),
        ("reinstated", "signed", "npm", None),
    ]
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert (
        agreement.history.filter(status="suspended").get().history_change_reason.startswith("Suspended on 03/01/2018")
    )


def test_renewal_takes_the_new_signing_date_and_keeps_the_old_one(world, people):
    agreement = world["agreements"]["mine"]  # signed 2017-06-01
    services.agreement_renew(
        agreement=agreement,
        acting_user=people["chief"],
        signed_on=dt.date(2018, 3, 1),
        moa_url="https://www.ice.gov/doclib/287gMOA/renewed.pdf",
    )
    agreement.refresh_from_db()
    assert agreement.signed_on == dt.date(2018, 3, 1)
    event = agreement.events.get(transition=Transition.RENEW)
    assert event.previous_signed_on == dt.date(2017, 6, 1)
    assert agreement.history.filter(signed_on=dt.date(2017, 6, 1)).exists()
    assert agreement.documents.get().url.endswith("renewed.pdf")
    with pytest.raises(ValidationError) as error:
        services.agreement_renew(agreement=agreement, acting_user=people["chief"], signed_on=dt.date(2018, 2, 1))
    assert "signed_on" in error.value.message_dict


def test_withdrawal_ends_a_pending_application(world, people):
    agreement = application(world["mine"], AgreementStatus.UNDER_REVIEW)
    services.agreement_withdraw(
        agreement=agreement,
        acting_user=people["chief"],
        effective_on=dt.date(2018, 3, 1),
        reason="The sheriff withdrew the application",
    )
    agreement.refresh_from_db()
    assert (agreement.status, agreement.ended_on) == (AgreementStatus.WITHDRAWN, dt.date(2018, 3, 1))


@pytest.mark.parametrize(
    "status, verb",
    [
        ("terminated", "suspend"),
        ("terminated", "reinstate"),
        ("terminated", "renew"),
        ("terminated", "terminate"),
        ("terminated", "withdraw"),
        ("terminated", "sign"),
        ("signed", "review"),
        ("signed", "approve"),
        ("signed", "withdraw"),
        ("signed", "reinstate"),
        ("signed", "sign"),
        ("under_review", "review"),
        ("application_received", "approve"),
        ("application_received", "suspend"),
        ("under_review", "terminate"),
        ("suspended", "suspend"),
        ("suspended", "renew"),
        ("withdrawn", "review"),
        ("approved", "renew"),
    ],
)
def test_a_transition_the_status_does_not_allow_is_refused(world, people, status, verb):
    agreement = world["agreements"]["mine"]
    Agreement.objects.filter(pk=agreement.pk).update(status=status)
    kwargs = (
        {"signed_on": dt.date(2018, 3, 1)}
        if verb in ("sign", "renew")
        else {"effective_on": dt.date(2018, 3, 1), "reason": "because"}
    )
    with pytest.raises(TransitionNotAllowed):
        getattr(services, f"agreement_{verb}")(agreement=agreement, acting_user=people["chief"], **kwargs)
    agreement.refresh_from_db()
    assert agreement.status == status and not agreement.events.exists()


@pytest.mark.parametrize(
    "on, message",
    [
        (dt.date(2018, 4, 1), "future"),
        (dt.date(2017, 5, 1), "before the signature"),
    ],
)
def test_bad_dates_are_refused(world, people, on, message):
    agreement = world["agreements"]["mine"]
    with pytest.raises(ValidationError) as error:
        services.agreement_suspend(agreement=agreement, acting_user=people["chief"], effective_on=on, reason="x")
    assert message in " ".join(error.value.message_dict["effective_on"])


def test_ending_transitions_need_a_reason(world, people):
    with pytest.raises(ValidationError) as error:
        services.agreement_terminate(
            agreement=world["agreements"]["mine"],
            acting_user=people["chief"],
            effective_on=dt.date(2018, 3, 1),
            reason=" ",
        )
    assert "reason" in error.value.message_dict


def _finding(rule, subject, agency):
    return Finding.objects.create(
        rule=rule,
        category=rule.split(".")[0],
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        subject_label=str(subject),
        agency=agency,
        field_office=agency.field_office,
    )


def test_termination_of_the_last_agreement_closes_findings_and_ends_assignments(world, people):
    mine = world["mine"]
    agreement = world["agreements"]["mine"]
    about_agreement = _finding("agreements.not_on_ice_list", agreement, mine)
    about_agency = _finding("agreements.no_primary_manager", mine, mine)
    elsewhere = _finding("agreements.no_primary_manager", world["miami"], world["miami"])

    services.agreement_terminate(
        agreement=agreement,
        acting_user=people["chief"],
        effective_on=dt.date(2018, 3, 1),
        reason="The county ended its participation",
    )

    for finding in (about_agreement, about_agency):
        finding.refresh_from_db()
        assert (finding.status, finding.resolution, finding.resolved_by) == (
            FindingStatus.RESOLVED,
            "agreement ended",
            people["chief"],
        )
    elsewhere.refresh_from_db()
    assert elsewhere.status == FindingStatus.OPEN
    ends = set(Assignment.objects.filter(agency=mine).values_list("kind", "ends_on"))
    assert ends == {(AssignmentKind.PRIMARY, dt.date(2018, 3, 1)), (AssignmentKind.BACKUP, dt.date(2018, 3, 1))}
    assert (
        Assignment.history.filter(agency_id=mine.pk, ends_on=dt.date(2018, 3, 1)).first().history_user
        == people["chief"]
    )


def test_termination_keeps_the_agency_going_while_another_agreement_is_in_force(world, people):
    mine = world["mine"]
    other = AgreementFactory(agency=mine, program_model="wso", status=AgreementStatus.SIGNED)
    about_agreement = _finding("agreements.not_on_ice_list", other, mine)
    about_agency = _finding("agreements.no_primary_manager", mine, mine)

    services.agreement_terminate(
        agreement=other,
        acting_user=people["npm"],
        effective_on=dt.date(2018, 3, 1),
        reason="Warrant service no longer needed",
    )

    about_agreement.refresh_from_db()
    about_agency.refresh_from_db()
    assert about_agreement.status == FindingStatus.RESOLVED
    assert about_agency.status == FindingStatus.OPEN
    assert not Assignment.objects.filter(agency=mine, ends_on__isnull=False).exists()


def test_withdrawal_of_the_last_application_closes_findings_and_ends_assignments(world, people):
    pending_agency = world["houston_other"]
    Agreement.objects.filter(agency=pending_agency).update(status=AgreementStatus.TERMINATED)
    pending = application(pending_agency, AgreementStatus.UNDER_REVIEW)
    finding = _finding("agreements.review_overdue", pending, pending_agency)
    services.agreement_withdraw(
        agreement=pending,
        acting_user=people["chief"],
        effective_on=dt.date(2018, 3, 1),
        reason="Withdrawn by the agency",
    )
    finding.refresh_from_db()
    assert finding.resolution == "agreement ended"
    running = Assignment.objects.filter(agency=pending_agency).exclude(ends_on=dt.date(2018, 3, 1))
    assert not running.filter(ends_on__isnull=True).exists()
    assert Assignment.objects.filter(agency=pending_agency, ends_on=dt.date(2018, 3, 1)).exists()


def test_a_document_needs_a_link_or_a_file(world, people):
    agreement = world["agreements"]["mine"]
    with pytest.raises(ValidationError):
        services.document_add(
            agreement=agreement,
            acting_user=people["chief"],
            kind="amendment",
            dated_on=dt.date(2018, 1, 2),
            title="Amendment 1",
        )
    document = services.document_add(
        agreement=agreement,
        acting_user=people["chief"],
        kind="amendment",
        dated_on=dt.date(2018, 1, 2),
        title="Amendment 1",
        url="https://www.ice.gov/doclib/287gMOA/amendment1.pdf",
    )
    assert document.history.first().history_user == people["chief"]
