import datetime as dt

import factory

from agreements.tests.factories import AgencyFactory
from training.choices import OfficerStatus
from training.models import AcademyClass, AcademySite, Completion, Course, Officer


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    agency = factory.SubFactory(AgencyFactory)
    officer_number = factory.Sequence(lambda n: f"DIO-{n:05d}")
    last_name = factory.Faker("last_name")
    first_name = factory.Faker("first_name")
    email = factory.LazyAttribute(lambda o: f"{o.officer_number.lower()}@sheriff.example.gov")
    status = OfficerStatus.CERTIFIED
    certified_on = dt.date(2016, 6, 1)
    status_since = factory.LazyAttribute(lambda o: o.certified_on)


def course(code: str) -> Course:
    from training.catalogue import ensure_catalogue

    ensure_catalogue()
    return Course.objects.get(code=code)


def palms_codes() -> list[str]:
    course("IADP")
    return list(Course.objects.filter(kind="palms", retired_on__isnull=True).values_list("code", flat=True))


def recertify(officer, on: dt.date, codes=None):
    """Record PALMS completions for an officer on a date (all required courses by default)."""
    for code in codes if codes is not None else palms_codes():
        Completion.objects.create(officer=officer, course=course(code), completed_on=on)


def charleston() -> AcademySite:
    course("IADP")
    return AcademySite.objects.get(is_default=True)


class AcademyClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademyClass

    course = factory.LazyFunction(lambda: course("IADP"))
    site = factory.LazyFunction(charleston)
    starts_on = dt.date(2018, 2, 5)
    ends_on = factory.LazyAttribute(lambda c: c.starts_on + dt.timedelta(days=c.course.duration_days - 1))
    capacity = 24


def equip(*agencies, since: dt.date = dt.date(2017, 6, 1)) -> None:
    """Give the agencies' sites working equipment (as the IT installation pipeline does
    when a site becomes operational): a Jail Enforcement Model officer acts only with it."""
    from agreements.models import Agency

    Agency.objects.filter(pk__in=[a.pk for a in agencies]).update(equipment_operational_since=since)
    for agency in agencies:
        agency.equipment_operational_since = since


def under_agreement(agency, day: dt.date) -> int:
    """Officers of the agency acting under an agreement in force on ``day``: the part of
    their standing a suspension or reinstatement changes, whatever the site's equipment."""
    return Officer.objects.with_standing(day).filter(agency=agency, agreement_active=True).count()
