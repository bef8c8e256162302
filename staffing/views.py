"""Pages of the staffing app: organisation, manager load, field office staffing, the
staffing plan, the coverage calendar, the workload import, the staffing model, handover."""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views import View

from agreements.choices import AgreementStatus
from agreements.models import Agency, FieldOffice
from portal import dates
from portal.models import StaffProfile
from portal.roles import HQ_ROLES, HQ_WRITERS, SETTINGS_WRITERS, Role, field_office_id_of, role_of
from portal.views import uswds_form

from . import figures as staffing_figures
from . import services
from .forms import HandoverForm, PlanWhatIfForm, StaffingModelForm, WorkloadImportForm
from .importers import import_workload_csv
from .models import StaffingModel
from .selectors import coverage, current_lines, missing_lines, other_duty_percent_by_manager


def _require_role(user, roles):
    if role_of(user) not in roles:
        raise PermissionDenied


class OrganisationView(LoginRequiredMixin, View):
    """Who reports to whom: each field program manager's program and administrative
    supervisors side by side, with the managers missing either line flagged."""

    def get(self, request):
        today = dates.today()
        profiles = list(
            StaffProfile.objects.visible_to(request.user).filter(role=Role.FIELD_PM, user__is_active=True)
            .select_related("user", "field_office").order_by("field_office__name", "user__last_name")
        )
        ids = [p.user_id for p in profiles]
        lines = current_lines(ids, today)
        shares = other_duty_percent_by_manager(ids, today)
        rows = []
        for p in profiles:
            mine = lines.get(p.user_id, {})
            rows.append({"profile": p, "program": mine.get("program"), "administrative": mine.get("administrative"),
                         "missing": missing_lines(mine), "other_duty": shares.get(p.user_id, 0)})
        rows.sort(key=lambda r: (not r["missing"], r["profile"].field_office.name if r["profile"].field_office else "",
                                 r["profile"].user.last_name))
        return render(request, "staffing/organisation.html", {
            "title": "Organisation: reporting lines", "rows": rows, "today": today,
            "missing_count": sum(1 for r in rows if r["missing"]),
        })


class ManagerLoadView(LoginRequiredMixin, View):
    """Each program manager's load against the staffing model, the over-loaded on top."""

    def get(self, request):
        computed = staffing_figures.compute()
        seen = staffing_figures.visible_figures(request.user, computed)
        office = request.GET.get("field_office")
        managers = seen["managers"]
        if office and office.isdigit():
            managers = [m for m in managers if m.field_office_id == int(office)]
        return render(request, "staffing/manager_load.html", {
            "title": "Program manager load", "managers": managers, "model": computed.model, "day": computed.day,
            "over_count": sum(1 for m in managers if m.load is None or m.load > 1),
        })


class OfficeStaffingView(LoginRequiredMixin, View):
    """Required against assigned program managers per field office, and nationally (HQ)."""

    def get(self, request):
        _require_role(request.user, HQ_ROLES | {Role.FIELD_OFFICE_DIRECTOR})
        computed = staffing_figures.compute()
        seen = staffing_figures.visible_figures(request.user, computed)
        return render(request, "staffing/office_staffing.html", {
            "title": "Field office staffing", "offices": seen["offices"], "nation": seen["nation"],
            "model": computed.model, "day": computed.day,
        })


class StaffingPlanView(LoginRequiredMixin, View):
    """The staffing plan for the next fiscal years, with what-ifs, exported as an Excel
    workbook that justifies each requested position by workload (OMB Circular A-11
    section 51.1) or as CSV."""

    def get(self, request):
        _require_role(request.user, HQ_ROLES | {Role.FIELD_OFFICE_DIRECTOR})
        form = uswds_form(PlanWhatIfForm(request.GET or None))
        options = form.cleaned_data if form.is_bound and form.is_valid() else {}
        plan = staffing_figures.staffing_plan(
            office_ids=staffing_figures.plan_offices_for(request.user),
            years=options.get("years") or 1,
            extra_agreements=options.get("extra_agreements") or 0,
            officers_per_pm=options.get("officers_per_pm"),
            cases_per_pm_per_fy=options.get("cases_per_pm_per_fy"),
            cost_per_position=options.get("cost_per_position"),
        )
        export = request.GET.get("export")
        if export == "xlsx":
            from .exports import plan_workbook_response

            return plan_workbook_response(plan)
        if export == "csv":
            from .exports import plan_csv_response

            return plan_csv_response(plan)
        params = request.GET.copy()
        params.pop("export", None)
        return render(request, "staffing/plan.html", {
            "title": "Staffing plan", "form": form, "plan": plan, "querystring": params.urlencode(),
            "years": [{"fy": fy, "offices": plan.office_rows(fy), "nation": plan.nation_row(fy)} for fy in plan.fiscal_years],
        })


class CoverageView(LoginRequiredMixin, View):
    """Who can sign for each agency of a field office, day by day for a month, and the
    gaps where nobody can (primary absent and backup absent or missing)."""

    def get(self, request):
        role = role_of(request.user)
        if role is None:
            raise PermissionDenied
        offices = list(FieldOffice.objects.order_by("name")) if role in HQ_ROLES else []
        office_id = field_office_id_of(request.user)
        if role in HQ_ROLES:
            chosen = request.GET.get("office")
            office_id = int(chosen) if chosen and chosen.isdigit() else (offices[0].pk if offices else None)
            # Default to the first office with agencies, so the page opens on something useful.
            if not chosen:
                with_agencies = Agency.objects.values_list("field_office_id", flat=True).order_by("field_office__name").first()
                office_id = with_agencies or office_id
        today = dates.today()
        try:
            year, month = (int(x) for x in request.GET.get("month", "").split("-"))
            first = dt.date(year, month, 1)
        except ValueError:
            first = today.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        agencies = list(
            Agency.objects.visible_to(request.user).filter(field_office_id=office_id)
            .filter(agreements__status=AgreementStatus.SIGNED).distinct().order_by("name")
        )
        cover = coverage([a.pk for a in agencies], first, last)

        signer_ids = {s for per_day in cover["agencies"].values() for d in per_day.values() for s in d["signers"]}
        signer_ids |= {d["primary"] for per_day in cover["agencies"].values() for d in per_day.values() if d["primary"]}
        users = {u.pk: u.get_full_name() or u.username for u in get_user_model().objects.filter(pk__in=signer_ids)}
        days = []
        for day in cover["days"]:
            gaps, backup_days = [], []
            for agency in agencies:
                state = cover["agencies"][agency.pk][day]
                if not state["signers"]:
                    gaps.append(agency)
                elif state["primary_absent"] or state["primary"] is None:
                    backup_days.append((agency, ", ".join(users.get(s, "") for s in state["signers"])))
            days.append({"day": day, "gaps": gaps, "backup": backup_days})
        prev_month = (first - dt.timedelta(days=1)).replace(day=1)
        next_month = last + dt.timedelta(days=1)
        return render(request, "staffing/coverage.html", {
            "title": "Signature coverage", "offices": offices, "office_id": office_id,
            "office": FieldOffice.objects.filter(pk=office_id).first(), "first": first, "days": days,
            "agency_count": len(agencies), "gap_days": sum(1 for d in days if d["gaps"]),
            "prev_month": prev_month.strftime("%Y-%m"), "next_month": next_month.strftime("%Y-%m"),
        })


class WorkloadImportView(LoginRequiredMixin, View):
    """Upload a CSV file of monthly workload reports (field PMs for their assigned agencies, HQ for all)."""

    roles = HQ_WRITERS | {Role.FIELD_PM}

    def get(self, request):
        _require_role(request.user, self.roles)
        return render(request, "staffing/workload_import.html", {"title": "Import workload reports",
                                                                 "form": uswds_form(WorkloadImportForm())})

    def post(self, request):
        _require_role(request.user, self.roles)
        form = uswds_form(WorkloadImportForm(request.POST, request.FILES))
        result = None
        if form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", "The file is not UTF-8 text.")
            else:
                result = import_workload_csv(text=text, acting_user=request.user,
                                             apply_valid=form.cleaned_data["apply_valid"])
        status = 200 if result is not None and result.applied else 400
        return render(request, "staffing/workload_import.html",
                      {"title": "Import workload reports", "form": uswds_form(form), "result": result}, status=status)


class StaffingModelView(LoginRequiredMixin, View):
    """The staffing model's parameters: everyone on staff reads them, the Unit Chief changes them."""

    def get(self, request):
        if role_of(request.user) is None:
            raise PermissionDenied
        model = StaffingModel.current()
        return render(request, "staffing/model.html", {
            "title": "Staffing model", "model": model, "may_edit": role_of(request.user) in SETTINGS_WRITERS,
            "form": uswds_form(StaffingModelForm(instance=model)),
        })

    def post(self, request):
        _require_role(request.user, SETTINGS_WRITERS)
        model = StaffingModel.current()
        form = StaffingModelForm(request.POST, instance=model)
        if form.is_valid():
            services.staffing_model_update(acting_user=request.user, **{
                name: form.cleaned_data[name] for name in form.fields})
            messages.success(request, "Staffing model saved.")
            return redirect("staffing:model")
        return render(request, "staffing/model.html", {"title": "Staffing model", "model": model, "may_edit": True,
                                                       "form": uswds_form(form)}, status=400)


class HandoverView(LoginRequiredMixin, View):
    """Hand over every agency of a leaving or moving program manager in one step (HQ)."""

    def get(self, request):
        _require_role(request.user, HQ_WRITERS)
        return render(request, "staffing/handover.html", {"title": "Hand over a manager's agencies",
                                                          "form": uswds_form(HandoverForm())})

    def post(self, request):
        _require_role(request.user, HQ_WRITERS)
        form = HandoverForm(request.POST)
        if form.is_valid():
            try:
                result = services.assignments_hand_over(acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, f"Handed over: {result['ended']} assignments ended, {result['created']} created.")
                return redirect("staffing:organisation")
        return render(request, "staffing/handover.html", {"title": "Hand over a manager's agencies",
                                                          "form": uswds_form(form)}, status=400)
