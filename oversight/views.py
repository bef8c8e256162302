"""Pages of the oversight app: the national dashboard, site readiness, the expansion
impact check, the findings inbox and digest preferences, the quarterly report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from portal import access, dates
from portal.errors import TransitionNotAllowed
from portal.roles import HQ_ROLES, role_of
from portal.tables import Column, Table, display
from portal.views import uswds_form

from . import dashboard as dashboard_figures
from . import readiness as readiness_figures
from . import services
from .forms import (
    AcknowledgeForm,
    DashboardFilterForm,
    ImpactForm,
    NoteForm,
    PreferenceForm,
    QuarterForm,
    ReadinessFilterForm,
    WaiverDecisionForm,
    WaiverRequestForm,
)
from .inbox import inbox_findings, people_below
from .models import DigestPreference, FindingEscalation, FindingNote, ImpactAssessment, WaiverRequest

# Who opens each page is decided by the access policy (portal/access.py, PAGES), before
# the view runs; the views narrow every read to the caller's scope.


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return getattr(exc, "message", None) or str(exc)


def visible_offices(user):
    from agreements.models import FieldOffice

    return FieldOffice.objects.visible_to(user).order_by("name")


# --- the national dashboard ------------------------------------------------------------------


def dashboard_filters(user, data):
    """The page's (or API's) filters, validated against what the user may see."""
    form = DashboardFilterForm(data or None, offices=visible_offices(user))
    if form.is_bound and not form.is_valid():
        return form, None
    cleaned = form.cleaned_data if form.is_bound else {}
    return form, dashboard_figures.DashboardFilters(
        field_office=cleaned.get("field_office"),
        program_model=cleaned.get("program_model") or "",
        fiscal_year=cleaned.get("fiscal_year"),
    )


class DashboardView(LoginRequiredMixin, View):
    """Where the program stands, on one page: agreements, sites, officers, managers and
    findings, a map of agreements per state, every figure linked to its list."""

    template_name = "oversight/dashboard.html"

    def get(self, request):
        return render_dashboard(request)


def render_dashboard(request):
    from portal.compliance.models import Finding, SweepRun

    form, filters = dashboard_filters(request.user, request.GET)
    uswds_form(form)
    figures = dashboard_figures.dashboard(request.user, filters) if filters is not None else None
    mine = (
        Finding.objects.visible_to(request.user)
        .open()
        .filter(responsible=request.user)
        .select_related("agency")
        .most_urgent_first()
    )
    chart = None
    if figures is not None:
        chart = {
            "labels": [m["label"] for m in figures["agreements"]["signed_by_month"]],
            "signed": [m["signed"] for m in figures["agreements"]["signed_by_month"]],
            "trend_labels": [t["as_of"] for t in figures["findings"]["trend"]],
            "trend": [t["open"] for t in figures["findings"]["trend"]],
        }
    return render(
        request,
        "oversight/dashboard.html",
        {
            "title": "National dashboard",
            "form": form,
            "figures": figures,
            "chart": chart,
            "my_findings": mine[:20],
            "my_findings_count": mine.count(),
            "last_run": SweepRun.objects.first(),
            "map_states": _map_states(figures) if figures else [],
            "may": {
                name: access.may(request.user, "view", label)
                for name, label in (
                    ("readiness", "oversight.readiness"),
                    ("impact", "oversight.ImpactAssessment"),
                    ("report", "oversight.report"),
                )
            },
        },
        status=200 if figures is not None else 400,
    )


def home_page(request):
    """Provider ``home_page``: HQ's home page is the national dashboard."""
    if role_of(request.user) in HQ_ROLES:
        return render_dashboard(request)
    return None


#: The tile-grid map: each state a square at its approximate place (column, row).
TILES = {
    "AK": (0, 0),
    "ME": (11, 0),
    "VT": (10, 1),
    "NH": (11, 1),
    "WA": (1, 2),
    "ID": (2, 2),
    "MT": (3, 2),
    "ND": (4, 2),
    "MN": (5, 2),
    "WI": (6, 2),
    "MI": (8, 2),
    "NY": (9, 2),
    "MA": (10, 2),
    "RI": (11, 2),
    "OR": (1, 3),
    "NV": (2, 3),
    "WY": (3, 3),
    "SD": (4, 3),
    "IA": (5, 3),
    "IL": (6, 3),
    "IN": (7, 3),
    "OH": (8, 3),
    "PA": (9, 3),
    "NJ": (10, 3),
    "CT": (11, 3),
    "CA": (1, 4),
    "UT": (2, 4),
    "CO": (3, 4),
    "NE": (4, 4),
    "MO": (5, 4),
    "KY": (6, 4),
    "WV": (7, 4),
    "VA": (8, 4),
    "MD": (9, 4),
    "DE": (10, 4),
    "AZ": (2, 5),
    "NM": (3, 5),
    "KS": (4, 5),
    "AR": (5, 5),
    "TN": (6, 5),
    "NC": (7, 5),
    "SC": (8, 5),
    "DC": (9, 5),
    "OK": (4, 6),
    "LA": (5, 6),
    "MS": (6, 6),
    "AL": (7, 6),
    "GA": (8, 6),
    "HI": (0, 7),
    "TX": (4, 7),
    "FL": (9, 7),
    "PR": (11, 7),
    "GU": (0, 6),
    "VI": (11, 6),
}
TILE = 44


def _map_states(figures) -> list[dict]:
    top = figures["agreements"]["max_state"] or 1
    tiles = []
    for state in figures["agreements"]["by_state"]:
        place = TILES.get(state["state"])
        if place is None:
            continue
        n = state["in_force"]
        level = 0 if n == 0 else min(4, 1 + (4 * n - 1) // top) if top else 0
        tiles.append(
            {
                **state,
                "x": place[0] * (TILE + 4),
                "y": place[1] * (TILE + 4),
                "size": TILE,
                "cx": place[0] * (TILE + 4) + TILE / 2,
                "level": level,
            }
        )
    return tiles


# --- site readiness --------------------------------------------------------------------------


def readiness_columns():
    return [
        Column("Agency", "agency_name", link=True),
        Column("State", "state"),
        Column("Field office", "field_office_name"),
        Column("287(g) models", lambda s: ", ".join(s.program_models)),
        Column("Status", "status_label"),
        Column("Officers able to act", "officers_able", numeric=True),
        Column("Reasons", "reason_text"),
    ]


def readiness_list(user, data):
    form = ReadinessFilterForm(data or None, offices=visible_offices(user))
    if form.is_bound and not form.is_valid():
        return form, None
    cleaned = form.cleaned_data if form.is_bound else {}
    sites = readiness_figures.site_readiness(
        user, field_office=cleaned.get("field_office"), program_model=cleaned.get("program_model") or None
    )
    if cleaned.get("status"):
        sites = [s for s in sites if s.status == cleaned["status"]]
    if cleaned.get("blocker"):
        sites = [s for s in sites if cleaned["blocker"] in s.reasons]
    return form, readiness_figures.sort_by_blockers(sites)


class ReadinessView(LoginRequiredMixin, View):
    """Every assessed site's readiness, the causes that block the most sites first."""

    def get(self, request):
        form, sites = readiness_list(request.user, request.GET)
        uswds_form(form)
        table = Table(
            readiness_columns(), sites or [], target="oversight.readiness", name="readiness", title="Site readiness"
        )
        if sites is not None and (export := table.export(request)) is not None:
            return export
        base = request.GET.copy()
        for name in ("export", "page", "blocker"):
            base.pop(name, None)
        return render(
            request,
            "oversight/readiness.html",
            {
                "title": "Site readiness",
                "form": form,
                "blockers": readiness_figures.blocker_counts(sites or []),
                "statuses": readiness_figures.status_counts(sites or []),
                **table.page(request),
                "base_querystring": base.urlencode(),
                "labels": readiness_figures.BLOCKERS,
            },
            status=200 if sites is not None else 400,
        )


# --- the expansion impact check --------------------------------------------------------------


def _impact_form(request, data=None):
    from agreements.choices import PENDING_STATUSES
    from agreements.models import Agency, Agreement

    user = request.user
    offices = visible_offices(user)
    return ImpactForm(
        data,
        agreements=Agreement.objects.visible_to(user)
        .filter(status__in=PENDING_STATUSES)
        .select_related("agency")
        .order_by("agency__name", "pk"),
        agencies=Agency.objects.visible_to(user).order_by("name"),
        offices=offices,
    )


class ImpactView(LoginRequiredMixin, View):
    """Choose applications (or a what-if), see what they would cost before approving."""

    template_name = "oversight/impact.html"

    def _render(self, request, form, status=200):
        uswds_form(form)
        return render(
            request,
            self.template_name,
            {
                "title": "Expansion impact check",
                "form": form,
                "recent": ImpactAssessment.objects.visible_to(request.user).select_related("created_by")[:20],
                "may_run": access.may(request.user, "add", "oversight.ImpactAssessment"),
            },
            status=status,
        )

    def get(self, request):
        return self._render(request, _impact_form(request))

    def post(self, request):
        form = _impact_form(request, request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            assessment = services.impact_assessment_create(
                acting_user=request.user,
                agreements=form.cleaned_data["agreements"] or None,
                agencies=form.cleaned_data["agencies"] or None,
                counts=form.counts() or None,
                program_model=form.cleaned_data["program_model"],
                signing_on=form.cleaned_data["signing_on"],
            )
        except PermissionDenied:
            raise
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self._render(request, form, status=400)
        return redirect(assessment.get_absolute_url())


class ImpactDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        assessment = get_object_or_404(ImpactAssessment.objects.visible_to(request.user), pk=pk)
        return render(
            request,
            "oversight/impact_detail.html",
            {
                "title": f"Impact assessment {assessment.pk}",
                "assessment": assessment,
                "result": assessment.result,
                "approvals": assessment.approvals.select_related("agreement__agency", "approved_by"),
            },
        )


# --- the findings inbox ----------------------------------------------------------------------


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "HQ"


def _escalation(finding) -> str:
    escalation = getattr(finding, "escalation", None)
    if escalation is None:
        return ""
    return f"Escalated {display(escalation.escalated_at)} to {_person(escalation.escalated_to)}"


#: The inbox's table, on the page and in its exports.
INBOX_COLUMNS = [
    Column("Finding", "rule_title"),
    Column("Subject", lambda f: f"{f.subject_label} ({f.stage})" if f.stage else f.subject_label),
    Column("Severity", "get_severity_display"),
    Column("Status", "get_status_display"),
    Column("Responsible", lambda f: _person(f.responsible)),
    Column("Since", "first_seen_at"),
    Column("Escalation", _escalation),
]


class InboxView(LoginRequiredMixin, View):
    """The open findings a person must look after: theirs, their team's, escalated to them."""

    def get(self, request):
        below = people_below(request.user)
        findings = inbox_findings(request.user, below=below)
        show = request.GET.get("show", "")
        if show == "mine":
            findings = findings.filter(responsible=request.user)
        elif show == "team":
            findings = findings.filter(responsible_id__in=below)
        elif show == "escalated":
            findings = findings.filter(escalation__isnull=False)
        table = Table(INBOX_COLUMNS, findings, target="portal.Finding", name="findings-inbox", title="Findings inbox")
        if (export := table.export(request)) is not None:
            return export
        pending = (
            WaiverRequest.objects.visible_to(request.user)
            .filter(status="pending")
            .select_related("finding", "requested_by")
            if access.may(request.user, "grant", "oversight.WaiverRequest")
            else []
        )
        services.inbox_mark_seen(user=request.user)
        return render(
            request,
            "oversight/inbox.html",
            {
                "title": "Findings inbox",
                **table.page(request),
                "show": show,
                "pending_requests": pending,
                "decision_form": uswds_form(WaiverDecisionForm()),
            },
        )


class InboxCountView(LoginRequiredMixin, View):
    """The header's unread count of the reader's inbox (``oversight.inbox.unread_count``),
    as JSON ``{"unread": n}``; the header's script shows it beside the inbox link."""

    def get(self, request):
        from django.http import JsonResponse

        from .inbox import unread_count

        access.require(request.user, "view", "oversight.inbox")
        response = JsonResponse({"unread": unread_count(request.user)})
        response["Cache-Control"] = "private, no-store"  # read afresh after every change
        return response


class InboxFindingView(LoginRequiredMixin, View):
    """One finding of the inbox: its thread (notes, acknowledgement, waiver requests,
    escalation) and the actions the person may take."""

    template_name = "oversight/inbox_finding.html"

    def _finding(self, request, pk):
        from portal.compliance.models import Finding

        return get_object_or_404(
            Finding.objects.visible_to(request.user).select_related("agency", "responsible"), pk=pk
        )

    def _render(self, request, finding, forms=None, status=200):
        from portal.compliance.services import finding_may_act

        forms = forms or {}
        may_act = finding.is_open and finding_may_act(request.user, finding, "acknowledge")
        return render(
            request,
            self.template_name,
            {
                "title": finding.rule_title,
                "finding": finding,
                "may_act": may_act,
                "may_decide": access.may(request.user, "grant", "oversight.WaiverRequest"),
                "notes": FindingNote.objects.filter(finding=finding).select_related("author"),
                "requests": WaiverRequest.objects.filter(finding=finding).select_related("requested_by", "decided_by"),
                "escalation": FindingEscalation.objects.filter(finding=finding).select_related("escalated_to").first(),
                "note_form": uswds_form(forms.get("note") or NoteForm(), describe=True),
                "ack_form": uswds_form(forms.get("acknowledge") or AcknowledgeForm(), describe=True),
                "waiver_form": uswds_form(forms.get("waiver") or WaiverRequestForm(), describe=True),
                "decision_form": uswds_form(forms.get("decide") or WaiverDecisionForm(), describe=True),
            },
            status=status,
        )

    def get(self, request, pk):
        return self._render(request, self._finding(request, pk))

    def post(self, request, pk):
        finding = self._finding(request, pk)
        action = request.POST.get("action", "")
        forms_by_action = {
            "note": NoteForm,
            "acknowledge": AcknowledgeForm,
            "waiver": WaiverRequestForm,
            "grant": WaiverDecisionForm,
            "refuse": WaiverDecisionForm,
        }
        if action not in forms_by_action:
            messages.error(request, "Choose an action.")
            return redirect("oversight:inbox-finding", pk=pk)
        form = forms_by_action[action](request.POST)
        key = "decide" if action in ("grant", "refuse") else action
        if not form.is_valid():
            return self._render(request, finding, {key: form}, status=400)
        data = form.cleaned_data
        try:
            if action == "note":
                services.finding_add_note(finding=finding, acting_user=request.user, text=data["text"])
            elif action == "acknowledge":
                services.finding_acknowledge_with_note(finding=finding, acting_user=request.user, note=data["note"])
            elif action == "waiver":
                services.waiver_request_create(
                    finding=finding, acting_user=request.user, reason=data["reason"], until=data["until"]
                )
            else:
                request_obj = get_object_or_404(
                    WaiverRequest.objects.filter(finding=finding), pk=request.POST.get("request")
                )
                services.waiver_request_decide(
                    request=request_obj, acting_user=request.user, grant=action == "grant", note=data["note"]
                )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self._render(request, finding, {key: form}, status=400)
        except (PermissionDenied, TransitionNotAllowed) as exc:
            messages.error(request, _error_text(exc) or "You may not do this.")
            return redirect("oversight:inbox-finding", pk=pk)
        done = {
            "note": "Note added.",
            "acknowledge": "Finding acknowledged.",
            "waiver": "Waiver requested from HQ.",
            "grant": "Waiver granted.",
            "refuse": "Waiver refused.",
        }
        messages.success(request, done[action])
        return redirect("oversight:inbox-finding", pk=pk)


class PreferencesView(LoginRequiredMixin, View):
    """How often a person gets the digest e-mail."""

    def _render(self, request, form, status=200):
        return render(request, "oversight/preferences.html", {"title": "Digest e-mail", "form": form}, status=status)

    def get(self, request):
        current = DigestPreference.objects.filter(user=request.user).values_list("frequency", flat=True).first()
        return self._render(request, PreferenceForm(initial={"frequency": current or "daily"}))

    def post(self, request):
        form = PreferenceForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        services.digest_preference_set(acting_user=request.user, frequency=form.cleaned_data["frequency"])
        messages.success(request, "Your digest preference is saved.")
        return redirect("oversight:preferences")


# --- the quarterly oversight report ----------------------------------------------------------


def pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # OSError: the system libraries (Pango, HarfBuzz) are missing
        return False
    return True


class ReportView(LoginRequiredMixin, View):
    """The quarterly report on the OIG's four recommendations; ``?format=pdf`` for a PDF."""

    def get(self, request):
        from .report import Quarter, oversight_report

        form = QuarterForm(request.GET or None)
        quarter = Quarter.of(dates.today())
        if form.is_bound:
            if not form.is_valid():
                uswds_form(form)
                return render(
                    request,
                    "oversight/report.html",
                    {"title": "Quarterly oversight report", "form": form, "report": None, "pdf": pdf_available()},
                    status=400,
                )
            if form.cleaned_data["quarter"]:
                quarter = Quarter.parse(form.cleaned_data["quarter"])
        else:
            form = QuarterForm(initial={"quarter": quarter.label})
        uswds_form(form)
        report = oversight_report(request.user, quarter)
        context = {
            "title": f"Quarterly oversight report, {quarter.label}",
            "form": form,
            "report": report,
            "pdf": pdf_available(),
            "pdf_url": f"{reverse('oversight:report')}?quarter={quarter.label}&format=pdf",
        }
        if request.GET.get("format") == "pdf":
            if not context["pdf"]:
                messages.warning(request, "PDF is not available on this server; print the page instead.")
                return redirect(f"{reverse('oversight:report')}?quarter={quarter.label}")
            from django.template.loader import render_to_string
            from weasyprint import HTML

            html = render_to_string("oversight/report_pdf.html", context, request=request)
            pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="oversight-report-{quarter.label}.pdf"'
            return response
        return render(request, "oversight/report.html", context)
