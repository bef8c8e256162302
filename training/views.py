"""Pages of the training app: officers and why each can or cannot act, the class
calendar, recertification progress, the capacity plan, and the upload pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from portal import access, dates, jobs, uploads
from portal.errors import TransitionNotAllowed
from portal.forms import submit
from portal.history import entries, merged
from portal.tables import Column, Table, display, xlsx_response
from portal.views import ScopedListView

from . import importers, selectors, services
from .choices import ClassStatus, EnrollmentStatus
from .filtersets import OfficerFilterSet
from .forms import CardLoginForm, ClassScheduleForm, EnrolForm, OfficerChangeForm, WaiverForm
from .models import AcademyClass, AcademySite, CardLogin, Completion, Enrollment, Officer


class OfficerListView(ScopedListView):
    model = Officer
    filterset_class = OfficerFilterSet
    title = "Officers"
    intro = (
        "Designated Immigration Officers of your agencies and whether each can act today: certified, "
        "recertified this fiscal year, security card in use, refresher not overdue."
    )
    export_name = "officers"
    default_sort = "last_name"
    template_name = "training/officer_list.html"
    columns = [
        Column("Officer", lambda o: f"{o.last_name}, {o.first_name}", sort="last_name", link=True),
        Column("Number", "officer_number", sort="officer_number", default=False),
        Column("Agency", "agency.name", sort="agency__name"),
        Column("Status", "get_status_display", sort="status"),
        Column("Certified", "certified_on", sort="certified_on"),
        Column("Recertified this FY", "recertification_label"),
        Column("Card", "card_state_label"),
        Column("Refresher due", "refresher_due_on"),
        Column("Can act today", lambda o: "Yes" if o.can_act() else "No"),
    ]

    def base_queryset(self):
        return Officer.objects.with_standing().select_related("agency").agency_joined_outer()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_import"] = access.may(self.request.user, "import", Officer)
        agency_id = (
            self.filterset.form.cleaned_data.get("agency")
            if self.filterset.is_bound and self.filterset.is_valid()
            else None
        )
        if agency_id:
            from agreements.models import Agency

            agency = Agency.objects.visible_to(self.request.user).filter(pk=agency_id).first()
            query = self.request.GET.copy()
            query.pop("agency", None)
            query.pop("page", None)
            context["only_agency"] = {
                "name": agency.name if agency else "an agency you do not see",
                "clear": "?" + query.urlencode(),
            }
        return context


class OfficerDetailView(LoginRequiredMixin, View):
    """An officer's page: why the officer can or cannot act today, the transcript, the
    security card, status changes and the history of changes. Those who may change the
    officer record a change of status or card (only those open from the officer's state)
    and a security-card login; a Field Responsible Official grants a waiver. A refusal
    comes back once, on the field it concerns."""

    template_name = "training/officer_detail.html"

    def get(self, request, pk):
        return self._render(request, pk)

    def _render(self, request, pk, *, change_form=None, waiver_form=None, login_form=None, status=200):
        officer = selectors.officer_with_standing(request.user, pk)
        history = merged(
            entries(officer.history.all(), what="Officer"),
        )
        may_change = access.may(request.user, "change", officer)
        change_form = change_form or OfficerChangeForm(
            officer=officer, may_revoke=access.may(request.user, "revoke", officer)
        )
        context = {
            "officer": officer,
            "reasons": officer.reasons_cannot_act(),
            "completions": officer.completions.select_related("course").order_by("-completed_on"),
            "enrollments": officer.enrollments.select_related("academy_class__course", "academy_class__site"),
            "events": officer.events.select_related("acting_user"),
            "waivers": officer.waivers.select_related("granted_by"),
            "history": history,
            "may_change": may_change and bool(change_form.offered or change_form.errors),
            "may_record_login": access.may(request.user, "add", CardLogin(officer=officer)),
            "may_waive": services.may_grant_waiver(request.user, officer),
            "change_form": change_form.styled(),
            "login_form": (login_form or CardLoginForm(now=timezone.now())).styled(),
            "waiver_form": (waiver_form or WaiverForm()).styled(),
            "today": dates.today(),
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request, pk):
        officer = access.get_or_404(Officer.objects.all(), request.user, pk=pk)
        action = request.POST.get("action", "")
        if action == "waiver":
            form = WaiverForm(request.POST)
            done = submit(
                form,
                lambda data: services.waiver_grant(
                    officer=officer, acting_user=request.user, reason=data["reason"], expires_on=data["expires_on"]
                ),
            )
            forms, saved = {"waiver_form": form}, "Waiver recorded."
        elif action == "card-login":
            access.check(request.user, "add", CardLogin(officer=officer))
            form = CardLoginForm(request.POST, now=timezone.now())
            done = submit(
                form,
                lambda data: _refusal_on(
                    "logged_in_at",
                    services.card_login_record,
                    officer=officer,
                    logged_in_at=data["logged_in_at"],
                    acting_user=request.user,
                ),
            )
            forms, saved = {"login_form": form}, "Security-card login recorded."
        else:
            verb = action.replace("-", "_")
            access.check(request.user, verb if verb in access.POLICY["training.Officer"].actions else "change", officer)
            form = OfficerChangeForm(
                request.POST,
                officer=selectors.officer_with_standing(request.user, pk),
                may_revoke=access.may(request.user, "revoke", officer),
            )
            done = submit(form, lambda data: self._change(officer, data, request.user))
            forms, saved = {"change_form": form}, "Change recorded."
        if done:
            messages.success(request, saved)
            return redirect("training:officer-detail", pk=pk)
        return self._render(request, pk, status=done.status, **forms)

    @staticmethod
    def _change(officer, data, user):
        """The change's service; a refusal of the officer's state goes on the list of changes."""
        if data["action"] == "request-card-reactivation":
            return _refusal_on("action", services.officer_card_request_reactivation, officer=officer, acting_user=user)
        if data["action"] == "reactivate-card":
            return _refusal_on("action", services.officer_card_reactivate, officer=officer, acting_user=user)
        return _refusal_on(
            "action",
            services.officer_transition,
            officer=officer,
            verb=data["action"],
            acting_user=user,
            reason=data["reason"],
        )


def _refusal_on(field: str, service, **kwargs):
    """Call ``service``; a refusal of the record's state (409 in the API) is put on the
    form's ``field``, the one it concerns, rather than at the form's top."""
    try:
        return service(**kwargs)
    except TransitionNotAllowed as exc:
        raise ValidationError({field: [exc.message]}) from exc


def _class_rows(queryset):
    return (
        queryset.select_related("course", "site")
        .annotate(
            seated=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.ENROLLED)),
            waiting=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.WAITLISTED)),
        )
        .order_by("starts_on", "site__name")
    )


#: The academy calendar's classes, on the page (by quarter) and in its exports.
CLASS_COLUMNS = [
    Column("Class", "course.code"),
    Column("Quarter", lambda c: f"Q{dates.fiscal_quarter(c.starts_on)}"),
    Column("Site", "site.name"),
    Column("Starts", "starts_on"),
    Column("Ends", "ends_on"),
    Column("Seats", "capacity", numeric=True),
    Column("Seated", "seated", numeric=True),
    Column("Seats left", "seats_left", numeric=True),
    Column("Waiting", "waiting", numeric=True),
    Column("Status", "get_status_display"),
    Column("Q1 override", "q1_override_reason", export_only=True),
]

#: The recertification page's table of agencies (the offices' table sums it up).
RECERTIFICATION_COLUMNS = [
    Column("Agency", "agency"),
    Column("State", "state"),
    Column("Field office", "office"),
    Column("Officers", "owed", numeric=True),
    Column("Complete", "complete", numeric=True),
    Column("In progress", "in_progress", numeric=True),
    Column("Not started", "not_started", numeric=True),
    Column("Percent complete", "percent", numeric=True),
]


class ClassCalendarView(LoginRequiredMixin, TemplateView):
    """The academy calendar of a fiscal year, by quarter: seats taken and waiting lists.
    HQ writers schedule classes here (the scheduling service decides: no basic class in
    Q1 without HQ's recorded override, no more overlapping classes than a site holds)."""

    template_name = "training/class_calendar.html"

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        if (export := self.table.export(request)) is not None:
            return export
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        access.require(self.request.user, "view", AcademyClass)
        context = super().get_context_data(**kwargs)
        try:
            fy = int(self.request.GET.get("fy") or dates.fiscal_year(dates.today()))
        except ValueError:
            fy = dates.fiscal_year(dates.today())
        classes = list(
            _class_rows(
                AcademyClass.objects.restrict(self.request.user, "view").filter(
                    starts_on__range=(dates.fiscal_year_start(fy), dates.fiscal_year_end(fy))
                )
            )
        )
        for c in classes:
            c.seats_left = max(0, c.capacity - c.seated)
        self.table = Table(CLASS_COLUMNS, classes, target=AcademyClass, name=f"classes-FY{fy}", title=f"Classes FY{fy}")
        page = self.table.page(self.request)
        quarters = []
        for q in (1, 2, 3, 4):
            start, end = dates.fiscal_quarter_bounds(fy, q)
            quarters.append(
                {
                    "number": q,
                    "start": start,
                    "end": end,
                    "classes": [c for c in page["table_rows"] if start <= c.starts_on <= end],
                }
            )
        context.update(page)
        context.update(title=f"Academy classes, FY{fy}", fy=fy, quarters=quarters, prev_fy=fy - 1, next_fy=fy + 1)
        if access.may(self.request.user, "add", AcademyClass) and "schedule_form" not in context:
            context["schedule_form"] = ClassScheduleForm(
                initial={"site": AcademySite.objects.filter(is_default=True).first()}
            ).styled()
        return context

    def post(self, request):
        access.require(request.user, "add", AcademyClass)
        form = ClassScheduleForm(request.POST)
        done = submit(
            form,
            lambda data: services.class_schedule(
                course=data["course"],
                site=data["site"],
                starts_on=data["starts_on"],
                capacity=data["capacity"],
                q1_override_reason=form.override_reason,
                acting_user=request.user,
            ),
        )
        if done:
            academy_class = done.result
            messages.success(
                request,
                f"{academy_class.course.code} class scheduled at {academy_class.site.name}, "
                f"{display(academy_class.starts_on)} to {display(academy_class.ends_on)}, "
                f"{academy_class.capacity} seats"
                + (" (Q1 override recorded)." if academy_class.q1_override_reason else "."),
            )
            return redirect(f"{reverse('training:class-calendar')}?fy={dates.fiscal_year(academy_class.starts_on)}")
        self.request = request
        context = self.get_context_data(schedule_form=form.styled())
        return self.render_to_response(context, status=done.status)


def _open_for_enrolment(academy_class) -> bool:
    """Whether the class still takes enrolments (the service says so again on submit)."""
    return academy_class.status == ClassStatus.SCHEDULED and academy_class.ends_on >= dates.today()


class ClassDetailView(LoginRequiredMixin, View):
    """A class's seats and waiting list (the officers the caller sees). The officers'
    Field Program Managers and HQ writers enrol officers and withdraw them; a withdrawal
    gives the freed seat to the first officer waiting."""

    template_name = "training/class_detail.html"

    def _class(self, request, pk):
        return access.get_or_404(_class_rows(AcademyClass.objects.all()), request.user, pk=pk)

    def _render(self, request, academy_class, enrol_form=None, status=200):
        enrollments = (
            Enrollment.objects.restrict(request.user, "view")
            .filter(academy_class=academy_class)
            .select_related("officer__agency")
            .order_by("status", "requested_at", "pk")
        )
        mine = [e for e in enrollments if e.status in (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)]
        may_enrol = access.may(request.user, "add", Enrollment)
        is_open = _open_for_enrolment(academy_class)
        if may_enrol and is_open and enrol_form is None:
            enrol_form = EnrolForm(user=request.user, academy_class=academy_class).styled()
        return render(
            request,
            self.template_name,
            {
                "academy_class": academy_class,
                "seated": [e for e in mine if e.status == EnrollmentStatus.ENROLLED],
                "waiting": [e for e in mine if e.status == EnrollmentStatus.WAITLISTED],
                "may_enrol": may_enrol,
                "is_open": is_open,
                # A refused request is shown with its reason even when the class has just closed.
                "enrol_form": enrol_form
                if may_enrol and (is_open or (enrol_form is not None and enrol_form.errors))
                else None,
                "history": entries(academy_class.history.all(), what="Class"),
            },
            status=status,
        )

    def get(self, request, pk):
        return self._render(request, self._class(request, pk))

    def post(self, request, pk):
        academy_class = self._class(request, pk)
        if request.POST.get("action") == "withdraw":
            return self._withdraw(request, academy_class)
        access.require(request.user, "add", Enrollment)
        form = EnrolForm(request.POST, user=request.user, academy_class=academy_class)
        done = submit(
            form,
            lambda data: services.enrollment_request(
                academy_class=academy_class, officer=data["officer"], acting_user=request.user
            ),
        )
        if done:
            officer, enrollment = form.cleaned_data["officer"], done.result
            if enrollment.status == EnrollmentStatus.ENROLLED:
                messages.success(request, f"{officer.first_name} {officer.last_name} has a seat in this class.")
            else:
                position = Enrollment.objects.filter(
                    academy_class=academy_class,
                    status=EnrollmentStatus.WAITLISTED,
                    requested_at__lte=enrollment.requested_at,
                ).count()
                messages.success(
                    request,
                    f"The class is full: {officer.first_name} {officer.last_name} is on "
                    f"the waiting list (number {position}) and gets the first seat freed "
                    f"in turn.",
                )
            return redirect("training:class-detail", pk=academy_class.pk)
        return self._render(request, academy_class, enrol_form=form.styled(), status=done.status)

    def _withdraw(self, request, academy_class):
        # Scope first (another agency's officer: 404, as if the enrolment did not exist),
        # then the role (a visible enrolment the caller may not change: 403).
        try:
            enrollment_id = int(request.POST.get("enrollment", ""))
        except ValueError:
            raise Http404("No such enrolment") from None
        enrollment = access.get_or_404(
            Enrollment.objects.select_related("officer"),
            request.user,
            "withdraw",
            pk=enrollment_id,
            academy_class=academy_class,
        )
        waiting_before = set(
            academy_class.enrollments.filter(status=EnrollmentStatus.WAITLISTED).values_list("pk", flat=True)
        )
        try:
            services.enrollment_withdraw(
                enrollment=enrollment,
                acting_user=request.user,
                reason=f"Withdrawn from {academy_class} on the class page",
            )
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return redirect("training:class-detail", pk=academy_class.pk)
        promoted = Enrollment.objects.filter(pk__in=waiting_before, status=EnrollmentStatus.ENROLLED)
        officer = enrollment.officer
        text = f"{officer.first_name} {officer.last_name} withdrawn from the class."
        if promoted:
            # Name only the promoted officers the caller may see; count the others.
            visible = list(promoted.restrict(request.user, "view").select_related("officer"))
            others = promoted.count() - len(visible)
            names = [f"{e.officer.first_name} {e.officer.last_name}" for e in visible]
            if others:
                names.append(f"{others} officer{'s' if others > 1 else ''} of another agency")
            text += f" The freed seat went to the waiting list: {', '.join(names)}."
        messages.success(request, text)
        return redirect("training:class-detail", pk=academy_class.pk)


class RecertificationProgressView(LoginRequiredMixin, TemplateView):
    """This fiscal year's PALMS recertification per field office and agency, against the
    30 September deadline."""

    template_name = "training/recertification.html"

    def get(self, request, *args, **kwargs):
        access.require(request.user, "view", Officer)
        self.progress = selectors.recertification_progress(request.user)
        self.table = Table(
            RECERTIFICATION_COLUMNS,
            self.progress["agencies"],
            target=Officer,
            name=f"recertification-FY{self.progress['fiscal_year']}",
            title="Recertification",
        )
        if (export := self.table.export(request)) is not None:
            return export
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.progress)
        context.update(self.table.page(self.request))
        context["title"] = f"PALMS recertification, FY{context['fiscal_year']}"
        return context


class CapacityPlanView(LoginRequiredMixin, View):
    """HQ's capacity plan: will the academy train the officers the program needs?"""

    template_name = "training/capacity.html"

    def get(self, request):
        access.require(request.user, "view", "training.capacity_plan")
        from .api.views import plan_csv, plan_from_params

        try:
            fy = int(request.GET.get("fy") or dates.fiscal_year(dates.today()))
            plan = plan_from_params(fy, request.GET)
        except (ValueError, ValidationError):
            raise Http404("No such plan") from None
        export = request.GET.get("export")
        if export == "csv":
            return plan_csv(plan)
        if export == "xlsx":
            rows = plan.rows()
            width = max(len(r) for r in rows)
            columns = [
                Column(rows[0][i] if i < len(rows[0]) else "", (lambda r, i=i: r[i] if i < len(r) else None))
                for i in range(width)
            ]
            return xlsx_response(columns, rows[1:], f"capacity-plan-FY{fy}", f"Capacity FY{fy}")
        query = request.GET.copy()
        query.pop("export", None)
        return render(
            request,
            self.template_name,
            {"plan": plan, "fy": fy, "query": query.urlencode(), "title": f"Academy capacity plan, FY{fy}"},
        )


KIND_TITLES = {"roster": "Officer roster", "completions": "PALMS completions", "card-logins": "Security-card logins"}
#: The record type each import writes, whose "import" grant decides who uploads.
IMPORT_TARGETS = {"roster": Officer, "completions": Completion, "card-logins": CardLogin}


class ImportView(LoginRequiredMixin, View):
    """Upload a roster, PALMS export or card-login export: first a preview with the
    row-level errors, then apply (all rows, or only the valid ones)."""

    template_name = "training/import.html"

    def _check(self, request, kind):
        if kind not in KIND_TITLES:
            raise Http404
        access.require(request.user, "import", IMPORT_TARGETS[kind])

    def _context(self, kind) -> dict:
        return {"kind": kind, "kind_title": KIND_TITLES[kind], "columns": importers.COLUMNS[kind]}

    def get(self, request, kind):
        """The upload form; with ``?job=<id>``, the report of that job's preview or import."""
        self._check(request, kind)
        context = self._context(kind)
        job_id = request.GET.get("job", "")
        if job_id.isdecimal():
            from portal.models import Job

            job = access.get_or_404(Job.objects.all(), request.user, pk=int(job_id))
            if job.kind == "training.import" and job.status == Job.Status.DONE and job.params.get("kind") == kind:
                report = job.result
                context.update(report=report, content=bytes(job.input).decode("utf-8"), applied=report["applied"])
        return render(request, self.template_name, context)

    def post(self, request, kind):
        """Start the preview (a file) or the import (the previewed text) as a job."""
        self._check(request, kind)
        context = self._context(kind)
        name = ""
        if "file" in request.FILES:
            try:
                text = uploads.read_text(request.FILES["file"])
            except ValidationError as exc:
                context["file_error"] = " ".join(exc.messages)
                return render(request, self.template_name, context, status=400)
            name = request.FILES["file"].name
        else:
            text = request.POST.get("content", "")
        apply = request.POST.get("step") == "apply"
        job = jobs.start(
            "training.import",
            user=request.user,
            params={"kind": kind, "apply": apply, "apply_valid": request.POST.get("apply_valid") == "on"},
            content=text.encode("utf-8"),
            input_name=name,
            title=f"{'Importing' if apply else 'Checking'} {KIND_TITLES[kind].lower()}{f' from {name}' if name else ''}",
            back_url=request.path,
        )
        if jobs.refused_at_once(job):
            context["file_error"] = job.error
            return render(request, self.template_name, context, status=400)
        return jobs.job_redirect(job)
