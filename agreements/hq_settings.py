"""The agreements rules' section of the settings page."""

from __future__ import annotations

from django import forms

from portal.settings_sections import SettingsSection

from .models import AgreementSettings


class AgreementSettingsForm(forms.ModelForm):
    class Meta:
        model = AgreementSettings
        fields = ["review_days_limit"]


def _save(acting_user, data):
    from .services import agreement_settings_update

    agreement_settings_update(acting_user=acting_user, **data)


SECTIONS = [
    SettingsSection(
        key="agreements",
        title="Application review limit",
        intro="The nightly sweep reports an application that has waited on HQ longer than this.",
        policy="agreements.AgreementSettings",
        form=lambda data=None: AgreementSettingsForm(data, instance=AgreementSettings.current()),
        save=_save,
        rows=lambda: [("Days an application may stay under review", AgreementSettings.current().review_days_limit)],
        history_of=AgreementSettings,
    ),
]
