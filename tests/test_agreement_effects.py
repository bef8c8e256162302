"""What suspending, reinstating and terminating an agreement does across the portal:
the site's installation steps, the officers' ability to act, the managers' assignments
and the open findings (docs/agreements.md, "What an agreement's end does")."""

import datetime as dt

import pytest
import time_machine

from agreements import services
from itdeploy.choices import InstallationStatus
from itdeploy.services import installation_open
from portal.compliance.models import Finding
from portal.compliance.sweep import sweep_run
from staffing.models import Assignment
from training.models import Officer
from training.tests.factories import OfficerFactory, under_agreement

TODAY = dt.datetime(2018, 3, 15, 15, tzinfo=dt.UTC)


@pytest.fixture
def site(world, people):
    """Harris County: a Jail Enforcement Model agreement signed 2018-01-10, its installation
    in progress, two certified officers who logged in this week."""
    from training.models import CardLogin

    agreement = world["agreements"]["mine"]
    agreement.signed_on, agreement.applied_on = dt.date(2018, 1, 10), dt.date(2017, 11, 1)
    agreement.save()
    installation = installation_open(agreement=agreement, acting_user=people["chief"], opened_on=dt.date(2018, 1, 11))
    officers = [OfficerFactory(agency=world["mine"], certified_on=dt.date(2017, 12, 1)) for _ in range(2)]
    for officer in officers:
        CardLogin.objects.create(officer=officer, logged_in_at=dt.datetime(2018, 3, 12, 14, tzinfo=dt.UTC))
    Officer.objects.filter(pk__in=[o.pk for o in officers]).update(card_last_login_on=dt.date(2018, 3, 12))
    return {"agreement": agreement, "installation": installation, "officers": officers}


@time_machine.travel(TODAY, tick=False)
def test_suspension_pauses_the_site_and_stops_its_officers_reinstatement_restores_both(site, world, people):
    agreement, installation = site["agreement"], site["installation"]
    assert installation.status == InstallationStatus.IN_PROGRESS
    running = [s for s in installation.steps.all() if s.started_on and not s.completed_on]
    assert running, "steps without dependencies start at the MOA signature"
    assert under_agreement(world["mine"], dt.date(2018, 3, 15)) == 2

    services.agreement_suspend(
        agreement=agreement,
        acting_user=people["chief"],
        effective_on=dt.date(2018, 3, 15),
        reason="Sheriff asked for a pause",
    )
    for step in running:
        step.refresh_from_db()
        assert step.pauses.filter(ended_on__isnull=True).exists(), step
    assert under_agreement(world["mine"], dt.date(2018, 3, 15)) == 0

    services.agreement_reinstate(agreement=agreement, acting_user=people["chief"], effective_on=dt.date(2018, 3, 15))
    for step in running:
        assert not step.pauses.filter(ended_on__isnull=True).exists(), step
    assert under_agreement(world["mine"], dt.date(2018, 3, 15)) == 2


@time_machine.travel(TODAY, tick=False)
def test_termination_ends_assignments_and_closes_findings_as_agreement_ended(site, world, people):
    agreement = site["agreement"]
    # An open finding on the agency: its backup leaves, so the primary has no backup.
    Assignment.objects.filter(agency=world["mine"], kind="backup").update(ends_on=dt.date(2018, 3, 1))
    sweep_run(notify=False, rule_codes=["staffing.primary_without_backup"])
    finding = Finding.objects.get(rule="staffing.primary_without_backup", subject_id=world["mine"].pk)
    assert finding.is_open

    services.agreement_terminate(
        agreement=agreement,
        acting_user=people["chief"],
        effective_on=dt.date(2018, 3, 15),
        reason="Agency ended its participation",
    )
    finding.refresh_from_db()
    assert finding.status == "resolved" and finding.resolution.lower().startswith("agreement ended")
    active = Assignment.objects.active_on(dt.date(2018, 3, 16)).filter(agency=world["mine"])
    assert not active.exists()
    assert Assignment.objects.filter(agency=world["mine"], ends_on=dt.date(2018, 3, 15)).exists()
    assert under_agreement(world["mine"], dt.date(2018, 3, 16)) == 0
    # The next sweep does not reopen what the termination closed.
    run = sweep_run(notify=False, rule_codes=["staffing.primary_without_backup", "agreements.no_primary_manager"])
    assert not Finding.objects.open().filter(agency=world["mine"]).exists(), run.counts
