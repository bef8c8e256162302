"""One way for a page's form to write: the form checks the input, a service decides, and a
refusal lands on the form, next to the field it concerns.

``submit(form, call)`` validates ``form``; when it is valid, calls ``call(cleaned_data)``
(which calls the service); a ``ValidationError`` goes on the fields it names, a
``TransitionNotAllowed`` or ``PermissionDenied`` (and a message naming no field of the
form) once at the form's top. The answer says whether it was saved and which status the
page answers with when it was not::

    form = AbsenceForm(request.POST, prefix="absence")
    done = submit(form, lambda data: services.absence_save(acting_user=request.user, manager=manager, **data))
    if done:
        messages.success(request, "Absence recorded.")
        return redirect(...)
    return render(request, template, {"absence_form": form}, status=done.status)

``ServiceFormView`` is the same for a page that is just one form. Each message is shown
once: a message the form already shows (on that field or at its top) is not added again,
and the page does not repeat it in an alert of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views import View

from .errors import TransitionNotAllowed

#: What a service raises when it refuses, and the status the page answers with: the form
#: shown again with the reason is a 400, as for bad input, unless the role may not act.
REFUSAL_STATUS = ((ValidationError, 400), (TransitionNotAllowed, 400), (PermissionDenied, 403))


def _messages_of(exc: Exception) -> dict[str | None, list[str]]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return {
                (None if name == NON_FIELD_ERRORS else name): messages for name, messages in exc.message_dict.items()
            }
        return {None: list(exc.messages)}
    if isinstance(exc, TransitionNotAllowed):
        return {None: [exc.message]}
    return {None: [str(exc) or "You may not do this."]}


def add_service_errors(form, exc: Exception, *, field_names: Mapping[str, str] | None = None) -> None:
    """Put a service's refusal on ``form``: each message on the field it names (the
    service's field names mapped to the form's by ``field_names``, e.g. ``{"effective_on":
    "on"}``), else once at the form's top."""
    field_names = field_names or {}
    for name, texts in _messages_of(exc).items():
        target = field_names.get(name, name) if name is not None else None
        if target not in form.fields:
            target = None
        shown = form.errors.get(target if target is not None else NON_FIELD_ERRORS, [])
        for text in texts:
            if text not in shown:
                form.add_error(target, text)
                shown = form.errors.get(target if target is not None else NON_FIELD_ERRORS, [])


@dataclass
class Submission:
    """What became of a form sent to a service: ``result`` (the service's return) when it
    was saved; otherwise the status the page answers with (400 bad input or a state that
    does not allow it, 403 refused to the role), the reasons being on the form."""

    form: Any
    result: Any = None
    status: int = 200
    saved: bool = False
    error: Exception | None = None  # the service's refusal, when it refused

    def __bool__(self) -> bool:
        return self.saved


def submit(form, call: Callable[[dict], Any], *, field_names: Mapping[str, str] | None = None) -> Submission:
    """Validate ``form``; if valid, ``call(form.cleaned_data)``; a refusal goes on the form."""
    if not form.is_valid():
        return Submission(form, status=400)
    try:
        result = call(form.cleaned_data)
    except (ValidationError, TransitionNotAllowed, PermissionDenied) as exc:
        add_service_errors(form, exc, field_names=field_names)
        status = next(code for kind, code in REFUSAL_STATUS if isinstance(exc, kind))
        return Submission(form, status=status, error=exc)
    return Submission(form, result=result, saved=True)


class ServiceFormView(LoginRequiredMixin, View):
    """A page that is one form sent to one service: GET shows it, POST submits it; saved,
    the page redirects with a message (POST-redirect-GET); refused, it shows the form again
    with the reasons on its fields and answers 400 (or 403).

    Subclasses name ``form_class`` and ``template_name`` and define ``perform(form_data)``
    (call the service; return the success message) and ``get_success_url()``; they may
    override ``allowed()`` (may the user send this form at all: 403 otherwise),
    ``get_form_kwargs()`` and ``get_context_data(form)``.
    """

    form_class = None
    template_name = ""
    form_context_name = "form"
    field_names: Mapping[str, str] = {}

    def allowed(self) -> bool:
        return True

    def get_form_kwargs(self) -> dict:
        return {}

    def get_form(self, data=None, files=None):
        if data is None:
            return self.form_class(**self.get_form_kwargs())
        return self.form_class(data, files, **self.get_form_kwargs())

    def get_context_data(self, form) -> dict:
        return {self.form_context_name: form}

    def render_form(self, form, status: int = 200):
        return render(self.request, self.template_name, self.get_context_data(form), status=status)

    def perform(self, form_data: dict) -> str:
        raise NotImplementedError

    def get_success_url(self) -> str:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        if not self.allowed():
            raise PermissionDenied
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        if not self.allowed():
            raise PermissionDenied
        done = submit(self.get_form(request.POST, request.FILES), self.perform, field_names=self.field_names)
        if done:
            messages.success(request, done.result)
            return redirect(self.get_success_url())
        return self.render_form(done.form, status=done.status)


# --- the portal's own forms ----------------------------------------------------------------


class FindingActionForm(forms.Form):
    """What a person writes when acknowledging, resolving or waiving a finding."""

    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    until = forms.DateField(
        label="Waiver ends on (optional)", required=False, widget=forms.DateInput(format="%Y-%m-%d")
    )

    def __init__(self, *args, may_waive: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if may_waive:
            self.fields["note"].label = "Note (a waiver needs its reason here)"
        else:
            del self.fields["until"]


class TokenForm(forms.Form):
    """A new API token: what it is for, and how long it lasts."""

    name = forms.CharField(
        label="Name",
        max_length=100,
        error_messages={"required": "Give the token a name, such as the client that will use it."},
    )
    days = forms.IntegerField(
        label="Expires after (days)",
        initial=90,
        min_value=1,
        max_value=365,
        error_messages={
            "min_value": "Choose between 1 and 365 days.",
            "max_value": "Choose between 1 and 365 days.",
            "invalid": "Choose between 1 and 365 days.",
        },
    )
