"""The quarterly oversight report's figures for a quarter and the previous one."""

import datetime as dt

import pytest

from oversight.report import Quarter, oversight_report


def section(report, number):
    (found,) = [s for s in report["sections"] if s["number"] == number]
    return {row["key"]: (row["current"], row["previous"], row["change"]) for row in found["rows"]}


@pytest.fixture
def report_program(program, people):
    from staffing.choices import ReportingLineKind
    from staffing.tests.factories import ReportingLineFactory

    ReportingLineFactory(
        manager=people["pm"],
        supervisor=people["fod"],
        kind=ReportingLineKind.ADMINISTRATIVE,
        starts_on=dt.date(2017, 1, 1),
    )
    ReportingLineFactory(
        manager=people["pm"], supervisor=people["npm"], kind=ReportingLineKind.PROGRAM, starts_on=dt.date(2018, 1, 15)
    )
    return program


def test_quarter_parsing_and_previous():
    assert Quarter.parse("FY2026Q1").bounds == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert Quarter.parse("FY2026Q1").previous().label == "FY2025Q4"
    with pytest.raises(ValueError):
        Quarter.parse("2026Q1")


def test_figures_of_a_quarter_and_their_change(report_program, people):
    report = oversight_report(people["chief"], Quarter(2018, 2))
    assert (report["quarter"], report["previous_quarter"], report["as_of"], report["in_progress"]) == (
        "FY2018Q2",
        "FY2018Q1",
        "2018-03-15",
        True,
    )
    assert [s["number"] for s in report["sections"]] == [1, 2, 3, 4]
    staffing = section(report, 1)
    assert staffing["required"] == (1.5, 1.5, 0) and staffing["assigned"] == (3.0, 3.0, 0)
    assert staffing["offices_above_model"] == (0, 0, 0)
    lines = section(report, 2)
    assert lines["managers"] == (3, 3, 0)
    assert lines["with_both_lines"] == (1, 0, 1)  # pm's program line started on 15 January
    assert lines["share_with_both_lines"] == (33.3, 0.0, 33.3)
    assert lines["missing_program_line"] == (2, 3, -1)
    sites = section(report, 3)
    assert sites["operational_in_quarter"] == (1, 1, 0)  # Galveston in Q2, Harris in Q1
    assert sites["median_days"] == (214, 141, 73)
    assert sites["share_within_goal"] == (0.0, 100.0, -100.0)
    assert sites["open_past_goal"] == (1, 2, -1)  # Collier; at the end of Q1 Galveston too
    training = section(report, 4)
    assert training["certified"] == (5, 5, 0)
    assert training["recertified"] == (1, 0, 1)  # completed on 1 February
    assert training["share_recertified"] == (20.0, 0.0, 20.0)


def test_a_field_office_director_reads_their_office(report_program, people):
    report = oversight_report(people["fod"], Quarter(2018, 2))
    assert section(report, 3)["open_past_goal"] == (0, 1, -1)  # Galveston only, in Q1
    assert section(report, 2)["managers"] == (2, 2, 0)
    assert section(report, 4)["certified"] == (4, 4, 0)


def test_page_pdf_and_bad_quarter(report_program, people, client):
    client.force_login(people["chief"])
    page = client.get("/reports/oversight/", {"quarter": "FY2018Q2"}).content.decode()
    assert "Recommendation 3: Installation timeline against 180 days" in page
    assert "Download as PDF" in page
    response = client.get("/reports/oversight/", {"quarter": "FY2018Q2", "format": "pdf"})
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert client.get("/reports/oversight/", {"quarter": "2018-2"}).status_code == 400
    client.force_login(people["pm"])
    assert client.get("/reports/oversight/").status_code == 403


def test_without_weasyprint_the_page_says_so_and_still_prints(report_program, people, client, monkeypatch):
    from oversight import views

    monkeypatch.setattr(views, "pdf_available", lambda: False)
    client.force_login(people["chief"])
    page = client.get("/reports/oversight/", {"quarter": "FY2018Q2"}).content.decode()
    assert "PDF download is not available on this server" in page and "Recommendation 1" in page
    response = client.get("/reports/oversight/", {"quarter": "FY2018Q2", "format": "pdf"})
    assert response.status_code == 302
