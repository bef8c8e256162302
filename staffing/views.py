"""Pages of the staffing app: organisation, manager load, one manager (with the forms for
absences, other duties and reporting lines), field office staffing, the staffing plan,
the coverage calendar, the workload import, the staffing model, handover."""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from agreements.choices import AgreementStatus
from agreements.models import Agency, FieldOffice
from portal import access, dates, jobs
from portal.forms import ServiceFormView, submit
from portal.history import entries as history_entries
from portal.history import merged
from portal.models import StaffProfile
from portal.roles import Role, field_office_id_of
from portal.tables import Column, Table, display
from portal.views import uswds_form

from . import figures as staffing_figures
from . import services
from .choices import ReportingLineKind
from .forms import (
    AbsenceForm,
    HandoverForm,
    OtherDutyForm,
    PlanWhatIfForm,
    ReportingLineForm,
    StaffingModelForm,
    WorkloadImportForm,
)
from .models import Absence, Assignment, OtherDuty, ReportingLine, StaffingModel, WorkloadReport
from .selectors import coverage, current_lines, missing_lines, other_duty_percent_by_manager


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _load_percent(load) -> str:
    return "" if load.load_percent is None else f"{load.load_percent}%"


def _against_model(load) -> str:
    text = "Far above" if load.load is None or load.load > 1.5 else "Above" if load.load > 1 else "Within"
    return text + (f" ({load.bound_by}-bound)" if load.bound_by else "")


#: The organisation page's table (page and exports).
ORGANISATION_COLUMNS = [
    Column("Program manager", lambda r: _person(r["profile"].user)),
    Column("Field office", lambda r: r["profile"].field_office.name if r["profile"].field_office else ""),
    Column("Program supervisor", lambda r: _person(r["program"].supervisor) if r["program"] else "Missing"),
    Column("Program supervisor since", lambda r: r["program"].starts_on if r["program"] else None, export_only=True),
    Column(
        "Administrative supervisor",
        lambda r: _person(r["administrative"].supervisor) if r["administrative"] else "Missing",
    ),
    Column(
        "Administrative supervisor since",
        lambda r: r["administrative"].starts_on if r["administrative"] else None,
        export_only=True,
    ),
    Column("Other duties (%)", lambda r: r["other_duty"], numeric=True),
    Column("Status", lambda r: "; ".join(r["missing"]) if r["missing"] else "Both lines set"),
]

#: The manager load page's table.
#: The workload of a manager's or an office's load (``staffing.figures.Load``).
WORKLOAD_COLUMNS = [
    Column("Agencies", "agencies", numeric=True),
    Column("Certified officers", "officers", numeric=True),
    Column("Cases per fiscal year (model)", lambda m: round(m.annual_cases), numeric=True),
    Column("Current fiscal year, annualised", lambda m: round(m.cases_current_fy), numeric=True),
    Column("Last full fiscal year", lambda m: round(m.cases_last_fy), numeric=True),
    Column("Area (sq mi)", "area_sq_mi", numeric=True),
]

MANAGER_LOAD_COLUMNS = [
    Column("Program manager", "name"),
    Column("Field office", "field_office_name"),
    *WORKLOAD_COLUMNS,
    Column("States", lambda m: ", ".join(m.states)),
    Column("Travel circuit (miles)", lambda m: None if m.travel_miles is None else round(m.travel_miles), numeric=True),
    Column("Required PMs", lambda m: round(m.required, 2), numeric=True),
    Column("287(g) time", lambda m: round(m.assigned, 2), numeric=True),
    Column("Load", _load_percent, numeric=True),
    Column("Against the model", _against_model),
]

#: The field office staffing page's table (the offices, then the nation's row for HQ).
OFFICE_STAFFING_COLUMNS = [
    Column("Field office", "name"),
    *WORKLOAD_COLUMNS,
    Column("Required PMs", lambda o: round(o.required, 1), numeric=True),
    Column("Assigned PMs", lambda o: round(o.assigned, 1), numeric=True),
    Column("Load", _load_percent, numeric=True),
    Column("Gap", lambda o: round(o.gap, 1), numeric=True),
]

#: The coverage calendar's table: one row a day.
COVERAGE_COLUMNS = [
    Column("Day", "day"),
    Column("Gaps: nobody able to sign", lambda d: "; ".join(a.name for a in d["gaps"])),
    Column("Covered by the backup", lambda d: "; ".join(f"{a.name} ({who})" for a, who in d["backup"])),
]


class OrganisationView(LoginRequiredMixin, View):
    """Who reports to whom: each field program manager's program and administrative
    supervisors side by side, with the managers missing either line flagged."""

    def get(self, request):
        access.require(request.user, "view", StaffProfile)
        today = dates.today()
        profiles = list(
            StaffProfile.objects.restrict(request.user, "view")
            .filter(role=Role.FIELD_PM, user__is_active=True)
            .select_related("user", "field_office")
            .order_by("field_office__name", "user__last_name")
        )
        ids = [p.user_id for p in profiles]
        openable = set(
            access.restrict(
                get_user_model().objects.filter(pk__in=ids), request.user, "view", target="staffing.ProgramManager"
            ).values_list("pk", flat=True)
        )
        lines = current_lines(ids, today)
        shares = other_duty_percent_by_manager(ids, today)
        rows = []
        for p in profiles:
            mine = lines.get(p.user_id, {})
            rows.append(
                {
                    "profile": p,
                    "program": mine.get("program"),
                    "administrative": mine.get("administrative"),
                    "missing": missing_lines(mine),
                    "other_duty": shares.get(p.user_id, 0),
                    # A field PM sees the office's lines but opens only their own page.
                    "linked": p.user_id in openable,
                }
            )
        rows.sort(
            key=lambda r: (
                not r["missing"],
                r["profile"].field_office.name if r["profile"].field_office else "",
                r["profile"].user.last_name,
            )
        )
        table = Table(ORGANISATION_COLUMNS, rows, target=StaffProfile, name="organisation", title="Reporting lines")
        if (export := table.export(request)) is not None:
            return export
        return render(
            request,
            "staffing/organisation.html",
            {
                "title": "Organisation: reporting lines",
                "today": today,
                "missing_count": sum(1 for r in rows if r["missing"]),
                "may_set_lines": access.may(request.user, "add", ReportingLine),
                **table.page(request),
            },
        )


class ManagerLoadView(LoginRequiredMixin, View):
    """Each program manager's load against the staffing model, the over-loaded on top."""

    def get(self, request):
        access.require(request.user, "view", "staffing.figures")
        computed = staffing_figures.compute()
        seen = staffing_figures.visible_figures(request.user, computed)
        office = request.GET.get("field_office")
        managers = seen["managers"]
        if office and office.isdecimal():
            managers = [m for m in managers if m.field_office_id == int(office)]
        table = Table(
            MANAGER_LOAD_COLUMNS, managers, target="staffing.figures", name="manager-load", title="Program manager load"
        )
        if (export := table.export(request)) is not None:
            return export
        return render(
            request,
            "staffing/manager_load.html",
            {
                "title": "Program manager load",
                "managers": managers,
                "model": computed.model,
                "day": computed.day,
                "over_count": sum(1 for m in managers if m.load is None or m.load > 1),
                **table.page(request),
            },
        )


class OfficeStaffingView(LoginRequiredMixin, View):
    """Required against assigned program managers per field office, and nationally (HQ)."""

    def get(self, request):
        access.require(request.user, "view", "staffing.plan")
        computed = staffing_figures.compute()
        seen = staffing_figures.visible_figures(request.user, computed)
        rows = list(seen["offices"]) + ([seen["nation"]] if seen["nation"] else [])
        table = Table(
            OFFICE_STAFFING_COLUMNS,
            rows,
            target="staffing.plan",
            name="field-office-staffing",
            title="Field office staffing",
        )
        if (export := table.export(request)) is not None:
            return export
        return render(
            request,
            "staffing/office_staffing.html",
            {"title": "Field office staffing", "model": computed.model, "day": computed.day, **table.page(request)},
        )


class StaffingPlanView(LoginRequiredMixin, View):
    """The staffing plan for the next fiscal years, with what-ifs, exported as an Excel
    workbook that justifies each requested position by workload (OMB Circular A-11
    section 51.1) or as CSV."""

    def get(self, request):
        access.require(request.user, "view", "staffing.plan")
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
        return render(
            request,
            "staffing/plan.html",
            {
                "title": "Staffing plan",
                "form": form,
                "plan": plan,
                "querystring": params.urlencode(),
                "years": [
                    {"fy": fy, "offices": plan.office_rows(fy), "nation": plan.nation_row(fy)}
                    for fy in plan.fiscal_years
                ],
            },
        )


class CoverageView(LoginRequiredMixin, View):
    """Who can sign for each agency of a field office, day by day for a month, and the
    gaps where nobody can (primary absent and backup absent or missing)."""

    def get(self, request):
        access.require(request.user, "view", Assignment)
        # Whoever sees every agency chooses the office; the others see their own.
        national = access.scopes(request.user, "view", Agency) == (access.ALL,)
        offices = list(FieldOffice.objects.order_by("name")) if national else []
        office_id = field_office_id_of(request.user)
        if national:
            chosen = request.GET.get("office")
            office_id = int(chosen) if chosen and chosen.isdecimal() else (offices[0].pk if offices else None)
            # Default to the first office with agencies, so the page opens on something useful.
            if not chosen:
                with_agencies = (
                    Agency.objects.values_list("field_office_id", flat=True).order_by("field_office__name").first()
                )
                office_id = with_agencies or office_id
        today = dates.today()
        try:
            year, month = (int(x) for x in request.GET.get("month", "").split("-"))
            first = dt.date(year, month, 1)
        except ValueError:
            first = today.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        agencies = list(
            Agency.objects.visible_to(request.user)
            .filter(field_office_id=office_id)
            .filter(agreements__status=AgreementStatus.SIGNED)
            .distinct()
            .order_by("name")
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
        table = Table(COVERAGE_COLUMNS, days, target=Assignment, name="coverage", title="Signature coverage")
        if (export := table.export(request)) is not None:
            return export
        prev_month = (first - dt.timedelta(days=1)).replace(day=1)
        next_month = last + dt.timedelta(days=1)
        return render(
            request,
            "staffing/coverage.html",
            {
                "title": "Signature coverage",
                "offices": offices,
                "office_id": office_id,
                "office": FieldOffice.objects.filter(pk=office_id).first(),
                "first": first,
                **table.page(request),
                "agency_count": len(agencies),
                "gap_days": sum(1 for d in days if d["gaps"]),
                "prev_month": prev_month.strftime("%Y-%m"),
                "next_month": next_month.strftime("%Y-%m"),
            },
        )


class WorkloadImportView(LoginRequiredMixin, View):
    """Upload a CSV file of monthly workload reports (field PMs for their assigned agencies,
    HQ for all). The import runs as a job (``portal.jobs``); its report comes back here
    (``?job=<id>``)."""

    title = "Import workload reports"

    def _page(self, request, form, result=None, status=200):
        context = {"title": self.title, "form": uswds_form(form), "result": result}
        return render(request, "staffing/workload_import.html", context, status=status)

    def get(self, request):
        access.require(request.user, "import", WorkloadReport)
        result = None
        job_id = request.GET.get("job", "")
        if job_id.isdecimal():
            from portal.models import Job

            job = access.get_or_404(Job.objects.defer("input", "output"), request.user, pk=int(job_id))
            result = job.result if job.kind == "staffing.workload_import" and job.status == Job.Status.DONE else None
        return self._page(request, WorkloadImportForm(), result)

    def post(self, request):
        access.require(request.user, "import", WorkloadReport)
        form = WorkloadImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, form, status=400)
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", "The file is not UTF-8 text.")
            return self._page(request, form, status=400)
        job = jobs.start(
            "staffing.workload_import",
            user=request.user,
            params={"apply_valid": form.cleaned_data["apply_valid"]},
            content=content,
            input_name=upload.name,
            title=f"Importing workload reports from {upload.name}",
            back_url=request.path,
        )
        return jobs.follow(job, form, lambda: self._page(request, form, status=400))


class StaffingModelView(LoginRequiredMixin, View):
    """The staffing model's parameters: everyone on staff reads them, the Unit Chief changes them."""

    def get(self, request):
        access.require(request.user, "view", StaffingModel)
        model = StaffingModel.current()
        return render(
            request,
            "staffing/model.html",
            {
                "title": "Staffing model",
                "model": model,
                "may_edit": access.may(request.user, "change", model),
                "form": uswds_form(StaffingModelForm(instance=model)),
            },
        )

    def post(self, request):
        access.require(request.user, "change", StaffingModel)
        model = StaffingModel.current()
        form = StaffingModelForm(request.POST, instance=model)
        done = submit(
            form,
            lambda data: services.staffing_model_update(
                acting_user=request.user, **{name: data[name] for name in form.fields}
            ),
        )
        if done:
            messages.success(request, "Staffing model saved.")
            return redirect("staffing:model")
        return render(
            request,
            "staffing/model.html",
            {"title": "Staffing model", "model": StaffingModel.current(), "may_edit": True, "form": uswds_form(form)},
            status=done.status,
        )


class HandoverView(ServiceFormView):
    """Hand over every agency of a leaving or moving program manager in one step (HQ)."""

    form_class = HandoverForm
    template_name = "staffing/handover.html"

    def allowed(self) -> bool:
        access.require(self.request.user, "handover", Assignment)
        return True

    def get_context_data(self, form) -> dict:
        return {"title": "Hand over a manager's agencies", "form": uswds_form(form)}

    def perform(self, form_data) -> str:
        result = services.assignments_hand_over(acting_user=self.request.user, **form_data)
        return f"Handed over: {result['ended']} assignments ended, {result['created']} created."

    def get_success_url(self) -> str:
        return reverse("staffing:organisation")


# --- one program manager ----------------------------------------------------------------


def visible_manager(user, user_id: int):
    """The field program manager ``user_id`` if ``user`` may see them, else not found:
    HQ sees every manager, a Field Office Director the managers of their office, a
    field program manager only themselves."""
    return access.get_or_404(
        get_user_model()
        .objects.select_related("staff_profile__field_office")
        .filter(staff_profile__role=Role.FIELD_PM),
        user,
        target="staffing.ProgramManager",
        pk=user_id,
    )


def may_record_for(user, manager) -> bool:
    """Whether ``user`` records absences and other duties of ``manager`` (HQ writers, the
    Field Office Director of the manager's office)."""
    return access.may(user, "add", Absence(manager=manager))


class ManagerView(LoginRequiredMixin, View):
    """One program manager: assignments, both reporting lines, other duties, absences,
    load against the staffing model and the history of these records, with the forms
    to record absences and other duties (HQ writers, the office's director) and to set
    reporting lines (HQ writers)."""

    template_name = "staffing/manager.html"

    def get(self, request, user_id):
        manager = visible_manager(request.user, user_id)
        return self.render_page(request, manager)

    def forms_for(self, request, manager, bound=None):
        """The page's forms, unbound except the one just posted (``bound``: name → form)."""
        bound = bound or {}
        result = {}
        if may_record_for(request.user, manager):
            result["absence_form"] = bound.get("absence_form") or AbsenceForm(prefix="absence")
            result["duty_form"] = bound.get("duty_form") or OtherDutyForm(prefix="duty")
        if access.may(request.user, "add", ReportingLine(manager=manager)):
            for kind in (ReportingLineKind.PROGRAM, ReportingLineKind.ADMINISTRATIVE):
                name = f"{kind}_form"
                result[name] = bound.get(name) or ReportingLineForm(kind=kind, manager=manager)
        for form in result.values():
            uswds_form(form, describe=True)
        return result

    def render_page(self, request, manager, bound=None, status=200):
        today = dates.today()
        user = request.user
        assignments = list(
            Assignment.objects.visible_to(user)
            .filter(program_manager=manager)
            .select_related("agency")
            .order_by("-starts_on", "agency__name")
        )
        lines = list(
            ReportingLine.objects.visible_to(user)
            .filter(manager=manager)
            .select_related("supervisor__staff_profile__field_office")
            .order_by("kind", "-starts_on")
        )
        duties = list(OtherDuty.objects.visible_to(user).filter(manager=manager).order_by("-starts_on"))
        absences = list(Absence.objects.visible_to(user).filter(manager=manager).order_by("starts_on"))
        current_by_kind = current_lines([manager.pk], today).get(manager.pk, {})
        computed = staffing_figures.compute(day=today)
        load = next(
            (m for m in staffing_figures.visible_figures(user, computed)["managers"] if m.key == manager.pk), None
        )
        people = {
            u.pk: u.get_full_name() or u.username
            for u in get_user_model().objects.filter(
                pk__in=ReportingLine.history.filter(manager=manager).values("supervisor_id")
            )
        }
        history = merged(
            history_entries(
                Assignment.history.filter(id__in=[a.pk for a in assignments]).select_related("agency"),
                lambda r: f"Assignment: {r.agency.name if r.agency else ''} ({r.get_kind_display()})",
            ),
            history_entries(
                ReportingLine.history.filter(manager=manager),
                lambda r: f"{r.get_kind_display().split(' (')[0]} line to {people.get(r.supervisor_id, '')}",
            ),
            history_entries(
                OtherDuty.history.filter(manager=manager), lambda r: f"Other duty: {r.share_percent}% {r.description}"
            ),
            history_entries(
                Absence.history.filter(manager=manager),
                lambda r: f"Absence: {r.get_kind_display()} {display(r.starts_on)}–{display(r.ends_on)}",
            ),
        )
        name = manager.get_full_name() or manager.username
        context = {
            "title": f"Program manager: {name}",
            "manager": manager,
            "name": name,
            "today": today,
            "current_assignments": [a for a in assignments if a.ends_on is None or a.ends_on >= today],
            "past_assignments": [a for a in assignments if a.ends_on is not None and a.ends_on < today],
            "lines": [{"line": line, "current": current_by_kind.get(line.kind) == line} for line in lines],
            "missing": missing_lines(current_by_kind),
            "duties": [
                {"duty": d, "current": d.starts_on <= today and (d.ends_on is None or d.ends_on >= today)}
                for d in duties
            ],
            "upcoming_absences": [a for a in absences if a.ends_on >= today],
            "past_absences": sorted(
                (a for a in absences if a.ends_on < today), key=lambda a: a.starts_on, reverse=True
            ),
            "load": load,
            "model": computed.model,
            "history": history,
            "may_record": may_record_for(user, manager),
            "may_set_lines": access.may(user, "add", ReportingLine(manager=manager)),
        }
        context.update(self.forms_for(request, manager, bound))
        if context["may_set_lines"]:
            context["line_forms"] = [
                (context["program_form"], "Set the program supervisor", ReportingLineKind.PROGRAM.value),
                (
                    context["administrative_form"],
                    "Set the administrative supervisor",
                    ReportingLineKind.ADMINISTRATIVE.value,
                ),
            ]
        return render(request, self.template_name, context, status=status)


class ManagerFormView(ManagerView):
    """Base of the manager page's POST endpoints: the manager must be in scope (else not
    found), the role allowed to act (else 403); a valid form goes to the service and back
    to the page with a message (POST-redirect-GET), a wrong one re-renders the page with
    the messages next to the fields (``portal.forms.submit``) and status 400 (403 for a refusal to the role)."""

    form_name = ""

    def allowed(self, user, manager) -> bool:
        return may_record_for(user, manager)

    def make_form(self, request, manager):
        raise NotImplementedError

    def save(self, request, manager, form) -> str:
        raise NotImplementedError

    def get(self, request, user_id, **kwargs):
        return redirect("staffing:manager", user_id=user_id)

    def post(self, request, user_id, **kwargs):
        manager = visible_manager(request.user, user_id)
        if not self.allowed(request.user, manager):
            raise PermissionDenied
        form = self.make_form(request, manager)
        done = submit(form, lambda data: self.save(request, manager, form, **kwargs))
        if done:
            messages.success(request, done.result)
            return redirect("staffing:manager", user_id=manager.pk)
        return self.render_page(request, manager, bound={self.form_name: form}, status=done.status)


class AbsenceCreateView(ManagerFormView):
    form_name = "absence_form"

    def make_form(self, request, manager):
        return AbsenceForm(request.POST, prefix="absence")

    def save(self, request, manager, form):
        absence = services.absence_save(acting_user=request.user, manager=manager, **form.cleaned_data)
        return f"{absence.get_kind_display()} recorded from {display(absence.starts_on)} to {display(absence.ends_on)}."


class OtherDutyCreateView(ManagerFormView):
    form_name = "duty_form"

    def make_form(self, request, manager):
        return OtherDutyForm(request.POST, prefix="duty")

    def save(self, request, manager, form):
        duty = services.other_duty_save(acting_user=request.user, manager=manager, **form.cleaned_data)
        return f"Other duty recorded: {duty.share_percent}% {duty.description}."


class ReportingLineSetView(ManagerFormView):
    def allowed(self, user, manager) -> bool:
        return access.may(user, "add", ReportingLine(manager=manager))

    def post(self, request, user_id, kind):
        if kind not in ReportingLineKind.values:
            raise Http404
        self.form_name = f"{kind}_form"
        return super().post(request, user_id, kind=kind)

    def make_form(self, request, manager):
        return ReportingLineForm(request.POST, kind=self.form_name.removesuffix("_form"), manager=manager)

    def save(self, request, manager, form, kind):
        line = services.reporting_line_set(acting_user=request.user, manager=manager, kind=kind, **form.cleaned_data)
        return f"{line.get_kind_display().split(' (')[0]} line set: {line.supervisor.get_full_name() or line.supervisor.username} from {display(line.starts_on)}."


class AbsenceEndView(ManagerFormView):
    """End an absence in progress today, or cancel one not yet begun."""

    def post(self, request, user_id, absence_id):
        manager = visible_manager(request.user, user_id)
        absence = access.get_or_404(Absence.objects.filter(manager=manager), request.user, "change", pk=absence_id)
        try:
            outcome = services.absence_end_or_cancel(acting_user=request.user, absence=absence, today=dates.today())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("staffing:manager", user_id=manager.pk)
        messages.success(request, "Absence cancelled." if outcome == "cancelled" else "Absence ended today.")
        return redirect("staffing:manager", user_id=manager.pk)
