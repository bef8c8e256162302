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


#: Rows each home list shows before its link to the full list.
HOME_ROWS = 10


def home_installations_panel(request):
    """The home page's installations: for a field program manager the steps of their
    sites to update, for a field office director the office's installations in
    progress, for OCIO the steps waiting for OCIO and figures about the installations."""
    from portal import access
    from portal.roles import Role, role_of

    role = role_of(request.user)
    if role not in (Role.FIELD_PM, Role.FIELD_OFFICE_DIRECTOR, Role.OCIO):
        return None
    if not access.may(request.user, "view", "itdeploy.Installation"):
        return None
    today = dates.today()
    settings = InstallationSettings.current()
    installations = selectors.visible_open_installations(request.user)
    context = {"role": role, "today": today, "rows": HOME_ROWS, "goal_days": settings.goal_days}
    if role == Role.FIELD_OFFICE_DIRECTOR:
        sites = [
            {
                "installation": i,
                "step": selectors.current_step(i),
                "clock": selectors.installation_clock(i, today, settings),
                "goal_on": selectors.goal_date(i, settings.goal_days, today),
            }
            for i in installations
        ]
        context.update(sites=sites[:HOME_ROWS], site_count=len(sites))
    else:
        owners = selectors.OCIO_OWNERS if role == Role.OCIO else None
        steps = selectors.open_steps(installations, today, settings, owners=owners)
        context.update(steps=steps[:HOME_ROWS], step_count=len(steps))
        if role == Role.OCIO:
            context["figures"] = selectors.installation_figures(request.user, installations, today, settings)
    return {"template": "itdeploy/_home_panel.html", "context": context, "order": 20}


HOME_PANELS = [home_installations_panel]
