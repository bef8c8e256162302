"""A small program with hand-countable figures, on a frozen day: 15 March 2018 (FY2018 Q2).

Agencies (world's three, plus three more), their agreements and sites:
| agency | office | agreement | signed | site |
| mine (Harris) | HOU | JEM signed | 2017-06-01 | operational 2017-10-20 (141 days) |
| houston_other (Galveston) | HOU | JEM signed | 2017-06-01 | operational 2018-01-01 (214 days) |
| miami (Collier) | MIA | JEM signed | 2017-06-01 | installation in progress |
| task_force | HOU | TFM signed | 2017-11-15 | none needed |
| suspended | MIA | JEM suspended | 2018-01-10 | none |
| applicant | HOU | JEM under review | — | — |

Officers: mine has three certified (one with a lapsed card, one recertified this FY),
Galveston one certified, Collier one suspended for a missed recertification.
Workload: Harris reported 250 charging documents a month for the 12 months before March
2018 (3,000 a year: 1.5 PMs by the model). Field PMs: pm, pm_other (Houston), pm_miami.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

TODAY = dt.date(2018, 3, 15)
NOW = dt.datetime(2018, 3, 15, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield TODAY


@pytest.fixture
def plan(db):
    from itdeploy.models import InstallationSettings, ProgramModelSetting, StepTemplate
    from itdeploy.plan import load_default_plan

    load_default_plan(StepTemplate, ProgramModelSetting, InstallationSettings)


@pytest.fixture
def program(frozen, world, people, offices, plan):
    from agreements.choices import AgreementStatus, ProgramModel
    from agreements.tests.factories import AgencyFactory, AgreementFactory
    from itdeploy.choices import InstallationStatus
    from itdeploy.models import Installation
    from staffing.choices import AssignmentKind
    from staffing.tests.factories import AssignmentFactory, WorkloadReportFactory
    from training.choices import OfficerStatus, SuspensionCause
    from training.tests.factories import OfficerFactory, recertify

    hou, mia = offices["HOU"], offices["MIA"]
    task_force = AgencyFactory(name="Montgomery County Constable", state="TX", field_office=hou)
    suspended = AgencyFactory(name="Lee County Sheriff's Office", state="FL", field_office=mia)
    applicant = AgencyFactory(name="Brazoria County Sheriff's Office", state="TX", field_office=hou)
    AgreementFactory(agency=task_force, program_model=ProgramModel.TASK_FORCE, signed_on=dt.date(2017, 11, 15))
    AgreementFactory(agency=suspended, status=AgreementStatus.SUSPENDED, signed_on=dt.date(2018, 1, 10))
    application = AgreementFactory(
        agency=applicant, status=AgreementStatus.UNDER_REVIEW, signed_on=None, applied_on=dt.date(2018, 1, 5)
    )
    AssignmentFactory(agency=task_force, program_manager=people["pm"], kind=AssignmentKind.PRIMARY)
    AssignmentFactory(agency=task_force, program_manager=people["pm_other"], kind=AssignmentKind.BACKUP)

    Installation.objects.create(
        agency=world["mine"],
        moa_signed_on=dt.date(2017, 6, 1),
        opened_on=dt.date(2017, 6, 1),
        status=InstallationStatus.OPERATIONAL,
        operational_on=dt.date(2017, 10, 20),
    )
    Installation.objects.create(
        agency=world["houston_other"],
        moa_signed_on=dt.date(2017, 6, 1),
        opened_on=dt.date(2017, 6, 1),
        status=InstallationStatus.OPERATIONAL,
        operational_on=dt.date(2018, 1, 1),
    )
    Installation.objects.create(agency=world["miami"], moa_signed_on=dt.date(2017, 6, 1), opened_on=dt.date(2017, 6, 1))
    for key, day in (("mine", dt.date(2017, 10, 20)), ("houston_other", dt.date(2018, 1, 1))):
        world[key].equipment_operational_since = day
        world[key].save(update_fields=["equipment_operational_since"])

    recent = TODAY - dt.timedelta(days=5)
    officers = {
        "active": OfficerFactory(agency=world["mine"], card_last_login_on=recent),
        "lapsed": OfficerFactory(agency=world["mine"], card_last_login_on=TODAY - dt.timedelta(days=40)),
        "recertified": OfficerFactory(agency=world["mine"], card_last_login_on=recent),
        "galveston": OfficerFactory(agency=world["houston_other"], card_last_login_on=recent),
        "collier": OfficerFactory(
            agency=world["miami"],
            status=OfficerStatus.SUSPENDED,
            suspended_on=dt.date(2017, 10, 2),
            suspension_cause=SuspensionCause.RECERTIFICATION,
            card_last_login_on=recent,
        ),
    }
    recertify(officers["recertified"], dt.date(2018, 2, 1))

    month = dt.date(2017, 3, 1)
    for _ in range(12):
        WorkloadReportFactory(agency=world["mine"], month=month, charging_documents_prepared=250)
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return {
        **world,
        "task_force": task_force,
        "suspended": suspended,
        "applicant": applicant,
        "application": application,
        "officers": officers,
    }


def make_finding(
    rule,
    agency,
    *,
    severity="warning",
    status="open",
    responsible=None,
    first_seen_at=None,
    resolved_at=None,
    subject=None,
    stage="",
):
    """A finding as the sweep would record it, on ``subject`` (default: the agency)."""
    from django.contrib.contenttypes.models import ContentType

    from portal.compliance.models import Finding

    subject = subject or agency
    return Finding.objects.create(
        rule=rule,
        category=rule.split(".")[0],
        severity=severity,
        status=status,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        subject_label=str(subject),
        agency=agency,
        field_office=agency.field_office if agency else None,
        responsible=responsible,
        first_seen_at=first_seen_at or NOW,
        last_seen_at=first_seen_at or NOW,
        resolved_at=resolved_at,
        stage=stage,
    )
