import datetime as dt

import factory

from staffing.choices import AssignmentKind
from staffing.models import Assignment


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    kind = AssignmentKind.PRIMARY
    starts_on = dt.date(2017, 1, 1)
    ends_on = None
