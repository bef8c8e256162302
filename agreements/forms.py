"""Forms of the agreements pages: transitions, documents, uploads of ICE's lists."""

from __future__ import annotations

from django import forms

from portal import uploads

from .choices import DocumentKind

#: The transitions of the detail page: verb -> (button label, the date field's name, needs a reason).
TRANSITIONS = {
    "review": ("Start review", "effective_on", False),
    "approve": ("Approve", "effective_on", False),
    "sign": ("Record signature", "signed_on", False),
    "suspend": ("Suspend", "effective_on", True),
    "reinstate": ("Reinstate", "effective_on", False),
    "renew": ("Record renewal", "signed_on", False),
    "terminate": ("Terminate", "effective_on", True),
    "withdraw": ("Record withdrawal", "effective_on", True),
}


class TransitionForm(forms.Form):
    on = forms.DateField(label="Date it took effect")
    reason = forms.CharField(label="Reason", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, verb: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.verb = verb
        label, date_field, reason_required = TRANSITIONS[verb]
        self.label = label
        self.date_field = date_field
        if date_field == "signed_on":
            self.fields["on"].label = "Signing date"
        self.fields["reason"].required = reason_required
        self.fields["reason"].error_messages["required"] = "Give the reason for this change."
        if verb == "approve":
            # The expansion impact check (oversight) names the assessment the approval is made on;
            # over a red one, the approval needs a written justification.
            self.fields["impact_assessment"] = forms.IntegerField(
                label="Impact assessment number",
                required=False,
                min_value=1,
                help_text="Empty: the latest assessment that covers this application.",
            )
            self.fields["justification"] = forms.CharField(
                label="Justification (required over a red impact assessment)",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.prefix = verb


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=DocumentKind.choices)
    dated_on = forms.DateField(label="Date of the document")
    title = forms.CharField(label="Title", max_length=200)
    url = forms.URLField(label="Link", required=False, max_length=500, assume_scheme="https")
    file = forms.FileField(label="Or the file", required=False)


class IceUploadForm(forms.Form):
    file = forms.FileField(
        label="ICE's list (.xlsx or .csv)",
        help_text="The Participating Agencies or Pending Agencies workbook as ICE publishes it.",
    )
    as_of = forms.DateField(
        label="As of (optional)",
        required=False,
        help_text="The date ICE published it (YYYY-MM-DD), if you know it. Otherwise the portal "
        "dates it from its name and the signing dates inside.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_upload(upload, kinds=("xlsx", "csv"))
        return upload


class EditionDateForm(forms.Form):
    as_of = forms.DateField(label="As of", help_text="The date ICE published this edition (YYYY-MM-DD).")
    reason = forms.CharField(label="Why", max_length=250, help_text="The evidence for the date, kept in the history.")
