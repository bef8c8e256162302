"""Pages of ICE's lists as a feed: the scheduled fetches, the change digest subscription,
the program's timeline and the onboarding queue of the agencies each edition adds."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views import View

from portal import access, dates, hooks
from portal.roles import Role
from portal.tables import Column, Table
from portal.views import uswds_form

from . import services
from .choices import InstallationDecision, ProgramModel
from .geo import STATE_CHOICES
from .models import Agreement, FieldOffice, IceDigestSubscription, IceFetch, IceImport, IceSource, OnboardingEntry

#: The fetches' table, on the page and in its exports.
FETCH_COLUMNS = [
    Column("When", "started_at"),
    Column("Address", "url"),
    Column("Result", "get_status_display"),
    Column("HTTP", "http_status"),
    Column("Bytes", "size", numeric=True),
    Column("Attempts", "attempts", numeric=True),
    Column("Details", "reason"),
    Column("Edition", lambda f: f.edition.file_name if f.edition else ""),
]


class IceFetchListView(LoginRequiredMixin, View):
    """The scheduled fetch of ICE's lists: the addresses, the schedule, and every fetch
    with what came of it. HQ writers can fetch now."""

    template_name = "agreements/ice_fetch_list.html"

    def get(self, request):
        access.require(request.user, "view", IceFetch)
        from django_celery_beat.models import PeriodicTask

        from .feed import configured_urls

        fetches = IceFetch.objects.visible_to(request.user).select_related("edition")
        table = Table(FETCH_COLUMNS, fetches, target=IceFetch, name="ice-fetches", title="Fetches of ICE's lists")
        if (export := table.export(request)) is not None:
            return export
        return render(
            request,
            self.template_name,
            {
                **table.page(request),
                "sources": IceSource.objects.visible_to(request.user),
                "urls": configured_urls(),
                "schedule": PeriodicTask.objects.filter(task="agreements.fetch_ice_lists")
                .select_related("crontab")
                .first(),
                "may_fetch": access.may(request.user, "fetch", IceFetch),
            },
        )

    def post(self, request):
        access.require(request.user, "fetch", IceFetch)
        from .feed import configured_urls
        from .tasks import fetch_ice_lists

        if not configured_urls():
            messages.error(request, "No address to fetch: ICE_LIST_URLS is empty (see .env.example).")
        else:
            fetch_ice_lists.delay(triggered_by=f"HQ: {request.user.username}")
            messages.success(request, "Fetch started: its results appear below.")
        return redirect("agreements:ice-fetch-list")


class DigestForm(forms.Form):
    subscribed = forms.BooleanField(
        label="E-mail me the change digest of each new edition of ICE's lists",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )


class IceDigestView(LoginRequiredMixin, View):
    """An HQ user's choice to receive the change digest e-mail."""

    template_name = "agreements/ice_digest.html"

    def _page(self, request, form, status=200):
        return render(request, self.template_name, {"form": uswds_form(form)}, status=status)

    def get(self, request):
        access.require(request.user, "view", IceDigestSubscription)
        current = IceDigestSubscription.objects.filter(user=request.user).values_list("subscribed", flat=True).first()
        return self._page(request, DigestForm(initial={"subscribed": bool(current)}))

    def post(self, request):
        access.require(request.user, "change", IceDigestSubscription)
        form = DigestForm(request.POST)
        if not form.is_valid():
            return self._page(request, form, status=400)
        services.digest_subscription_set(user=request.user, subscribed=form.cleaned_data["subscribed"])
        messages.success(
            request,
            "You will receive the digest." if form.cleaned_data["subscribed"] else "You will not receive the digest.",
        )
        return redirect("agreements:ice-digest")


class TimelineFilterForm(forms.Form):
    state = forms.ChoiceField(label="State", required=False, choices=[("", "All states"), *STATE_CHOICES])
    program_model = forms.ChoiceField(
        label="287(g) model", required=False, choices=[("", "All models"), *ProgramModel.choices]
    )


class TimelineView(LoginRequiredMixin, View):
    """The program's real growth since the first edition of ICE's list the portal has:
    agreements in force and signed per month by 287(g) model and state, agreements that
    left the list, time from first pending listing to signature, and the program
    managers the growth required against those assigned."""

    template_name = "agreements/timeline.html"

    def get(self, request):
        access.require(request.user, "view", "agreements.timeline")
        from .selectors import program_timeline

        form = TimelineFilterForm(request.GET or None)
        state = model = ""
        if form.is_bound and form.is_valid():
            state, model = form.cleaned_data["state"], form.cleaned_data["program_model"]
        timeline = program_timeline(today=dates.today(), state=state, program_model=model)
        models = [m for m, _ in ProgramModel.choices]
        chart = {
            "labels": [m["month"] for m in timeline["months"]],
            "in_force": {
                label: [m["in_force"][code] for m in timeline["months"]] for code, label in ProgramModel.choices
            },
            "signed": [m["signed_total"] for m in timeline["months"]],
            "left": [m["left"] for m in timeline["months"]],
            "pms_required": [m["pms_required"] for m in timeline["months"]],
            "pms_assigned": [m["pms_assigned"] for m in timeline["months"]],
        }
        return render(
            request,
            self.template_name,
            {
                "form": uswds_form(form if form.is_bound else TimelineFilterForm()),
                "timeline": timeline,
                "chart": chart,
                "model_codes": models,
                "latest": timeline["months"][-1] if timeline["months"] else None,
            },
            status=400 if form.is_bound and not form.is_valid() else 200,
        )


def _field_managers():
    return (
        get_user_model()
        .objects.filter(is_active=True, staff_profile__role=Role.FIELD_PM)
        .select_related("staff_profile__field_office")
        .order_by("last_name", "first_name", "username")
    )


class ManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        office = getattr(getattr(user, "staff_profile", None), "field_office", None)
        return f"{user.get_full_name() or user.username}{f' ({office.name})' if office else ''}"


class OnboardingForm(forms.Form):
    entry = forms.ModelMultipleChoiceField(
        queryset=OnboardingEntry.objects.none(),
        label="Agencies",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
        error_messages={"required": "Select at least one agency."},
    )
    confirm_office = forms.BooleanField(
        label="Confirm their field office",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )
    field_office = forms.ModelChoiceField(
        queryset=FieldOffice.objects.all(),
        required=False,
        label="Or move them to this field office",
        empty_label="(keep it)",
    )
    primary = ManagerChoiceField(
        queryset=get_user_model().objects.none(), required=False, label="Primary program manager", empty_label="(none)"
    )
    backup = ManagerChoiceField(
        queryset=get_user_model().objects.none(), required=False, label="Backup program manager", empty_label="(none)"
    )
    starts_on = forms.DateField(label="Assignments start on", required=False)
    installation_decision = forms.ChoiceField(
        label="Site installation",
        required=False,
        choices=[("", "(no decision)"), *[c for c in InstallationDecision.choices if c[0]]],
    )

    def __init__(self, *args, entries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries if entries is not None else OnboardingEntry.objects.none()
        managers = _field_managers()
        self.fields["primary"].queryset = managers
        self.fields["backup"].queryset = managers

    def clean(self):
        data = super().clean()
        if data.get("primary") and data.get("primary") == data.get("backup"):
            self.add_error("backup", "The backup must be another program manager than the primary.")
        if (data.get("primary") or data.get("backup")) and not data.get("starts_on"):
            self.add_error("starts_on", "Give the date the assignments start.")
        if not any(
            data.get(k) for k in ("confirm_office", "field_office", "primary", "backup", "installation_decision")
        ):
            raise ValidationError("Choose at least one thing to do for the selected agencies.")
        return data


class OnboardingView(LoginRequiredMixin, View):
    """The onboarding queue: the agencies editions of ICE's list added, what each still
    lacks, a suggestion of the least-loaded program manager of its field office, and a
    form to confirm offices, assign managers and decide installations in bulk."""

    template_name = "agreements/onboarding.html"

    def _entries(self, request):
        from .selectors import onboarding_queue

        entries = onboarding_queue(today=dates.today(), user=request.user)
        office = request.GET.get("office")
        if office and office.isdecimal():
            entries = entries.filter(agency__field_office_id=int(office))
        edition = request.GET.get("edition")
        if edition and edition.isdecimal():
            entries = entries.filter(edition_id=int(edition))
        return entries

    def _page(self, request, form, status=200):
        from .models import AgreementSettings
        from .selectors import onboarding_missing

        entries = list(self._entries(request)[:500])
        offices = {e.agency.field_office_id for e in entries}
        suggestions = hooks.call("program_manager_suggestions", offices, dates.today(), default={}) or {}
        needing = set(hooks.call("program_models_needing_installation", default=[]) or [])
        models_by_agency: dict[int, set] = {}
        for agency_id, model in Agreement.objects.filter(agency_id__in=[e.agency_id for e in entries]).values_list(
            "agency_id", "program_model"
        ):
            models_by_agency.setdefault(agency_id, set()).add(model)
        grace = AgreementSettings.current().onboarding_grace_days
        rows = []
        for e in entries:
            best = (suggestions.get(e.agency.field_office_id) or [None])[0]
            models = models_by_agency.get(e.agency_id, set())
            rows.append(
                {
                    "entry": e,
                    "missing": onboarding_missing(e),
                    "suggestion": best,
                    "models": ", ".join(sorted(m.upper() for m in models)),
                    "installation_hint": "needed" if models & needing else "not needed",
                    "grace_ends": e.entered_on + dt.timedelta(days=grace),
                }
            )
        return render(
            request,
            self.template_name,
            {
                "rows": rows,
                "form": uswds_form(form) if form is not None else None,
                "offices": FieldOffice.objects.filter(
                    pk__in=OnboardingEntry.objects.filter(completed_on__isnull=True).values("agency__field_office_id")
                ),
                "editions": IceImport.objects.filter(
                    pk__in=OnboardingEntry.objects.filter(completed_on__isnull=True).values("edition_id")
                ).defer("content", "rows", "report"),
                "selected_office": request.GET.get("office", ""),
                "selected_edition": request.GET.get("edition", ""),
                "grace": grace,
                "may_change": form is not None,
            },
            status=status,
        )

    def _form(self, request, data=None):
        return OnboardingForm(data, entries=self._entries(request), initial={"starts_on": dates.today()})

    def get(self, request):
        access.require(request.user, "view", OnboardingEntry)
        may_onboard = access.may(request.user, "onboard", OnboardingEntry)
        return self._page(request, self._form(request) if may_onboard else None)

    def post(self, request):
        access.require(request.user, "onboard", OnboardingEntry)
        form = self._form(request, request.POST)
        if not form.is_valid():
            return self._page(request, form, status=400)
        data = form.cleaned_data
        try:
            done = services.onboarding_update(
                entries=list(data["entry"]),
                acting_user=request.user,
                confirm_office=data["confirm_office"],
                field_office=data["field_office"],
                installation_decision=data["installation_decision"],
                primary=data["primary"],
                backup=data["backup"],
                starts_on=data["starts_on"],
            )
        except ValidationError as exc:
            for field_name, errors in exc.message_dict.items():
                form.add_error(field_name if field_name in form.fields else None, errors)
            return self._page(request, form, status=400)
        messages.success(
            request,
            (
                f"{len(data['entry'])} agenc{'y' if len(data['entry']) == 1 else 'ies'}: {done['offices']} office(s) "
                f"confirmed, {done['assignments']} assignment(s), {done['decisions']} installation decision(s); "
                f"{done['completed']} finished onboarding."
            ),
        )
        return redirect(request.get_full_path())
