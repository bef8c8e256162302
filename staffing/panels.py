"""The home page's section on a field office director's office: its program managers,
their load against the staffing model and who is absent today."""

from __future__ import annotations

from portal import access, dates
from portal.roles import Role, role_of

from . import figures as staffing_figures
from .models import Absence, StaffingModel


def home_office_panel(request):
    if role_of(request.user) != Role.FIELD_OFFICE_DIRECTOR or not access.may(request.user, "view", "staffing.figures"):
        return None
    today = dates.today()
    seen = staffing_figures.visible_figures(request.user, staffing_figures.compute(today))
    absent = {
        a.manager_id: a for a in Absence.objects.visible_to(request.user).active_on_day(today).order_by("ends_on", "pk")
    }
    office = seen["offices"][0] if seen["offices"] else None
    return {
        "template": "staffing/_home_office.html",
        "context": {
            "office": office,
            "managers": [{"load": m, "absence": absent.get(m.key)} for m in seen["managers"]],
            "model": StaffingModel.current(),
        },
        "order": 15,
    }


HOME_PANELS = [home_office_panel]
