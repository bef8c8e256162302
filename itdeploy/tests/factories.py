import datetime as dt

import factory

from itdeploy.models import Installer, InstallerUnavailability


class InstallerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Installer

    name = factory.Sequence(lambda n: f"Installer {n}")
    active = True
    days_per_week = 5


class InstallerUnavailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstallerUnavailability

    installer = factory.SubFactory(InstallerFactory)
    starts_on = dt.date(2017, 9, 1)
    ends_on = dt.date(2017, 9, 10)


def open_for(agreement, *, opened_on=None, acting_user=None):
    """Open the installation of an agreement's agency through the service, as signing does."""
    from itdeploy import services

    return services.installation_open(agreement=agreement, acting_user=acting_user, opened_on=opened_on)


def steps_of(installation):
    return {s.number: s for s in installation.steps.all()}
