"""ICE's staffing model against hand-computed cases, and the staffing plan's projection."""

import datetime as dt
from decimal import Decimal

import pytest

from agreements.choices import AgreementStatus
from agreements.tests.factories import AgreementFactory
from staffing import figures
from staffing.tests.conftest import TODAY, months_back
from staffing.tests.factories import OtherDutyFactory, WorkloadReportFactory

pytestmark = pytest.mark.django_db


def by_key(loads):
    return {load.key: load for load in loads}


def test_officer_bound_manager_needs_officers_over_twelve(world, people, officers, frozen):
    # given 30 certified officers and 1,200 cases a year at the pm's agency
    officers[world["mine"].pk] = 30
    for month in months_back(12):
        WorkloadReportFactory(agency=world["mine"], month=month, charging_documents_prepared=100)
    # when
    pm = by_key(figures.compute(TODAY).managers)[people["pm"].pk]
    # then 30/12 = 2.5 PMs against 1,200/2,000 = 0.6: officer-bound, load 250%
    assert pm.required == pytest.approx(2.5)
    assert pm.bound_by == "officers"
    assert pm.assigned == 1.0
    assert pm.load_percent == 250
    assert pm.gap == pytest.approx(1.5)


def test_case_bound_manager_needs_cases_over_two_thousand(world, people, officers, frozen):
    officers[world["houston_other"].pk] = 6
    for month in months_back(12):
        WorkloadReportFactory(agency=world["houston_other"], month=month, charging_documents_prepared=250)
    pm = by_key(figures.compute(TODAY).managers)[people["pm_other"].pk]
    # 3,000 cases / 2,000 = 1.5 against 6 / 12 = 0.5
    assert pm.annual_cases == 3000
    assert pm.required == pytest.approx(1.5)
    assert pm.bound_by == "cases"
    assert pm.load_percent == 150


def test_fewer_months_reported_are_extrapolated_to_a_year(world, people, officers, frozen):
    for month in months_back(6):
        WorkloadReportFactory(agency=world["mine"], month=month, charging_documents_prepared=100)
    WorkloadReportFactory(agency=world["mine"], month=TODAY.replace(day=1), charging_documents_prepared=999)
    pm = by_key(figures.compute(TODAY).managers)[people["pm"].pk]
    assert pm.annual_cases == pytest.approx(1200)  # 600 over 6 months × 12/6; the current month is not counted


def test_other_duties_reduce_assigned_time_and_absences_do_not(world, people, officers, frozen):
    from staffing.tests.factories import AbsenceFactory

    officers[world["mine"].pk] = 12
    OtherDutyFactory(manager=people["pm"], share_percent=40)
    OtherDutyFactory(manager=people["pm"], share_percent=10, starts_on=dt.date(2018, 1, 1))
    OtherDutyFactory(
        manager=people["pm"], share_percent=30, starts_on=dt.date(2016, 1, 1), ends_on=dt.date(2016, 12, 31)
    )
    AbsenceFactory(manager=people["pm"], starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=5))
    computed = figures.compute(TODAY)
    pm = by_key(computed.managers)[people["pm"].pk]
    assert pm.assigned == pytest.approx(0.5)  # 1 - (40% + 10%); the ended duty and the absence count nothing
    assert pm.load_percent == 200  # 1 PM required / 0.5
    houston = next(o for o in computed.offices if o.name == "Houston")
    assert houston.assigned == pytest.approx(1.5)  # pm 0.5 + pm_other 1.0
    assert houston.required == pytest.approx(1.0)


def test_office_and_nation_take_the_larger_bound_of_their_totals(world, people, officers, frozen):
    officers.update({world["mine"].pk: 30, world["houston_other"].pk: 6, world["miami"].pk: 12})
    for month in months_back(12):
        WorkloadReportFactory(agency=world["houston_other"], month=month, charging_documents_prepared=250)
    computed = figures.compute(TODAY)
    houston = next(o for o in computed.offices if o.name == "Houston")
    assert (houston.officers, houston.annual_cases) == (36, 3000)
    assert houston.required == pytest.approx(3.0)  # max(36/12, 3000/2000)
    assert houston.gap == pytest.approx(1.0)  # two PMs in Houston
    assert computed.nation.required == pytest.approx(4.0)  # max(48/12, 3000/2000)
    assert computed.nation.assigned == pytest.approx(3.0)


def test_geography_area_states_and_round_trip_travel(world, people, officers, frozen):
    from agreements.tests.factories import AgencyFactory
    from staffing.tests.factories import AssignmentFactory

    mine = world["mine"]
    mine.area_sq_mi, mine.latitude, mine.longitude = 1700, Decimal("29.76"), Decimal("-95.36")
    mine.save()
    far = AgencyFactory(state="LA", area_sq_mi=800, latitude=Decimal("30.45"), longitude=Decimal("-91.19"))
    AgreementFactory(agency=far)
    AssignmentFactory(agency=far, program_manager=people["pm"])
    pm = by_key(figures.compute(TODAY).managers)[people["pm"].pk]
    leg = figures.haversine_miles((29.76, -95.36), (30.45, -91.19))
    assert 245 < leg < 255  # Houston to Baton Rouge
    assert (pm.agencies, pm.area_sq_mi, pm.states) == (2, 2500, ["LA", "TX"])
    assert pm.travel_miles == pytest.approx(2 * leg)


def test_nearest_neighbour_tour_visits_closest_first():
    points = [(0.0, 0.0), (0.0, 2.0), (0.0, 1.0)]
    one_degree = figures.haversine_miles((0, 0), (0, 1))
    assert figures.tour_miles(points) == pytest.approx(4 * one_degree)


def test_plan_projects_linear_trend_and_pending_agreements(world, people, officers, frozen):
    # given 24 months of Houston cases rising by 10 a month: 100, 110, ... 330
    for i, month in enumerate(months_back(24)):
        WorkloadReportFactory(agency=world["mine"], month=month, charging_documents_prepared=100 + 10 * i)
    officers[world["mine"].pk] = 30
    AgreementFactory(
        agency=world["houston_other"], program_model="tfm", status=AgreementStatus.UNDER_REVIEW, signed_on=None
    )
    # when
    plan = figures.staffing_plan(day=TODAY)
    houston = next(r for r in plan.office_rows(2019) if r.name == "Houston")
    # then FY2019 (Oct 2018 = month 31 of the series: 410 ... Sep 2019: 520) sums to 5,580
    assert plan.fiscal_years == [2019]
    assert houston.trend_cases == pytest.approx(5580)
    # the national averages per signed agreement: 30 officers / 3 and cases per fiscal year / 3,
    # FY2018 annualised from October to February (290 ... 330 = 1,550 x 12 / 5 = 3,720)
    assert plan.avg_officers_per_agreement == pytest.approx(10)
    assert plan.avg_cases_per_agreement == pytest.approx(1240)
    assert houston.pending_agreements == 1
    assert houston.projected_officers == pytest.approx(40)
    assert houston.projected_cases == pytest.approx(6820)
    assert houston.required == pytest.approx(3.41)
    assert houston.bound_by == "cases"
    assert houston.assigned == pytest.approx(2.0)
    assert houston.positions_requested == 2
    assert houston.cost == Decimal(330000)
    nation = plan.nation_row(2019)
    assert nation.positions_requested == 2 + sum(
        r.positions_requested for r in plan.office_rows(2019) if r.name != "Houston"
    )


def test_plan_what_ifs_change_ratio_and_add_agreements(world, people, officers, frozen):
    officers[world["mine"].pk] = 30
    base = figures.staffing_plan(day=TODAY)
    more = figures.staffing_plan(day=TODAY, extra_agreements=6, officers_per_pm=10)
    extra_row = next(r for r in more.office_rows(2019) if r.key == 0)
    assert extra_row.projected_officers == pytest.approx(60)  # 6 × 10 officers per signed agreement
    assert extra_row.required == pytest.approx(6)  # 60 / 10
    assert more.nation_row(2019).positions_requested > base.nation_row(2019).positions_requested
    houston_only = figures.staffing_plan(day=TODAY, office_ids=[world["mine"].field_office_id], extra_agreements=6)
    assert [r.extra_agreements for r in houston_only.office_rows(2019)] == [6]


def test_cases_per_fiscal_year_annualise_the_current_year_and_show_the_last_full_one(world, people, officers, frozen):
    # given FY2017 (Oct 2016 - Sep 2017) fully reported at 200 a month, and FY2018's
    # October to February at 300 a month; TODAY is 2018-03-15, so March is not complete
    for month in months_back(17):
        WorkloadReportFactory(
            agency=world["houston_other"],
            month=month,
            charging_documents_prepared=300 if month >= dt.date(2017, 10, 1) else 200,
        )
    WorkloadReportFactory(agency=world["houston_other"], month=dt.date(2018, 3, 1), charging_documents_prepared=5000)
    # when
    cases = figures.fiscal_cases_by_agency(TODAY)[world["houston_other"].pk]
    pm = by_key(figures.compute(TODAY).managers)[people["pm_other"].pk]
    # then the current FY is 1,500 over 5 months x 12/5 = 3,600; the last full FY 12 x 200 = 2,400
    assert (cases.current_fy_months, cases.current_fy_annualised) == (5, pytest.approx(3600))
    assert (cases.last_fy_months, cases.last_fy) == (12, pytest.approx(2400))
    assert pm.annual_cases == pytest.approx(3600) and pm.cases_last_fy == pytest.approx(2400)
    assert pm.required == pytest.approx(1.8)  # 3,600 / 2,000 per fiscal year


def test_on_the_first_day_of_a_fiscal_year_the_last_full_year_is_the_model_figure(world, people, officers):
    import time_machine

    for month in [dt.date(2017, 1, 1), dt.date(2017, 9, 1)]:
        WorkloadReportFactory(agency=world["houston_other"], month=month, charging_documents_prepared=100)
    for day, expected in [(dt.date(2017, 9, 30), None), (dt.date(2017, 10, 1), 0)]:
        with time_machine.travel(dt.datetime.combine(day, dt.time(15)), tick=False):
            cases = figures.fiscal_cases_by_agency(day)[world["houston_other"].pk]
        if expected is None:
            # 30 September: still FY2017, January reported and September not complete: 100 x 12 / 1
            assert cases.current_fy_annualised == pytest.approx(1200) and cases.annual == pytest.approx(1200)
        else:
            # 1 October: FY2018 has no full month yet; the last full FY (2 months reported) counts
            assert cases.current_fy_annualised is None and cases.current_fy_months == 0
            assert cases.last_fy == pytest.approx(1200) and cases.annual == pytest.approx(1200)


def test_staffing_figures_api_shows_both_fiscal_year_figures(api, world, people, officers, frozen):
    for month in months_back(6):
        WorkloadReportFactory(agency=world["mine"], month=month, charging_documents_prepared=100)
    rows = api(people["chief"]).get("/api/v1/staffing-figures/", {"level": "manager"}).json()["results"]
    row = next(r for r in rows if r["id"] == people["pm"].pk)
    # Oct-Feb of FY2018 at 100: 500 x 12 / 5; FY2017 reported only September: 100 x 12 / 1
    assert (row["annual_cases"], row["cases_current_fy_annualised"], row["cases_last_fy"]) == (1200, 1200, 1200)
