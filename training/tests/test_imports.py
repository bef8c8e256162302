"""Imports: row-level errors, unknown and out-of-scope officers, duplicates, idempotence,
all or nothing unless the valid rows are applied, America/New_York for naive times."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command

from training.importers import import_card_logins, import_completions, import_roster, parse_csv, run_import
from training.models import CardLogin, Completion, Officer

from .factories import OfficerFactory, course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2018, 3, 1, 17, 0, tzinfo=dt.UTC), tick=False):
        yield


def rows(*items):
    return list(enumerate(items, start=2))


def test_completions_with_bad_rows_write_nothing_unless_asked(world, people):
    mine = OfficerFactory(agency=world["mine"], officer_number="HC-1")
    OfficerFactory(agency=world["miami"], officer_number="CC-9")
    course("IADP")
    data = rows(
        {"officer_number": "HC-1", "course_code": "PALMS-INA", "completed_on": "2018-02-01"},
        {"officer_number": "HC-1", "course_code": "PALMS-INA", "completed_on": "2018-02-01"},  # repeated
        {"officer_number": "CC-9", "course_code": "PALMS-INA", "completed_on": "2018-02-01"},  # out of scope
        {"officer_number": "NOPE", "course_code": "PALMS-XX", "completed_on": "02/01/2018"},
        {"officer_number": "HC-1", "course_code": "PALMS-HTA", "completed_on": "2018-04-01"},  # future
    )
    report = import_completions(data, acting_user=people["pm"])
    assert not report.applied and Completion.objects.count() == 0
    assert [e["row"] for e in report.errors] == [4, 5, 6]
    assert report.unknown == [{"row": 4, "officer_number": "CC-9"}, {"row": 5, "officer_number": "NOPE"}]
    assert "outside your agencies" in report.errors[0]["message"]
    assert report.duplicates == 1
    report = import_completions(data, acting_user=people["pm"], apply_valid=True)
    assert report.applied and report.created == 1 and Completion.objects.get().officer == mine
    again = import_completions(data, acting_user=people["pm"], apply_valid=True)
    assert again.created == 0 and again.duplicates == 2 and Completion.objects.count() == 1
    assert Completion.history.count() == 1


def test_card_logins_naive_times_are_new_york_and_update_the_last_login(world, people):
    officer = OfficerFactory(agency=world["mine"], officer_number="HC-1")
    data = rows(
        {"officer_number": "HC-1", "logged_in_at": "2018-02-27T23:30:00"},
        {"officer_number": "HC-1", "logged_in_at": "2018-02-20T10:00:00Z"},
        {"officer_number": "HC-1", "logged_in_at": "yesterday"},
    )
    report = import_card_logins(data, acting_user=people["pm"])
    assert report.errors == [{"row": 4, "message": "logged_in_at must be an ISO 8601 date and time."}]
    assert not report.applied
    report = import_card_logins(data, acting_user=people["pm"], apply_valid=True)
    officer.refresh_from_db()
    assert report.created == 2 and CardLogin.objects.count() == 2
    # 23:30 in New York is 04:30 UTC the next day; the card's date is the New York date.
    assert officer.card_last_login_at == dt.datetime(2018, 2, 28, 4, 30, tzinfo=dt.UTC)
    assert officer.card_last_login_on == dt.date(2018, 2, 27)
    assert import_card_logins(data[:2], acting_user=people["pm"]).duplicates == 2


def test_roster_creates_updates_and_hides_other_agencies(world, people):
    OfficerFactory(agency=world["miami"], officer_number="CC-9")
    existing = OfficerFactory(
        agency=world["mine"],
        officer_number="HC-2",
        last_name="Old",
        first_name="Name",
        email="hc-2@hcso.example.gov",
        certified_on=dt.date(2016, 1, 1),
    )
    data = rows(
        {
            "officer_number": "HC-1",
            "agency": "Harris County Sheriff's Office",
            "last_name": "Ortiz",
            "first_name": "Ana",
            "email": "ortiz@hcso.example.gov",
            "status": "certified",
            "certified_on": "2017-05-01",
        },
        {
            "officer_number": "HC-2",
            "agency": str(world["mine"].pk),
            "last_name": "New",
            "first_name": "Name",
            "email": "hc-2@hcso.example.gov",
            "status": "Certified",
            "certified_on": "2016-01-01",
        },
        {
            "officer_number": "CC-9",
            "agency": "Harris County Sheriff's Office",
            "last_name": "X",
            "first_name": "Y",
            "email": "x@example.gov",
            "status": "certified",
            "certified_on": "2017-01-01",
        },
        {
            "officer_number": "CC-10",
            "agency": "Collier County Sheriff's Office",
            "last_name": "X",
            "first_name": "Y",
            "email": "bad",
            "status": "retired",
            "certified_on": "",
        },
    )
    report = import_roster(data, acting_user=people["pm"], apply_valid=True)
    assert [e["row"] for e in report.errors] == [4, 5]
    assert "outside your agencies" in report.errors[0]["message"]
    assert "Unknown agency" in report.errors[1]["message"] and "Unknown status" in report.errors[1]["message"]
    assert report.created == 1 and report.updated == 1
    existing.refresh_from_db()
    assert existing.last_name == "New"
    new = Officer.objects.get(officer_number="HC-1")
    assert new.status == "certified" and new.certified_on == dt.date(2017, 5, 1) and new.history.count() == 1
    assert new.events.get().verb == "roster_import"
    again = import_roster(data[:2], acting_user=people["pm"])
    assert again.unchanged == 2 and again.created == again.updated == 0


def test_csv_needs_the_columns_and_reports_line_numbers(world, people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        parse_csv("officer,course\n1,2\n", "completions")
    OfficerFactory(agency=world["mine"], officer_number="HC-1")
    course("IADP")
    report = run_import(
        "completions",
        text="officer_number,course_code,completed_on\nHC-1,PALMS-INA,2018-01-05\nHC-1,BAD,2018-01-05\n",
        acting_user=None,
    )
    assert report.errors[0]["row"] == 3 and not report.applied


def test_import_command(world, tmp_path, capsys):
    OfficerFactory(agency=world["mine"], officer_number="HC-1")
    course("IADP")
    path = tmp_path / "palms.csv"
    path.write_text("officer_number,course_code,completed_on\nHC-1,PALMS-INA,2018-01-05\nZZ,PALMS-INA,2018-01-05\n")
    with pytest.raises(CommandError):
        call_command("import_training", "completions", str(path))
    assert Completion.objects.count() == 0
    call_command("import_training", "completions", str(path), "--apply-valid")
    assert Completion.objects.count() == 1
