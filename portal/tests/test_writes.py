"""The one write helper: changed, unchanged, invalid (nothing saved), created."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from portal.models import StaffProfile
from portal.roles import Role
from portal.writes import model_update


@pytest.fixture
def profile(people):
    return StaffProfile.objects.get(user=people["pm"])


def test_changed_fields_are_saved_with_who_and_why(profile, people):
    # given
    before = profile.history.count()
    # when
    instance, changed = model_update(
        instance=profile,
        data={"title": "Senior PM", "phone": "713-555-0100"},
        acting_user=people["chief"],
        reason="New title",
    )
    # then
    assert changed is True and instance is profile
    stored = StaffProfile.objects.get(pk=profile.pk)
    assert (stored.title, stored.phone) == ("Senior PM", "713-555-0100")
    assert profile.history.count() == before + 1
    latest = profile.history.first()
    assert latest.history_user == people["chief"]
    assert latest.history_change_reason == "New title"
    assert latest.prev_record.title == ""


def test_only_the_changed_columns_are_written(profile, people):
    StaffProfile.objects.filter(pk=profile.pk).update(phone="000")  # another writer's change, not in memory
    model_update(instance=profile, data={"title": "Senior PM", "phone": profile.phone}, acting_user=people["chief"])
    stored = StaffProfile.objects.get(pk=profile.pk)
    assert stored.title == "Senior PM"
    assert stored.phone == "000"  # not overwritten: it was not a change


def test_unchanged_values_save_and_record_nothing(profile, people, django_assert_num_queries):
    before = profile.history.count()
    same = {"title": profile.title, "role": profile.role, "field_office": profile.field_office}
    with django_assert_num_queries(0):
        instance, changed = model_update(instance=profile, data=same, acting_user=people["chief"], reason="Nothing new")
    assert changed is False
    assert profile.history.count() == before


def test_invalid_values_save_nothing_and_restore_the_record(profile, people, offices):
    before = profile.history.count()
    office = profile.field_office
    with pytest.raises(ValidationError) as refused:
        model_update(instance=profile, data={"title": "x" * 500, "field_office": None}, acting_user=people["chief"])
    assert "title" in refused.value.message_dict
    # nothing saved, and the instance holds the stored values again
    assert profile.history.count() == before
    stored = StaffProfile.objects.get(pk=profile.pk)
    assert stored.title == "" and stored.field_office == office
    assert profile.title == "" and profile.field_office_id == office.pk and profile.field_office == office


def test_the_services_check_runs_on_the_new_values_and_can_refuse(profile, people):
    def check(instance):
        if instance.role != Role.FIELD_PM:
            raise ValidationError({"role": ["Not while assigned."]})

    with pytest.raises(ValidationError):
        model_update(
            instance=profile,
            data={"role": Role.HQ_ANALYST, "field_office": None},
            acting_user=people["chief"],
            check=check,
        )
    assert StaffProfile.objects.get(pk=profile.pk).role == Role.FIELD_PM
    assert profile.role == Role.FIELD_PM


def test_a_field_outside_the_allowed_ones_is_a_programming_error(profile, people):
    with pytest.raises(TypeError):
        model_update(instance=profile, data={"role": Role.UNIT_CHIEF}, fields=["title"], acting_user=people["chief"])
    with pytest.raises(TypeError):
        model_update(instance=profile, data={"no_such_field": 1}, acting_user=people["chief"])


def test_an_unsaved_record_is_created(people, offices):
    from portal.tests.factories import UserFactory

    user = UserFactory(username="newcomer")
    profile, changed = model_update(
        instance=StaffProfile(user=user),
        data={"role": Role.FIELD_PM, "field_office": offices["HOU"]},
        acting_user=people["chief"],
        reason="Hired",
    )
    assert changed is True and profile.pk is not None
    assert profile.history.get().history_user == people["chief"]
