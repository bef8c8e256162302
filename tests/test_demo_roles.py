"""The demo gives every role something to do on a fresh ``make run``: the Houston
manager has open installations at each stage, officers in several states and a class
with seats taken and a waiting list; the operators have the admin's account."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(demo_site):
    return demo_site


def test_demo_gives_the_houston_manager_each_stage_and_the_operators_the_admin(demo_world):
    from itdeploy.models import Installation
    from itdeploy.services import step_action_refusal
    from training.models import Enrollment, Officer

    manager = get_user_model().objects.get(username="pm.houston")
    open_sites = list(
        Installation.objects.visible_to(manager)
        .filter(status="in_progress")
        .prefetch_related("steps__pauses", "steps__depends_on")
    )
    assert len(open_sites) >= 4
    offered = set()
    for site in open_sites:
        for step in site.steps.all():
            offered |= {
                a
                for a in ("start", "complete", "pause", "resume")
                if step_action_refusal(step, a, installation=site) is None
            }
    assert offered == {"start", "complete", "pause", "resume"}  # every step action can be tried
    statuses = Counter(Officer.objects.visible_to(manager).values_list("status", flat=True))
    assert {"nominated", "adjudicated", "certified", "suspended"} <= set(statuses)
    enrolments = Counter(Enrollment.objects.visible_to(manager).values_list("status", flat=True))
    assert enrolments["enrolled"] and enrolments["waitlisted"]
    # and the operators get the admin's account (one demo run for both: it is the slow part)
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
