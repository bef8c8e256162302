import datetime as dt

import factory

from agreements.choices import AgencyType, AgreementStatus, ProgramModel
from agreements.models import Agency, Agreement, FieldOffice


def office(code: str) -> FieldOffice:
    """One of the 25 field offices shipped by the data migration (reloaded if a
    transactional test flushed it)."""
    from agreements.field_offices import load_field_offices
    from agreements.models import StateOffice

    if not FieldOffice.objects.filter(code=code).exists():
        load_field_offices(FieldOffice, StateOffice)
    return FieldOffice.objects.get(code=code)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Test County {n} Sheriff's Office")
    agency_type = AgencyType.COUNTY
    state = "TX"
    county = factory.Sequence(lambda n: f"Test {n}")
    field_office = factory.LazyFunction(lambda: office("HOU"))


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    agency = factory.SubFactory(AgencyFactory)
    program_model = ProgramModel.JAIL_ENFORCEMENT
    status = AgreementStatus.SIGNED
    applied_on = dt.date(2017, 1, 10)
    signed_on = dt.date(2017, 6, 1)
