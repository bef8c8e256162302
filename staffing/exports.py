"""Exports of the staffing plan: an Excel workbook that justifies each requested position
by projected workload (OMB Circular A-11 section 51.1 asks that requests for staff rest
on workload), and a CSV file of the plan's rows."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse

from portal.tables import safe_cell

from .figures import Plan

PLAN_COLUMNS = [
    ("Fiscal year", "fiscal_year"),
    ("Field office", "name"),
    ("Certified officers now", "current_officers"),
    ("Signed agreements", "signed_agreements"),
    ("Pending agreements", "pending_agreements"),
    ("Additional agreements (what-if)", "extra_agreements"),
    ("Cases from trend", "trend_cases"),
    ("Projected officers", "projected_officers"),
    ("Projected cases", "projected_cases"),
    ("Required PMs", "required_pms"),
    ("Assigned PMs", "assigned_pms"),
    ("Gap", "gap"),
    ("Bound by", "bound_by"),
    ("Positions requested", "positions_requested"),
    ("Cost (USD)", "cost"),
]


_safe = safe_cell  # every cell written from data goes through the portal's one neutraliser


def justification(plan: Plan, row, position: int) -> str:
    """Why this position is requested, in workload terms."""
    return (
        f"FY{row.fiscal_year} {row.name}: projected {row.projected_officers:,.1f} certified officers ÷ "
        f"{plan.officers_per_pm} = {row.projected_officers / plan.officers_per_pm:,.1f} PMs; projected "
        f"{row.projected_cases:,.0f} cases (charging documents) ÷ {plan.cases_per_pm_per_fy:,} = "
        f"{row.projected_cases / plan.cases_per_pm_per_fy:,.1f} PMs; required {row.required:,.1f} "
        f"({row.bound_by or 'no workload'}-bound) against {row.assigned:,.1f} assigned: position {position} of "
        f"{row.positions_requested}."
    )


def plan_workbook(plan: Plan):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["287(g) program manager staffing plan"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["As of", plan.day])
    summary.append(["Certified officers per PM", plan.officers_per_pm])
    summary.append(["Cases per PM per fiscal year", plan.cases_per_pm_per_fy])
    summary.append(["Cost per position (USD)", int(plan.cost_per_position)])
    summary.append(["Additional agreements (what-if)", plan.extra_agreements])
    summary.append(["Average officers per signed agreement", round(plan.avg_officers_per_agreement, 1)])
    summary.append(["Average annual cases per signed agreement", round(plan.avg_cases_per_agreement)])
    summary.append([])
    summary.append(["Fiscal year", "Required PMs", "Assigned PMs", "Positions requested", "Cost (USD)"])
    for fy in plan.fiscal_years:
        n = plan.nation_row(fy).as_dict()
        summary.append([fy, n["required_pms"], n["assigned_pms"], n["positions_requested"], n["cost"]])
    summary.append([])
    summary.append(
        [
            "Basis: ICE's staffing model (1 PM per certified officers and per cases a fiscal year; a case is an "
            "encounter processed into charging documents the PM reviews and signs). Workload projected from the "
            "linear trend of monthly reports and from pending agreements, as OMB Circular A-11 section 51.1 asks."
        ]
    )

    sheet = book.create_sheet("Plan")
    sheet.append([label for label, _ in PLAN_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in plan.rows:
        data = row.as_dict()
        sheet.append([_safe(data[key]) for _, key in PLAN_COLUMNS])
    sheet.freeze_panes = "A2"

    positions = book.create_sheet("Justification")
    positions.append(["Fiscal year", "Field office", "Position", "Cost (USD)", "Workload justification"])
    for cell in positions[1]:
        cell.font = Font(bold=True)
    for row in plan.rows:
        if row.key is None:
            continue
        for n in range(1, row.positions_requested + 1):
            positions.append(
                [row.fiscal_year, _safe(row.name), n, int(plan.cost_per_position), _safe(justification(plan, row, n))]
            )
    positions.freeze_panes = "A2"

    trend = book.create_sheet("Monthly cases")
    trend.append(["Field office", "Month", "Charging documents prepared"])
    for cell in trend[1]:
        cell.font = Font(bold=True)
    for row in plan.rows:
        if row.fiscal_year == plan.fiscal_years[0] and row.key:
            for month, total in row.monthly:
                trend.append([_safe(row.name), month, total])
    return book


def plan_workbook_response(plan: Plan) -> HttpResponse:
    buffer = io.BytesIO()
    plan_workbook(plan).save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="staffing-plan-FY{plan.fiscal_years[0]}.xlsx"'
    return response


def plan_csv_response(plan: Plan) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([label for label, _ in PLAN_COLUMNS])
    for row in plan.rows:
        data = row.as_dict()
        writer.writerow([_safe(data[key]) for _, key in PLAN_COLUMNS])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="staffing-plan-FY{plan.fiscal_years[0]}.csv"'
    return response
