"""The access policy (``portal/access.py``): it covers every page, API route and scoped
model, its generated document is current, and its questions answer as the policy says."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from portal import access
from portal.access_docs import _patterns, _router_registry, _viewset_actions, render


def test_docs_permissions_md_is_generated_from_the_policy():
    path = Path(settings.BASE_DIR) / "docs" / "permissions.md"
    assert path.read_text() == render(), "docs/permissions.md is stale: run python manage.py permissions_matrix"


def test_every_url_pattern_is_covered_by_the_policy():
    names = {name for name, _ in _patterns()}
    uncovered = sorted(
        n
        for n in names
        if not n.startswith(("admin:", "api:")) and n not in access.PAGES and n not in access.PUBLIC_PAGES
    )
    assert uncovered == [], f"pages missing from portal.access.PAGES: {uncovered}"
    assert set(access.PAGES) <= names, "PAGES names URL patterns that do not exist"
    for label, action in access.PAGES.values():
        assert action in access.POLICY[label].actions, (label, action)


def test_every_api_route_and_action_is_covered_by_the_policy():
    missing = []
    for prefix, viewset, basename in _router_registry():
        if basename not in access.API:
            missing.append(f"{prefix} (basename {basename})")
            continue
        label, renames = access.API[basename]
        target = access.POLICY[label]
        for name, action in _viewset_actions(viewset, renames):
            if action not in target.actions:
                missing.append(f"{prefix} {name} -> {label} {action}")
    assert missing == [], f"API routes the policy does not cover: {missing}"


def test_every_scoped_model_is_in_the_policy_and_every_entry_names_a_real_model():
    scoped = [m for m in apps.get_models() if isinstance(m._default_manager.all(), access.RestrictedQuerySet)]
    assert len(scoped) > 20
    assert [m.__name__ for m in scoped if access._label(m) not in access.POLICY] == []
    for target in access.TARGETS:
        if target.label.split(".")[1][:1].isupper() and target.label != "staffing.ProgramManager":
            assert target.model is not None, f"{target.label} is not a model"


def test_policy_grants_only_known_roles_and_scopes(db):
    for target, action, role, scopes in access.all_cells():
        for scope in scopes:
            assert (
                scope in (access.ALL, access.OFFICE, access.ASSIGNED, access.INSTALLATIONS, access.OWN)
                or scope in target.scopes
            ), (target.label, action, role, scope)


def test_visible_to_is_restrict_view(world, people):
    from agreements.models import Agency

    for person in ("chief", "fod", "pm", "ocio", "norole"):
        user = people[person]
        assert list(Agency.objects.visible_to(user)) == list(Agency.objects.restrict(user, "view"))


def test_check_answers_404_outside_scope_and_403_in_scope_without_the_action(world, people):
    from django.core.exceptions import PermissionDenied

    from portal.errors import OutOfScope

    agreement = world["agreements"]["miami"]
    with pytest.raises(OutOfScope) as outside:
        access.check(people["pm"], "terminate", agreement)
    assert outside.value.pk == agreement.pk and outside.value.model is type(agreement)
    with pytest.raises(PermissionDenied):
        access.check(people["pm_miami"], "terminate", agreement)
    access.check(people["npm"], "terminate", agreement)


def test_may_on_an_unsaved_record_follows_its_agency(world, people):
    from training.models import Officer, Waiver

    houston = Officer(agency=world["mine"], officer_number="X1", last_name="A", first_name="B")
    assert access.may(people["fod"], "add", Waiver(officer=houston))
    assert not access.may(people["fod_miami"], "add", Waiver(officer=houston))
    assert not access.may(people["pm"], "add", Waiver(officer=houston))


def test_finding_acknowledged_by_the_person_above_in_a_reporting_line(world, people):
    from portal.compliance.sweep import sweep_run
    from staffing.tests.factories import ReportingLineFactory

    sweep_run(notify=False, rule_codes=["staffing.primary_without_backup"])
    from portal.compliance.models import Finding

    finding = Finding.objects.filter(responsible=people["pm_other"]).first()
    assert finding is not None
    assert not access.may(people["pm"], "acknowledge", finding)
    ReportingLineFactory(manager=people["pm_other"], supervisor=people["pm"])
    assert access.may(people["pm"], "acknowledge", finding)
    assert not access.may(people["pm"], "waive", finding)
