"""The agency page's section on the site's IT installation and equipment."""

from __future__ import annotations

from agreements.choices import ENDED_STATUSES
from agreements.models import Agreement
from portal import dates

from . import selectors
from .models import Installation, InstallationSettings, ProgramModelSetting


def installation_panel(request, agency):
    installation = (
        Installation.objects.visible_to(request.user)
        .filter(agency=agency)
        .prefetch_related(selectors.steps_prefetch(), "clock_pauses")
        .first()
    )
    models = set(
        Agreement.objects.filter(agency=agency)
        .exclude(status__in=ENDED_STATUSES)
        .values_list("program_model", flat=True)
    )
    needs_site = bool(models & set(ProgramModelSetting.models_needing_installation()))
    if installation is None and models and not needs_site:
        # Task Force or Warrant Service only: the model needs no site installation, so the
        # page shows no installation and no equipment warning.
        return None
    context = {"agency": agency, "installation": installation, "needs_site": needs_site or not models}
    if installation is None:
        return {"template": "itdeploy/_agency_panel.html", "context": context}
    settings = InstallationSettings.current()
    today = dates.today()
    pause = next((p for p in installation.clock_pauses.all() if p.ended_on is None), None)
    return {
        "template": "itdeploy/_agency_panel.html",
        "context": {
            **context,
            "step": selectors.current_step(installation),
            "clock": selectors.installation_clock(installation, today, settings),
            "goal_on": selectors.goal_date(installation, settings.goal_days, today),
            "days": installation.days_since_moa(today),
            "paused_days": installation.paused_days(today),
            "clock_paused_since": pause.started_on if pause else None,
            "cancelled_steps": sum(1 for s in installation.steps.all() if s.cancelled_on),
        },
    }


AGENCY_PANELS = [installation_panel]
