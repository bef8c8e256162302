"""Coverage with absences, handover, reporting lines and is_above, workload import."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from staffing import services
from staffing.choices import AssignmentKind, ReportingLineKind
from staffing.importers import import_workload_csv
from staffing.models import Assignment, WorkloadReport
from staffing.selectors import coverage, is_above
from staffing.tests.conftest import TODAY
from staffing.tests.factories import AbsenceFactory, ReportingLineFactory

pytestmark = pytest.mark.django_db


def d(day):
    return dt.date(2018, 3, day)


def test_coverage_shows_gaps_only_when_primary_and_backup_are_both_away(world, people):
    # given pm (primary of mine) away 5-9 March, pm_other (backup of mine, primary of galveston) away 8-12
    AbsenceFactory(manager=people["pm"], starts_on=d(5), ends_on=d(9))
    AbsenceFactory(manager=people["pm_other"], starts_on=d(8), ends_on=d(12))
    # when
    cover = coverage([world["mine"].pk, world["houston_other"].pk], d(1), d(31))["agencies"]
    mine, galveston = cover[world["mine"].pk], cover[world["houston_other"].pk]
    # then
    assert [day.day for day, s in mine.items() if not s["signers"]] == [8, 9]
    assert mine[d(6)]["primary_absent"] and mine[d(6)]["signers"] == [people["pm_other"].pk]
    assert [day.day for day, s in galveston.items() if not s["signers"]] == [8, 9, 10, 11, 12]


def test_handover_to_each_backup_ends_old_and_creates_new_assignments(world, people):
    result = services.assignments_hand_over(acting_user=people["chief"], manager=people["pm"], on=TODAY)
    mine_now = Assignment.objects.active_on(TODAY).filter(agency=world["mine"])
    assert list(mine_now.values_list("program_manager_id", "kind")) == [(people["pm_other"].pk, AssignmentKind.PRIMARY)]
    ended = Assignment.objects.filter(agency=world["mine"], ends_on=TODAY - dt.timedelta(days=1))
    assert ended.count() == 2  # pm's primary and pm_other's backup
    assert result == {"ended": 2, "created": 1}
    history = Assignment.history.filter(agency_id=world["mine"].pk, history_user=people["chief"])
    assert history.count() == 3  # two updates and one creation, all audited


def test_handover_to_a_chosen_manager_and_refusal_without_backup(world, people, offices):
    from portal.roles import Role
    from portal.tests.factories import staff

    newcomer = staff(Role.FIELD_PM, offices["HOU"], username="pm_new")
    with pytest.raises(ValidationError) as exc:
        services.assignments_hand_over(acting_user=people["chief"], manager=people["pm_other"], on=TODAY)
    assert "Galveston" in str(exc.value.message_dict["to"])
    assert (
        Assignment.objects.filter(ends_on__isnull=False, ends_on__gte=dt.date(2018, 1, 1)).count() == 0
    )  # nothing done
    services.assignments_hand_over(acting_user=people["chief"], manager=people["pm_other"], on=TODAY, to=newcomer)
    now = set(Assignment.objects.active_on(TODAY).filter(program_manager=newcomer).values_list("agency__name", "kind"))
    assert now == {("Galveston County Sheriff's Office", "primary"), ("Harris County Sheriff's Office", "backup")}


def test_explicit_supervisors_are_above_transitively(world, people):
    # given a program line pm -> npm and npm -> chief; an administrative line pm -> fod_miami (another office)
    ReportingLineFactory(manager=people["pm"], kind=ReportingLineKind.ADMINISTRATIVE, supervisor=people["fod_miami"])
    assert is_above(people["fod_miami"], people["pm"])
    assert not is_above(people["fod_miami"], people["pm_other"])
    assert is_above(people["fod"], people["pm"])  # the director of the manager's office
    assert not is_above(people["pm_other"], people["pm"])
    ReportingLineFactory(manager=people["pm_other"], kind=ReportingLineKind.ADMINISTRATIVE, supervisor=people["pm"])
    ReportingLineFactory(
        manager=people["pm_miami"], kind=ReportingLineKind.ADMINISTRATIVE, supervisor=people["pm_other"]
    )
    assert is_above(people["pm"], people["pm_miami"])  # up the chain
    assert not is_above(people["pm_miami"], people["pm"])


def test_new_reporting_line_ends_the_old_one_and_checks_the_supervisors_role(world, people):
    first = services.reporting_line_set(
        acting_user=people["chief"],
        manager=people["pm"],
        kind="program",
        supervisor=people["npm"],
        starts_on=dt.date(2017, 1, 1),
    )
    services.reporting_line_set(
        acting_user=people["chief"],
        manager=people["pm"],
        kind="program",
        supervisor=people["chief"],
        starts_on=dt.date(2018, 1, 1),
    )
    first.refresh_from_db()
    assert first.ends_on == dt.date(2017, 12, 31)
    with pytest.raises(ValidationError) as exc:
        services.reporting_line_set(
            acting_user=people["chief"],
            manager=people["pm"],
            kind="administrative",
            supervisor=people["npm"],
            starts_on=dt.date(2018, 1, 1),
        )
    assert "supervisor" in exc.value.message_dict


def test_director_records_absences_of_their_own_managers_only(world, people, frozen):
    services.absence_save(acting_user=people["fod"], manager=people["pm"], kind="leave", starts_on=d(1), ends_on=d(2))
    with pytest.raises(PermissionDenied):
        services.absence_save(
            acting_user=people["fod"], manager=people["pm_miami"], kind="leave", starts_on=d(1), ends_on=d(2)
        )
    with pytest.raises(ValidationError):
        services.other_duty_save(
            acting_user=people["fod"], manager=people["pm"], share_percent=60, description="a", starts_on=d(1)
        )
        services.other_duty_save(
            acting_user=people["fod"], manager=people["pm"], share_percent=50, description="b", starts_on=d(1)
        )


CSV = """agency_id,month,encounters_processed,charging_documents_prepared,detainers_issued
{mine},2018-01,120,80,40
{mine},2018-02,130,90,45
{other},2018-02,50,70,10
{miami},2018-02,10,5,1
{mine},2018-13,1,1,1
"""


@pytest.mark.usefixtures("frozen")
def test_import_names_row_errors_and_writes_nothing_unless_asked(world, people):
    text = CSV.format(mine=world["mine"].pk, other=world["houston_other"].pk, miami=world["miami"].pk)
    result = import_workload_csv(text=text, acting_user=people["pm"])
    assert not result.applied
    assert [(e["row"], e["field"]) for e in result.errors] == [
        (4, "agency"),  # not assigned to pm
        (5, "agency"),  # Miami: outside pm's scope
        (6, "month"),
    ]
    assert WorkloadReport.objects.count() == 0
    as_hq = import_workload_csv(text=text, acting_user=people["chief"], apply_valid=True)
    assert as_hq.applied and as_hq.created == 3
    assert [(e["row"], e["field"]) for e in as_hq.errors] == [(4, "charging_documents_prepared"), (6, "month")]


@pytest.mark.usefixtures("frozen")
def test_import_twice_changes_nothing_and_corrects_changed_rows(world, people):
    mine = world["mine"].pk
    text = f"agency_id,month,encounters_processed,charging_documents_prepared,detainers_issued\n{mine},2018-01,10,5,2\n"
    first = import_workload_csv(text=text, acting_user=people["pm"])
    again = import_workload_csv(text=text, acting_user=people["pm"])
    assert (first.created, again.created, again.unchanged) == (1, 0, 1)
    corrected = import_workload_csv(text=text.replace(",10,5,2", ",12,6,2"), acting_user=people["pm"])
    assert corrected.updated == 1
    report = WorkloadReport.objects.get()
    assert report.charging_documents_prepared == 6
    assert report.history.count() == 2 and report.history.first().history_user == people["pm"]


@pytest.mark.usefixtures("frozen")
def test_import_command_reports_errors(world, people, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "workload.csv"
    path.write_text(
        "agency,state,month,encounters_processed,charging_documents_prepared,detainers_issued\n"
        "Harris County Sheriff's Office,TX,2018-02,10,5,2\nNowhere,TX,2018-02,1,1,1\n"
    )
    with pytest.raises(CommandError):
        call_command("import_workload", str(path), user="chief")
    call_command("import_workload", str(path), user="chief", apply_valid=True)
    assert WorkloadReport.objects.filter(agency=world["mine"]).count() == 1
