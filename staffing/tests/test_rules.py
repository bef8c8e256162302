"""Each staffing sweep rule opens a finding, a second sweep opens nothing new, and the
finding is resolved once the condition is gone."""

import pytest

from portal.compliance.models import Finding, FindingStatus, Severity
from portal.compliance.sweep import sweep_run
from staffing.choices import ReportingLineKind
from staffing.tests.conftest import TODAY, months_back
from staffing.tests.factories import AbsenceFactory, ReportingLineFactory, WorkloadReportFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def sweep(code):
    run = sweep_run(today=TODAY, notify=False, rule_codes=[code])
    return run.counts[code]


def open_findings(code):
    return Finding.objects.filter(rule=code, status__in=["open", "acknowledged"])


def test_manager_above_model_load_warns_then_goes_high_and_resolves(world, people, officers):
    code = "staffing.manager_above_model_load"
    ReportingLineFactory(manager=people["pm"], kind=ReportingLineKind.ADMINISTRATIVE, supervisor=people["fod"])
    officers[world["mine"].pk] = 15  # 1.25 PMs: 125%
    assert sweep(code)["opened"] == 1
    finding = open_findings(code).get()
    assert (finding.subject_id, finding.severity, finding.responsible) == (
        people["pm"].pk,
        Severity.WARNING,
        people["fod"],
    )
    assert "load 125%" in finding.detail
    officers[world["mine"].pk] = 24  # 200%
    counts = sweep(code)
    assert counts["opened"] == 0 and counts["still_open"] == 1
    assert open_findings(code).get().severity == Severity.HIGH
    officers[world["mine"].pk] = 12  # exactly at the model
    assert sweep(code)["resolved"] == 1


def test_load_finding_goes_to_program_supervisor_without_administrative_line(world, people, officers):
    ReportingLineFactory(manager=people["pm"], kind=ReportingLineKind.PROGRAM, supervisor=people["npm"])
    officers[world["mine"].pk] = 13
    sweep("staffing.manager_above_model_load")
    assert open_findings("staffing.manager_above_model_load").get().responsible == people["npm"]


def test_primary_absent_without_backup(world, people):
    code = "staffing.primary_absent_without_backup"
    pm_away = AbsenceFactory(manager=people["pm"], starts_on=TODAY, ends_on=TODAY)
    assert sweep(code)["opened"] == 0  # mine: the backup pm_other is present and signs
    pm_away.delete()
    absence = AbsenceFactory(manager=people["pm_other"], starts_on=TODAY.replace(day=14), ends_on=TODAY.replace(day=20))
    assert sweep(code)["opened"] == 1
    finding = open_findings(code).get()
    assert finding.subject_id == world["houston_other"].pk
    assert finding.responsible == people["fod"]  # the office's director, as no administrative line is named
    assert finding.severity == Severity.HIGH
    assert sweep(code)["opened"] == 0
    absence.ends_on = TODAY.replace(day=14)
    absence.save()
    assert sweep(code)["resolved"] == 1


def test_backup_absent_too_opens_a_finding(world, people):
    AbsenceFactory(manager=people["pm"], starts_on=TODAY, ends_on=TODAY)
    AbsenceFactory(manager=people["pm_other"], starts_on=TODAY, ends_on=TODAY)
    sweep("staffing.primary_absent_without_backup")
    subjects = set(open_findings("staffing.primary_absent_without_backup").values_list("subject_id", flat=True))
    assert subjects == {world["mine"].pk, world["houston_other"].pk}


def test_manager_without_one_of_the_two_supervisors(world, people):
    code = "staffing.manager_without_supervisor"
    for pm in ("pm", "pm_miami"):
        ReportingLineFactory(manager=people[pm], kind=ReportingLineKind.PROGRAM, supervisor=people["npm"])
    ReportingLineFactory(manager=people["pm"], kind=ReportingLineKind.ADMINISTRATIVE, supervisor=people["fod"])
    ReportingLineFactory(manager=people["pm_other"], kind=ReportingLineKind.ADMINISTRATIVE, supervisor=people["fod"])
    assert sweep(code)["opened"] == 2
    by_subject = {f.subject_id: f for f in open_findings(code)}
    assert set(by_subject) == {people["pm_other"].pk, people["pm_miami"].pk}
    assert "program supervisor" in by_subject[people["pm_other"].pk].detail
    assert by_subject[people["pm_miami"].pk].responsible == people["fod_miami"]
    assert sweep(code)["opened"] == 0
    ReportingLineFactory(manager=people["pm_other"], kind=ReportingLineKind.PROGRAM, supervisor=people["chief"])
    assert sweep(code)["resolved"] == 1


def test_workload_report_missing_for_last_month(world, people):
    code = "staffing.workload_report_missing"
    february = months_back(1)[0]
    WorkloadReportFactory(agency=world["mine"], month=february)
    assert sweep(code)["opened"] == 2
    finding = open_findings(code).get(subject_id=world["houston_other"].pk)
    assert finding.responsible == people["pm_other"]  # the primary program manager
    assert "February 2018" in finding.detail
    assert sweep(code)["opened"] == 0
    WorkloadReportFactory(agency=world["houston_other"], month=february)
    assert sweep(code)["resolved"] == 1
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.RESOLVED


def test_primary_without_backup_still_runs(world):
    assert sweep("staffing.primary_without_backup")["opened"] == 2  # Galveston and Collier


def test_no_backup_rule_ignores_agencies_whose_agreements_all_ended(world, people):
    from agreements.models import Agreement
    from portal.compliance.models import Finding
    from portal.compliance.sweep import sweep_run

    Agreement.objects.filter(agency=world["miami"]).update(status="terminated", ended_on="2018-01-01")
    sweep_run(notify=False, rule_codes=["staffing.primary_without_backup"])
    subjects = set(
        Finding.objects.open().filter(rule="staffing.primary_without_backup").values_list("subject_id", flat=True)
    )
    assert subjects == {world["houston_other"].pk}
