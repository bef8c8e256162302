"""The browser shell: home page, findings, API tokens, and the base of every list page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.views import View
from django.views.generic import ListView, TemplateView

from portal.errors import TransitionNotAllowed

from . import access, filter_panel, services
from .api.filters import bound_filterset
from .compliance import services as finding_services
from .compliance.models import Finding, SweepRun
from .filtersets import FindingFilterSet
from .forms import FindingActionForm, TokenForm, submit
from .tables import Column, chosen_columns, csv_response, export_links, visible_columns, xlsx_response

WIDGET_CLASSES = {
    "Select": "usa-select",
    "SelectMultiple": "usa-select",
    "NullBooleanSelect": "usa-select",
    "TextInput": "usa-input",
    "NumberInput": "usa-input",
    "DateInput": "usa-input",
    "EmailInput": "usa-input",
    "URLInput": "usa-input",
    "Textarea": "usa-textarea",
    "ClearableFileInput": "usa-file-input",
    "FileInput": "usa-file-input",
    "CheckboxInput": "usa-checkbox__input",
    "PasswordInput": "usa-input",
}


def uswds_form(form, *, describe: bool = False):
    """Give a Django form's widgets the USWDS classes (and date pickers their type).

    With ``describe``, each input also names its hint and error message in
    ``aria-describedby`` (ids ``<auto_id>-hint`` / ``<auto_id>-error``, which the form's
    template must give those messages), so a screen reader reads the error with the
    field. Call it after validation, just before rendering."""
    for bound in form:
        if describe:
            ids = [f"{bound.auto_id}-hint"] if bound.help_text else []
            if bound.errors:
                ids.append(f"{bound.auto_id}-error")
            if ids:
                bound.field.widget.attrs["aria-describedby"] = " ".join(ids)
        widget = bound.field.widget
        name = type(widget).__name__
        css = WIDGET_CLASSES.get(name)
        if css:
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
        if name == "DateInput":
            widget.input_type = "date"
        if bound.errors:
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["class"] += " usa-input--error"
    return form


def _cell_html(column: Column, value, row, first: bool) -> str:
    """One cell of a list page's table, as ``portal/list.html`` used to write it per cell
    (a linked value, Yes / No, a document link, else the value as the template shows it):
    written in one pass, since 50 rows of 9 columns through the template's conditions were
    a large part of the officers' page."""
    if column.link:
        url = row.get_absolute_url()
        content = f'<a href="{conditional_escape(url)}">{_template_value("" if value is None else value)}</a>'
    elif value is True:
        content = "Yes"
    elif value is False:
        content = "No"
    elif str(value)[:4] == "http":
        content = (
            f'<a href="{conditional_escape(value)}">Document<span class="usa-sr-only"> for '
            f"{_template_value(row)}</span></a>"
        )
    else:
        content = _template_value("" if value is None else value)
    label = conditional_escape(column.label)
    if first:
        return f'<th scope="row" data-label="{label}">{content}</th>'
    numeric = ' class="numeric"' if column.numeric else ""
    return f'<td data-label="{label}"{numeric}>{content}</td>'


def _template_value(value) -> str:
    """A value as ``{{ value }}`` writes it: local time, localized, escaped."""
    return str(conditional_escape(str(localize(template_localtime(value)))))


class ScopedListView(LoginRequiredMixin, ListView):
    """A list page: rows the user may see, the filters shared with the API, sorting on
    the columns, search, pagination, and exports (``?export=csv`` or ``xlsx``) of all
    the filtered rows."""

    filterset_class = None
    columns: list[Column] = []
    paginate_by = 50
    default_sort = ""
    export_name = "export"
    title = ""
    intro = ""
    template_name = "portal/list.html"
    exports = ("csv", "xlsx")

    def base_queryset(self):
        return self.model.objects.all()

    @property
    def table_name(self) -> str:
        """The name the reader's column choice is saved under (``portal.TablePreference``)."""
        return self.export_name

    def offered_columns(self) -> list[Column]:
        """Every column the reader may see (the field policy drops the others), the
        export-only ones included: what the column chooser offers."""
        return visible_columns(self.columns, self.request.user, self.model, export=True)

    def saved_column_keys(self) -> list[str] | None:
        """The reader's saved choice of columns for this list (None: none saved)."""
        if not hasattr(self, "_saved_keys"):
            from .models import TablePreference

            preference = TablePreference.objects.filter(user=self.request.user, table=self.table_name).first()
            self._saved_keys = preference.columns if preference else None
        return self._saved_keys

    def visible_columns(self, *, export: bool = False) -> list[Column]:
        """The columns of the page: the reader's choice (else the default columns), as
        far as the field policy lets them see. Exports hold the chosen columns; without
        a choice, every column the reader may see, the export-only ones included."""
        offered = self.offered_columns()
        keys = self.saved_column_keys()
        if export:
            return offered if keys is None else chosen_columns(offered, keys)
        return [c for c in chosen_columns(offered, keys) if not c.export_only]

    def column_choices(self) -> list[dict]:
        """The column chooser's rows: the chosen columns in the reader's order, then the
        others in the list's order."""
        offered = self.offered_columns()
        chosen = chosen_columns(offered, self.saved_column_keys())
        if self.saved_column_keys() is None:
            chosen = [c for c in chosen if not c.export_only]
        rest = [c for c in offered if c not in chosen]
        return [
            {"key": c.key, "label": c.label, "chosen": c in chosen, "always": c.link, "export_only": c.export_only}
            for c in chosen + rest
        ]

    def post(self, request, *args, **kwargs):
        """The column chooser (``templates/portal/_columns.html``): save the ticked columns
        in the order shown (a "move" button moves one up or down first), or reset them to
        the defaults. A name the list does not offer comes back on the form (400)."""
        from .models import TablePreference

        access.require(request.user, "view", self.model)
        access.require(request.user, "change", TablePreference)
        if "reset" in request.POST:
            services.table_preference_reset(user=request.user, table=self.table_name)
            messages.success(request, "Columns reset to the defaults.")
            return HttpResponseRedirect(request.get_full_path())
        order = list(dict.fromkeys(request.POST.getlist("order")))
        ticked = request.POST.getlist("columns")
        direction, _, moved = request.POST.get("move", "").partition(":")
        if moved in order and direction in ("up", "down"):
            i = order.index(moved)
            j = i - 1 if direction == "up" else i + 1
            if 0 <= j < len(order):
                order[i], order[j] = order[j], order[i]
        keys = [k for k in order if k in ticked] + [k for k in ticked if k not in order]
        try:
            services.table_preference_save(
                user=request.user, table=self.table_name, columns=keys, offered=self.offered_columns()
            )
        except ValidationError as exc:
            self.column_error = " ".join(exc.message_dict.get("columns", exc.messages))
            self.object_list = self.get_queryset()
            return self.render_to_response(self.get_context_data(), status=400)
        if moved:  # the chooser stays open on the page that follows, on the column moved
            request.session["columns_open"] = self.table_name
            return HttpResponseRedirect(f"{request.get_full_path()}#column-{moved}")
        messages.success(request, "Columns saved. Exports of this list hold the same columns.")
        return HttpResponseRedirect(request.get_full_path())

    def get_queryset(self):
        queryset = access.restrict(self.base_queryset(), self.request.user, "view")
        self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        bound_filterset(self.filterset)  # ids and numbers the database can hold, as in the API
        filter_panel.prepare(self.filterset, self.request)
        invalid = self.filterset.is_bound and not self.filterset.is_valid()
        filter_panel.describe(self.filterset.form)
        self.sort = ""
        if invalid:
            return queryset.none()  # the form shows the error on its field
        queryset = self.filterset.qs if self.filterset.is_bound else queryset
        sort = self.request.GET.get("sort", self.default_sort)
        allowed = {c.sort for c in self.columns if c.sort}
        if sort.lstrip("-") in allowed:
            self.sort = sort
            queryset = queryset.order_by(sort, "pk")
        return queryset

    def get(self, request, *args, **kwargs):
        access.require(request.user, "view", self.model)
        export = request.GET.get("export")
        if export in self.exports:
            access.require(request.user, "export", self.model)
            rows = self.get_queryset()
            if rows.count() > settings.EXPORT_JOB_ROWS:  # a large export runs as a job (portal.jobs)
                return self.export_job(export)
            columns = self.visible_columns(export=True)
            if export == "csv":
                return csv_response(columns, rows.iterator(chunk_size=2000), self.export_name)
            return xlsx_response(columns, rows, self.export_name, self.title)
        return super().get(request, *args, **kwargs)

    def export_job(self, fmt: str):
        """Start the export as a job and send the browser to its page, which offers the
        file once it is written."""
        from . import jobs

        query = self.request.GET.copy()
        query.pop("export", None)
        job = jobs.start(
            "portal.export",
            user=self.request.user,
            params={
                "view": f"{type(self).__module__}.{type(self).__qualname__}",
                "query": query.urlencode(),
                "fmt": fmt,
                "kwargs": self.kwargs,
            },
            title=f"Export of {self.title or self.export_name} ({'Excel' if fmt == 'xlsx' else 'CSV'})",
            back_url=self.request.get_full_path(),
        )
        return jobs.job_redirect(job)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        params.pop("export", None)
        sort_params = params.copy()
        sort_params.pop("sort", None)
        headers = []
        columns = self.visible_columns()
        for column in columns:
            header = {"label": column.label, "numeric": column.numeric, "sort": None, "aria_sort": None}
            if column.sort:
                current = self.sort.lstrip("-") == column.sort
                descending = current and self.sort.startswith("-")
                next_sort = column.sort if (not current or descending) else f"-{column.sort}"
                query = sort_params.copy()
                query["sort"] = next_sort
                header["sort"] = "?" + query.urlencode()
                if current:
                    header["aria_sort"] = "descending" if descending else "ascending"
            headers.append(header)
        context.update(
            title=self.title,
            intro=self.intro,
            filter_form=self.filterset.form,
            filter_tags=filter_panel.active_filters(self.filterset.form, self.request),
            headers=headers,
            rows=[self._row(row, columns) for row in context["object_list"]],
            querystring=params.urlencode(),
            export_links=export_links(self.request, self.exports),
            column_choices=self.column_choices(),
            column_error=getattr(self, "column_error", ""),
            columns_open=bool(getattr(self, "column_error", ""))
            or self.request.session.pop("columns_open", None) == self.table_name,
            columns_chosen=self.saved_column_keys() is not None,
        )
        return context

    @staticmethod
    def _row(row, columns: list[Column]) -> dict:
        """A row of the table: the record, its cells' values and the row's markup."""
        cells = [(c, c.page_value(row)) for c in columns]
        html = "".join(_cell_html(c, value, row, i == 0) for i, (c, value) in enumerate(cells))
        return {"obj": row, "cells": cells, "html": mark_safe(f"<tr>{html}</tr>")}  # noqa: S308 - escaped cell by cell


class FilterSuggestionsView(LoginRequiredMixin, View):
    """The suggestions of a filter panel's type-ahead (``portal.filter_panel.SUGGESTIONS``):
    ``?q=`` the typed text; at most ``SUGGESTED`` of the reader's rows that contain it
    (those starting with it first), as JSON ``{"results": [{"value", "label"}], "more"}``.
    The rows are the same as the panel's (the reader's scope, ``portal.access``); the
    endpoint's access target is its source's model (``portal.access.PAGES``)."""

    source = ""

    def get(self, request):
        suggestions = filter_panel.SUGGESTIONS.get(self.source)
        if suggestions is None:
            raise Http404
        label, action = access.PAGES[request.resolver_match.view_name]
        access.require(request.user, action, label)
        text = request.GET.get("q", "")[:200]
        rows = suggestions.matching(request, text, filter_panel.SUGGESTED + 1)
        results = [{"value": row.pk, "label": suggestions.label(row)} for row in rows[: filter_panel.SUGGESTED]]
        return JsonResponse({"results": results, "more": len(rows) > filter_panel.SUGGESTED})


class ScopedRecordView(LoginRequiredMixin, View):
    """A page of one record (the detail equivalent of ``ScopedListView``): the record is
    found within the reader's scope by the access policy, else "not found" (404, never
    a hint that it exists); an action on it the reader's role is not granted is 403."""

    model = None

    def record_queryset(self):
        return self.model.objects.all()

    def get_record(self, pk, action: str = "view"):
        return access.get_or_404(self.record_queryset(), self.request.user, action, pk=pk)


class HomeView(LoginRequiredMixin, TemplateView):
    """Each person's home page: the figures of their scope, the sections the apps add for
    their role (``portal/panels.py``: a manager's agencies and to-dos, a director's
    office, OCIO's installations) and their open findings, a page at a time."""

    template_name = "portal/home.html"
    findings_per_page = 10

    def get(self, request, *args, **kwargs):
        # Another app may answer the home page for some roles (HQ: the national dashboard).
        from . import hooks

        response = hooks.call("home_page", request, default=None)
        if response is not None:
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from django.core.paginator import Paginator

        from . import hooks
        from .compliance.registry import registry
        from .panels import home_panels
        from .roles import Role, role_of

        user = self.request.user
        role = role_of(user)
        context = super().get_context_data(**kwargs)
        open_findings = Finding.objects.visible_to(user).open()
        # A director answers for the office: the list is the office's open findings; the
        # others' is the open findings they are responsible for.
        office_list = role == Role.FIELD_OFFICE_DIRECTOR
        listed = open_findings if office_list else open_findings.filter(responsible=user)
        listed = listed.select_related("agency", "responsible").most_urgent_first()
        page = Paginator(listed, self.findings_per_page).get_page(self.request.GET.get("page"))
        by_rule = open_findings.values("rule").annotate(n=Count("id")).order_by("-n", "rule")
        may_see_agreements = role != Role.OCIO and access.may(user, "view", "agreements.Agreement")
        context.update(
            findings_by_rule=[
                {"rule": row["rule"], "n": row["n"], "title": getattr(registry.get(row["rule"]), "title", row["rule"])}
                for row in by_rule
            ],
            findings_page=page,
            page_obj=page,
            querystring="",
            office_findings=office_list,
            findings_link=reverse("findings") + ("?is_open=true" if office_list else "?mine=true&is_open=true"),
            panels=home_panels(self.request),
            **(
                hooks.call(
                    "agreement_figures", user, default={"agency_count": 0, "signed_count": 0, "pending_count": 0}
                )
                if may_see_agreements
                else {"agency_count": None}
            ),
            open_findings_count=page.paginator.count if office_list else open_findings.count(),
            last_run=SweepRun.objects.first(),
            is_hq=access.scopes(user, "view", "agreements.Agency") == (access.ALL,),
            may_see_agreements=may_see_agreements,
        )
        return context


def finding_columns():
    from portal.compliance.models import last_runs_by_rule

    runs = last_runs_by_rule()
    return [
        Column("Finding", "rule_title", sort="rule", link=True),
        Column("Subject", "subject_label", sort="subject_label"),
        Column("Severity", "get_severity_display", sort="severity_rank"),
        Column("Status", "get_status_display", sort="status"),
        Column("Responsible", lambda f: f.responsible.get_full_name() if f.responsible_id else "HQ"),
        Column("First seen", "first_seen_at", sort="first_seen_at"),
        Column("Last seen", lambda f: f.seen_last(runs)[0], field="last_seen_at"),
        Column("Detail", "detail"),
    ]


class FindingListView(ScopedListView):
    model = Finding
    filterset_class = FindingFilterSet
    title = "Compliance findings"
    intro = "What the nightly compliance sweep found, narrowed to what you may see. A finding stays open until its condition is gone or HQ waives it."
    export_name = "findings"
    default_sort = ""  # most urgent first (base_queryset)
    template_name = "portal/finding_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"may_run_sweep": access.may(self.request.user, "run", SweepRun)}

    @property
    def columns(self):
        return finding_columns()

    def base_queryset(self):
        return Finding.objects.select_related("responsible").most_urgent_first()

    def get_queryset(self):
        if not self.request.GET:
            # The default view: open findings only.
            self.request.GET = self.request.GET.copy()
            self.request.GET["is_open"] = "true"
        return super().get_queryset()


class FindingDetailView(ScopedRecordView):
    model = Finding
    template_name = "portal/finding_detail.html"

    def get(self, request, pk, form_error: str = "", note: str = "", status: int = 200):
        finding = access.get_or_404(Finding.objects.select_related("responsible", "agency"), request.user, pk=pk)
        return self._render(request, finding)

    @staticmethod
    def _actions(user, finding) -> list[str]:
        actions = [a for a in ("acknowledge", "resolve", "waive") if finding.is_open and access.may(user, a, finding)]
        if finding.status == "acknowledged" and "acknowledge" in actions:
            actions.remove("acknowledge")
        return actions

    def _render(self, request, finding, form=None, status=200):
        actions = self._actions(request.user, finding)
        form = form or FindingActionForm(may_waive="waive" in actions)
        return render(
            request,
            self.template_name,
            {"finding": finding, "actions": actions, "form": uswds_form(form, describe=True)},
            status=status,
        )

    def post(self, request, pk):
        finding = self.get_record(pk)
        action = request.POST.get("action")
        services_by_action = {
            "acknowledge": lambda data: finding_services.finding_acknowledge(
                finding=finding, acting_user=request.user, note=data["note"]
            ),
            "resolve": lambda data: finding_services.finding_resolve(
                finding=finding, acting_user=request.user, note=data["note"]
            ),
            "waive": lambda data: finding_services.finding_waive(
                finding=finding, acting_user=request.user, reason=data["note"], until=data.get("until")
            ),
        }
        if action not in services_by_action:
            messages.error(request, "Choose an action.")
            return redirect("finding-detail", pk=pk)
        form = FindingActionForm(request.POST, may_waive=action == "waive")
        done = submit(form, services_by_action[action], field_names={"reason": "note"})
        if not done:
            if done.status == 403:  # a refused attempt is journaled, as the API's are
                from .audit.recording import record_refusal

                record_refusal(
                    request,
                    status=403,
                    model=Finding,
                    object_id=finding.pk,
                    user=request.user,
                    reason=str(done.error) or "Not allowed",
                    action="denied",
                )
            return self._render(request, finding, form, status=done.status)
        messages.success(request, f"Finding {action}d.")
        return redirect("finding-detail", pk=pk)


class TokenView(LoginRequiredMixin, View):
    """A person's own API tokens: create one (the key is shown once) or revoke one."""

    template_name = "portal/tokens.html"

    def _render(self, request, form=None, status=200, **context):
        from .models import ApiToken

        return render(
            request,
            self.template_name,
            {
                "tokens": ApiToken.objects.visible_to(request.user),
                "form": uswds_form(form or TokenForm(), describe=True),
                **context,
            },
            status=status,
        )

    def get(self, request):
        return self._render(request)

    def post(self, request):
        from .models import ApiToken

        access.require(request.user, "add", ApiToken)
        if "revoke" in request.POST:
            revoke = request.POST["revoke"]
            token = access.get_or_404(
                ApiToken.objects.all(), request.user, "delete", pk=int(revoke) if revoke.isdigit() else 0
            )
            try:
                services.token_revoke(token=token)
                messages.success(request, f"Token “{token.name}” revoked.")
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
            return redirect("tokens")
        form = TokenForm(request.POST)
        done = submit(
            form, lambda data: services.token_create(user=request.user, name=data["name"], expires_in_days=data["days"])
        )
        if not done:
            return self._render(request, form, status=done.status)
        # The key is shown once, on this answer; it is not stored.
        return self._render(request, new_token=done.result)


class SettingsView(LoginRequiredMixin, View):
    """HQ's settings (``/settings/``): one form per section, each saved by its app's
    service; the Unit Chief changes them, HQ's other roles read them. A refused value
    comes back on its field, and nothing of that section is saved."""

    template_name = "portal/settings.html"

    def _context(self, request, bound=None):
        from .settings_sections import all_sections

        sections = []
        for sec in all_sections():
            may_change = access.may(request.user, "change", sec.policy)
            form = None
            if may_change:
                form = bound[1] if bound and bound[0] == sec.key else sec.form()
                form = uswds_form(form, describe=True)
            sections.append(
                {
                    "section": sec,
                    "form": form,
                    "rows": None if may_change else sec.rows(),
                    "last_change": sec.last_change(),
                }
            )
        return {"title": "Settings", "sections": sections}

    def get(self, request):
        return render(request, self.template_name, self._context(request))

    def post(self, request):
        from .settings_sections import section

        sec = section(request.POST.get("section", ""))
        if sec is None:
            return render(request, self.template_name, self._context(request), status=400)
        access.require(request.user, "change", sec.policy)
        form = sec.form(request.POST)
        if form.is_valid():
            try:
                sec.save(request.user, form.cleaned_data)
            except ValidationError as exc:
                for name, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, f"{sec.title}: saved.")
                return HttpResponseRedirect(f"{reverse('settings')}#{sec.key}")
        return render(request, self.template_name, self._context(request, bound=(sec.key, form)), status=400)
