"""Pages of the agreements app: agencies and agreements."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from portal import access, dates, filter_panel, history, hooks, jobs, panels
from portal.compliance.models import Finding
from portal.errors import TransitionNotAllowed
from portal.forms import submit
from portal.tables import Column, Table
from portal.views import ScopedListView, ScopedRecordView, uswds_form

from . import services
from .choices import ImportStatus, Transition
from .filtersets import AgencyFilterSet, AgreementFilterSet
from .forms import TRANSITIONS, DocumentForm, IceUploadForm, TransitionForm
from .importers import CLEANING_LABELS, has_changes
from .models import Agency, Agreement, AgreementDocument, AgreementEvent, IceImport


class AgencyListView(ScopedListView):
    model = Agency
    filterset_class = AgencyFilterSet
    title = "Law enforcement agencies"
    intro = "Agencies that hold or have applied for a 287(g) agreement."
    export_name = "agencies"
    default_sort = "name"
    columns = [
        Column("Agency", "name", sort="name", link=True),
        Column("Type", "get_agency_type_display", sort="agency_type"),
        Column("State", "state", sort="state"),
        Column("County", "county", sort="county"),
        Column("Field office", "field_office.name", sort="field_office__name"),
        Column("Office confirmed", "field_office_confirmed", field="field_office_confirmed"),
        Column("Address", "address", field="address", export_only=True),
        Column("Main contact", "contact_name", field="contact_name", export_only=True),
        Column("Contact e-mail", "contact_email", field="contact_email", export_only=True),
        Column("Contact phone", "contact_phone", field="contact_phone", export_only=True),
    ]

    def base_queryset(self):
        return Agency.objects.select_related("field_office")


class AgencyDetailView(LoginRequiredMixin, TemplateView):
    template_name = "agreements/agency_detail.html"

    def get_context_data(self, pk, **kwargs):
        user = self.request.user
        agency = access.get_or_404(Agency.objects.select_related("field_office"), user, pk=pk)
        today = dates.today()
        # The agency's program managers are the staffing app's (portal/hooks.py providers),
        # as far as the reader may see them.
        assignments = hooks.call("agency_assignments", agency, user, default=[])
        agreements = list(Agreement.objects.visible_to(user).filter(agency=agency).order_by("program_model"))
        assignment_history = hooks.call("agency_assignment_history", agency, user)
        endings = list(
            AgreementEvent.objects.visible_to(user)
            .filter(
                agreement__agency=agency,
                transition__in=[Transition.SUSPEND, Transition.REINSTATE, Transition.TERMINATE, Transition.WITHDRAW],
            )
            .select_related("agreement")
            .order_by("-effective_on", "-recorded_at")
        )
        entries = history.merged(
            *(
                [history.entries(agency.history.all(), what="Agency")]
                if access.visible_fields(user, Agency) is None
                else []
            ),
            *(
                [history.entries(Agreement.history.filter(agency_id=agency.pk), what="Agreement")]
                if access.may(user, "view", Agreement)
                else []
            ),
            *([history.entries(assignment_history, what="Assignment")] if assignment_history is not None else []),
        )
        return {
            **super().get_context_data(**kwargs),
            "agency": agency,
            "agency_fields": access.fields_seen(user, Agency),
            "may_see_agreements": access.may(user, "view", Agreement),
            "may_see_managers": access.may(user, "view", "staffing.Assignment"),
            "agreements": agreements,
            "endings": endings,
            "in_force": agency.is_active(today) or not agreements,
            "current_assignments": [a for a in assignments if a.is_active_on(today)],
            "past_assignments": [a for a in assignments if not a.is_active_on(today)],
            "findings": Finding.objects.visible_to(user).open().filter(agency=agency),
            "history": entries[:200],
            "panels": panels.agency_panels(self.request, agency),
        }


class AgreementListView(ScopedListView):
    model = Agreement
    filterset_class = AgreementFilterSet
    title = "287(g) agreements"
    intro = "Memoranda of agreement by agency and 287(g) model."
    export_name = "agreements"
    default_sort = "agency__name"
    columns = [
        Column("Agency", "agency.name", sort="agency__name", link=True),
        Column("State", "agency.state", sort="agency__state"),
        Column("Field office", "agency.field_office.name", sort="agency__field_office__name"),
        Column("287(g) model", "get_program_model_display", sort="program_model"),
        Column("Status", "get_status_display", sort="status"),
        Column("Applied", "applied_on", sort="applied_on", default=False),
        Column("Signed", "signed_on", sort="signed_on"),
        Column("Not on ICE's list since", "not_listed_since", sort="not_listed_since"),
        Column("HQ to check", lambda a: a.review_reason if a.needs_review else ""),
        Column("MOA", "moa_url"),
    ]

    def base_queryset(self):
        return Agreement.objects.select_related("agency", "agency__field_office")


class AgreementDetailView(ScopedRecordView):
    """An agreement: its status, timeline of transitions, documents, agency and program
    managers; HQ writers record transitions and add documents here."""

    model = Agreement
    template_name = "agreements/agreement_detail.html"

    def record_queryset(self):
        return Agreement.objects.select_related("agency", "agency__field_office")

    def _agreement(self, request, pk):
        return self.get_record(pk)

    def _render(self, request, agreement, forms=None, document_form=None, status=200):
        today = dates.today()
        may_document = access.may(request.user, "add", AgreementDocument)
        forms = forms or {}
        transition_forms = []
        # A refused transition's form stays, with its reason, even when the state no longer offers it.
        verbs = services.transitions_open(agreement)
        verbs += [verb for verb, form in forms.items() if verb not in verbs and form.errors]
        for verb in verbs:
            if access.may(request.user, verb, agreement):
                form = forms.get(verb) or TransitionForm(verb=verb, initial={"on": today})
                transition_forms.append(uswds_form(form, describe=True))
        may_change = may_document or bool(transition_forms) or access.may(request.user, "mark_reviewed", agreement)
        return render(
            request,
            self.template_name,
            {
                "agreement": agreement,
                "agency": agreement.agency,
                "events": agreement.events.select_related("acting_user"),
                "documents": agreement.documents.all(),
                "other_agreements": Agreement.objects.visible_to(request.user)
                .filter(agency=agreement.agency)
                .exclude(pk=agreement.pk),
                "current_assignments": [
                    a
                    for a in hooks.call("agency_assignments", agreement.agency, request.user, default=[])
                    if a.is_active_on(today)
                ],
                "findings": Finding.objects.visible_to(request.user).open().filter(agency=agreement.agency),
                "history": history.entries(agreement.history.all(), what="Agreement"),
                "may_change": may_change,
                "transition_forms": transition_forms,
                "document_form": uswds_form(document_form or DocumentForm(initial={"dated_on": today}), describe=True)
                if may_document
                else None,
            },
            status=status,
        )

    def get(self, request, pk):
        return self._render(request, self._agreement(request, pk))

    def post(self, request, pk):
        agreement = self._agreement(request, pk)
        action = request.POST.get("action", "")
        if action == "document":
            access.require(request.user, "add", AgreementDocument)
        else:
            access.check(
                request.user,
                action if action in TRANSITIONS or action == "mark_reviewed" else "mark_reviewed",
                agreement,
            )
        if action == "document":
            form = DocumentForm(request.POST, request.FILES)
            done = submit(
                form, lambda data: services.document_add(agreement=agreement, acting_user=request.user, **data)
            )
            if not done:
                return self._render(request, agreement, document_form=form, status=done.status)
            messages.success(request, "Document added.")
        elif action in TRANSITIONS:
            form = TransitionForm(request.POST, verb=action)
            done = submit(
                form,
                lambda data: self._transition(agreement, action, form, request.user),
                field_names={"effective_on": "on", "signed_on": "on"},
            )
            if not done:
                return self._render(request, agreement, forms={action: form}, status=done.status)
            messages.success(request, f"{TRANSITIONS[action][0]}: done.")
        elif action == "mark_reviewed":
            try:
                services.agreement_mark_reviewed(agreement=agreement, acting_user=request.user)
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Flag cleared.")
        else:
            messages.error(request, "Choose an action.")
        return redirect(agreement.get_absolute_url())

    @staticmethod
    def _transition(agreement, verb, form, user):
        on, reason = form.cleaned_data["on"], form.cleaned_data["reason"]
        service = getattr(services, f"agreement_{verb}")
        if verb in ("sign", "renew"):
            return service(agreement=agreement, acting_user=user, signed_on=on, reason=reason)
        if verb == "approve":
            return service(
                agreement=agreement,
                acting_user=user,
                effective_on=on,
                reason=reason,
                impact_assessment=form.cleaned_data.get("impact_assessment"),
                justification=form.cleaned_data.get("justification") or "",
            )
        return service(agreement=agreement, acting_user=user, effective_on=on, reason=reason)


# --- imports of ICE's lists ---------------------------------------------------------------------


def _uploaded_by(edition) -> str:
    if edition.uploaded_by:
        return edition.uploaded_by.get_full_name() or edition.uploaded_by.username
    return "scheduled fetch" if edition.source_url else "command line"


#: The editions list's table, on the page and in its exports.
ICE_IMPORT_COLUMNS = [
    Column("File", "file_name"),
    Column("List", "get_edition_display"),
    Column("As of", "as_of"),
    Column("Read on", "uploaded_at"),
    Column("By", _uploaded_by),
    Column("Status", "get_status_display"),
]


class IceImportListView(LoginRequiredMixin, View):
    """Upload a file of ICE's list (HQ writers) and see past imports (HQ)."""

    template_name = "agreements/ice_import_list.html"

    def _table(self, request):
        editions = (
            IceImport.objects.visible_to(request.user)
            .defer("content", "rows", "report")
            .select_related("uploaded_by", "applied_by")
        )
        return Table(
            ICE_IMPORT_COLUMNS, editions, target=IceImport, name="ice-editions", title="Editions of ICE's lists"
        )

    def _page(self, request, form, status=200):
        return render(
            request,
            self.template_name,
            {"form": uswds_form(form) if form is not None else None, **self._table(request).page(request)},
            status=status,
        )

    def get(self, request):
        access.require(request.user, "view", IceImport)
        if (export := self._table(request).export(request)) is not None:
            return export
        return self._page(request, IceUploadForm() if access.may(request.user, "import", IceImport) else None)

    def post(self, request):
        access.require(request.user, "import", IceImport)
        form = IceUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, form, status=400)
        upload = form.cleaned_data["file"]
        as_of = form.cleaned_data.get("as_of")
        job = jobs.start(
            "agreements.ice_preview",
            user=request.user,
            params={"as_of": as_of.isoformat() if as_of else None},
            content=upload.read(),
            input_name=upload.name,
            title=f"Reading {upload.name}",
            back_url=request.path,
        )
        return jobs.follow(job, form, lambda: self._page(request, form, status=400))


#: The columns of an edition's change list on its page and in its exports.
CHANGE_COLUMNS = [
    Column("Change", "get_kind_display"),
    Column("State", "state"),
    Column("Agency", "agency_name"),
    Column("287(g) model", "get_program_model_display"),
    Column("Field", "field_label"),
    Column("Before", "before"),
    Column("After", "after"),
]

#: What each choice posted on an edition's page asks of the access policy.
EDITION_ACTIONS = {
    "discard": "discard",
    "apply": "apply",
    "apply_valid": "apply",
    "as_of": "correct_date",
    "accept_date": "review_dates",
    "reject_date": "review_dates",
}


class IceImportDetailView(ScopedRecordView):
    """An edition of ICE's list: its as-of date and evidence, the preview (or final
    report) and the choice to apply it, its change list against the edition before it
    (filters, CSV and Excel), and the changed signing dates for HQ to accept or reject."""

    model = IceImport
    template_name = "agreements/ice_import_detail.html"

    def record_queryset(self):
        return IceImport.objects.defer("content")

    def get(self, request, pk, as_of_form=None, status=200):
        from portal.tables import csv_response, xlsx_response

        from .filtersets import EditionChangeFilterSet
        from .forms import EditionDateForm
        from .models import EditionChange
        from .selectors import edition_summary

        ice_import = self.get_record(pk)
        changes = EditionChange.objects.filter(edition=ice_import)
        filterset = EditionChangeFilterSet(request.GET or None, queryset=changes, request=request)
        filter_panel.prepare(filterset, request)
        valid = filterset.is_bound and filterset.is_valid()
        filter_panel.describe(filterset.form)
        filtered = filterset.qs if valid else (changes.none() if filterset.is_bound else changes)
        export = request.GET.get("export")
        name = f"changes-{ice_import.edition}-{ice_import.as_of or 'undated'}"
        if export == "csv":
            return csv_response(CHANGE_COLUMNS, filtered.iterator(chunk_size=2000), name)
        if export == "xlsx":
            return xlsx_response(CHANGE_COLUMNS, filtered, name, "Changes")
        params = request.GET.copy()
        params.pop("export", None)
        report = ice_import.report
        may_correct = access.may(request.user, "correct_date", ice_import)
        shown = list(filtered[:500])
        return render(
            request,
            self.template_name,
            {
                "ice_import": ice_import,
                "report": report,
                "cleanings": [(CLEANING_LABELS.get(k, k), v) for k, v in report.get("cleanings", {}).items()],
                "has_changes": has_changes(report),
                "may_apply": access.may(request.user, "apply", ice_import)
                and ice_import.status == ImportStatus.PREVIEWED,
                "may_write": access.may(request.user, "review_dates", ice_import),
                "summary": edition_summary(ice_import, limit=0),
                "filter_form": filterset.form,
                "changes": shown,
                "changes_total": filtered.count(),
                "querystring": params.urlencode(),
                "reviews": ice_import.date_reviews.select_related("agreement__agency", "decided_by"),
                "as_of_form": uswds_form(as_of_form or EditionDateForm(initial={"as_of": ice_import.as_of}))
                if may_correct
                else None,
            },
            status=status,
        )

    def post(self, request, pk):
        from .forms import EditionDateForm

        choice = request.POST.get("choice")
        ice_import = self.get_record(pk, EDITION_ACTIONS.get(choice, "apply"))
        try:
            if choice == "discard":
                services.ice_import_discard(ice_import=ice_import, acting_user=request.user)
                messages.success(request, "Import discarded: nothing was applied.")
            elif choice in ("apply", "apply_valid"):
                job = jobs.start(
                    "agreements.ice_apply",
                    user=request.user,
                    params={"pk": ice_import.pk, "apply_valid": choice == "apply_valid"},
                    title=f"Applying {ice_import.file_name}",
                    back_url=ice_import.get_absolute_url(),
                )
                if job.status != job.Status.FAILED:
                    return jobs.job_redirect(job)
                messages.error(request, job.error)  # refused at once: said on the edition's page, as before
            elif choice == "as_of":
                form = EditionDateForm(request.POST)
                if not form.is_valid():
                    return self.get(request, pk, as_of_form=form, status=400)
                try:
                    services.ice_edition_set_as_of(edition=ice_import, acting_user=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    for field_name, errors in exc.message_dict.items():
                        form.add_error(field_name if field_name in form.fields else None, errors)
                    return self.get(request, pk, as_of_form=form, status=400)
                messages.success(request, "The edition's date is corrected.")
            elif choice in ("accept_date", "reject_date"):
                review = get_object_or_404(ice_import.date_reviews.all(), pk=request.POST.get("review"))
                services.signing_date_review_decide(
                    review=review, acting_user=request.user, accept=choice == "accept_date"
                )
                messages.success(
                    request,
                    "Signing date accepted: the agreement and its installation follow it."
                    if choice == "accept_date"
                    else "Signing date rejected: the agreement keeps its date.",
                )
            else:
                messages.error(request, "Choose whether to apply or discard the import.")
        except (TransitionNotAllowed, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
        return redirect(ice_import.get_absolute_url())
