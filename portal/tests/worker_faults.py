"""A compliance rule for the fault tests only, loaded by the Celery worker they start
(``celery worker --include portal.tests.worker_faults``), never by the portal itself.

It writes a finding inside its rule's transaction, tells the test it got there (the file
named by ``PORTAL_FAULT_MARKER``), then waits to be killed: the finding must never be
seen, because the transaction never commits."""

import os
import pathlib
import time

from django.contrib.contenttypes.models import ContentType

from agreements.models import Agency
from portal.compliance.models import Finding
from portal.compliance.registry import Rule, registry

HALF_WRITTEN = "half-written by a killed worker"


@registry.register
class KilledHalfWay(Rule):
    code = "tests.killed_half_way"
    title = "A rule the fault test kills half way"
    subject_model = Agency

    def evaluate(self, *, today):
        agency = Agency.objects.order_by("pk").first()
        Finding.objects.create(
            rule=self.code,
            category="tests",
            subject_type=ContentType.objects.get_for_model(Agency),
            subject_id=agency.pk,
            subject_label=HALF_WRITTEN,
        )
        pathlib.Path(os.environ["PORTAL_FAULT_MARKER"]).write_text("in the rule")
        time.sleep(120)
        return []
