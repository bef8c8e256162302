"""The agency page's section on its officers and who can act today."""

from __future__ import annotations

from portal import dates

from .choices import OfficerStatus, SuspensionCause
from .models import Officer


def officers_panel(request, agency):
    officers = list(
        Officer.objects.visible_to(request.user)
        .filter(agency=agency)
        .with_standing()
        .order_by("last_name", "first_name")
    )
    if not officers:
        return {"template": "training/_agency_panel.html", "context": {"agency": agency, "officers": [], "able": 0}}
    rows = [{"officer": o, "reasons": o.reasons_cannot_act()} for o in officers]
    ended = sorted(
        {
            o.suspended_on
            for o in officers
            if o.status == OfficerStatus.SUSPENDED and o.suspension_cause == SuspensionCause.DESIGNATION_ENDED
        }
    )
    return {
        "template": "training/_agency_panel.html",
        "context": {
            "agency": agency,
            "officers": rows,
            "able": sum(1 for r in rows if not r["reasons"]),
            "today": dates.today(),
            "designation_ended": sum(
                1
                for o in officers
                if o.suspension_cause == SuspensionCause.DESIGNATION_ENDED and o.status == OfficerStatus.SUSPENDED
            ),
            "designation_ended_on": ended[-1] if ended else None,
        },
    }


AGENCY_PANELS = [officers_panel]
