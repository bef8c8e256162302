"""The officers' grace periods: a section of the settings page."""

from __future__ import annotations

from django import forms

from portal.settings_sections import SettingsSection

from .models import TrainingSettings

FIELDS = [
    "card_warning_days",
    "card_lapsed_after_days",
    "revocation_days",
    "refresher_years",
    "auto_suspend",
    "auto_revoke",
]


class TrainingSettingsForm(forms.ModelForm):
    class Meta:
        model = TrainingSettings
        fields = FIELDS


def _save(acting_user, data):
    from .services import training_settings_update

    training_settings_update(acting_user=acting_user, **data)


def _rows():
    row = TrainingSettings.current()
    labels = {f.name: str(f.verbose_name) for f in TrainingSettings._meta.fields}
    return [
        (labels[name].capitalize(), {True: "yes", False: "no"}.get(getattr(row, name), getattr(row, name)))
        for name in FIELDS
    ]


SECTIONS = [
    SettingsSection(
        key="grace-periods",
        title="Officers' grace periods",
        intro="How long a security card may go without a login, and what happens after a missed "
        "recertification. A value set by the operators in the server's settings overrides these.",
        policy="training.TrainingSettings",
        form=lambda data=None: TrainingSettingsForm(data, instance=TrainingSettings.current()),
        save=_save,
        rows=_rows,
        history_of=TrainingSettings,
    ),
]
