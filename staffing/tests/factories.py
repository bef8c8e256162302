import datetime as dt

import factory

from staffing.choices import AbsenceKind, AssignmentKind, ReportingLineKind
from staffing.models import Absence, Assignment, OtherDuty, ReportingLine, WorkloadReport


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    kind = AssignmentKind.PRIMARY
    starts_on = dt.date(2017, 1, 1)
    ends_on = None


class ReportingLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingLine

    kind = ReportingLineKind.PROGRAM
    starts_on = dt.date(2017, 1, 1)


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    kind = AbsenceKind.LEAVE


class OtherDutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OtherDuty

    description = "Detained docket"
    starts_on = dt.date(2017, 1, 1)


class WorkloadReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkloadReport

    encounters_processed = factory.LazyAttribute(lambda r: r.charging_documents_prepared * 2)
    charging_documents_prepared = 100
    detainers_issued = 50
