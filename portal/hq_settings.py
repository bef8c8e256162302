"""The portal's sections of the settings page: the nightly sweep's schedule and its
notifications."""

from __future__ import annotations

from django import forms

from .compliance.models import SweepSettings
from .settings_sections import SettingsSection


class SweepSettingsForm(forms.ModelForm):
    class Meta:
        model = SweepSettings
        fields = ["hour", "minute", "enabled", "email_new_findings"]


def _save(acting_user, data):
    from .compliance.services import sweep_settings_update

    sweep_settings_update(acting_user=acting_user, **data)


def _rows():
    row = SweepSettings.current()
    return [
        ("Runs at", f"{row.hour:02d}:{row.minute:02d} America/New_York"),
        ("Every night", "yes" if row.enabled else "no (only when started by hand)"),
        ("E-mails new findings to the responsible person", "yes" if row.email_new_findings else "no"),
    ]


SECTIONS = [
    SettingsSection(
        key="sweep",
        title="Nightly compliance sweep and notifications",
        intro="When the sweep checks every rule, and whether each responsible person gets an e-mail of the "
        "findings it opened for them.",
        policy="portal.SweepSettings",
        form=lambda data=None: SweepSettingsForm(data, instance=SweepSettings.current()),
        save=_save,
        rows=_rows,
        history_of=SweepSettings,
    ),
]
