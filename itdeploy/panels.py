"""The agency page's section on the site's IT installation."""

from __future__ import annotations

from portal import dates

from . import selectors
from .models import Installation, InstallationSettings


def installation_panel(request, agency):
    installation = (
        Installation.objects.visible_to(request.user).filter(agency=agency)
        .prefetch_related(selectors.steps_prefetch(), "clock_pauses").first()
    )
    if installation is None:
        return {"template": "itdeploy/_agency_panel.html", "context": {"agency": agency, "installation": None}}
    settings = InstallationSettings.current()
    today = dates.today()
    return {
        "template": "itdeploy/_agency_panel.html",
        "context": {
            "agency": agency, "installation": installation, "step": selectors.current_step(installation),
            "clock": selectors.installation_clock(installation, today, settings),
            "goal_on": selectors.goal_date(installation, settings.goal_days),
            "days": installation.days_since_moa(today),
        },
    }


AGENCY_PANELS = [installation_panel]
