"""The staffing model's section of the settings page."""

from __future__ import annotations

from portal.settings_sections import SettingsSection

from .forms import StaffingModelForm
from .models import StaffingModel


def _save(acting_user, data):
    from .services import staffing_model_update

    staffing_model_update(acting_user=acting_user, **data)


def _rows():
    model = StaffingModel.current()
    form = StaffingModelForm(instance=model)
    return [
        (form.fields[name].label, getattr(model, name) if getattr(model, name) is not None else "no limit")
        for name in form.fields
    ]


SECTIONS = [
    SettingsSection(
        key="staffing-model",
        title="Staffing model",
        intro="How many program managers the program needs: the staffing plan, the manager load and the "
        "office figures read these values.",
        policy="staffing.StaffingModel",
        form=lambda data=None: StaffingModelForm(data, instance=StaffingModel.current()),
        save=_save,
        rows=_rows,
        history_of=StaffingModel,
    ),
]
