"""The agency page's section on the site's readiness."""

from __future__ import annotations

import datetime as dt

from .readiness import site_readiness


def readiness_panel(request, agency):
    from portal.roles import FIELD_ROLES, HQ_ROLES, role_of

    if role_of(request.user) not in HQ_ROLES | FIELD_ROLES:
        return None
    sites = site_readiness(request.user, agency_ids=[agency.pk])
    return {
        "template": "oversight/_agency_panel.html",
        "context": {"agency": agency, "site": sites[0] if sites else None},
    }


AGENCY_PANELS = [readiness_panel]


#: Agencies the home page lists before its link to the full list.
HOME_ROWS = 10


def home_agencies_panel(request):
    """A field program manager's agencies, or a field office director's office's, each
    with its readiness and its next deadline (the installation's goal or a step due, a
    security card to lapse, a refresher or the recertification due)."""
    from agreements.models import Agency
    from itdeploy.models import InstallationSettings
    from itdeploy.selectors import installation_deadlines, visible_open_installations
    from portal import dates
    from portal.roles import FIELD_ROLES, role_of
    from training.selectors import certified_with_standing, officer_deadlines

    from .choices import Readiness

    if role_of(request.user) not in FIELD_ROLES:
        return None
    today = dates.today()
    agencies = list(Agency.objects.visible_to(request.user).order_by("name", "pk"))
    ids = [a.pk for a in agencies]
    readiness = {site.agency_id: site for site in site_readiness(request.user, agency_ids=ids, today=today)}
    deadlines = installation_deadlines(visible_open_installations(request.user), today, InstallationSettings.current())
    for agency_id, rows in officer_deadlines(certified_with_standing(request.user, today, ids), today).items():
        deadlines.setdefault(agency_id, []).extend(rows)
    order = {Readiness.NOT_READY: 0, Readiness.PARTLY: 1, Readiness.READY: 2, None: 3}
    rows = []
    for agency in agencies:
        site = readiness.get(agency.pk)
        found = sorted(deadlines.get(agency.pk, []), key=lambda d: d[0])
        upcoming = [d for d in found if d[0] >= today]
        overdue = [d for d in found if d[0] < today]
        rows.append(
            {
                "agency": agency,
                "site": site,
                "deadline": upcoming[0] if upcoming else None,
                "overdue": len(overdue),
                "first_overdue": overdue[0] if overdue else None,
            }
        )
    rows.sort(
        key=lambda r: (
            order[r["site"].status if r["site"] else None],
            r["deadline"][0] if r["deadline"] else dt.date.max,
            r["agency"].name,
        )
    )
    counts = {code: sum(1 for r in rows if r["site"] and r["site"].status == code) for code, _ in Readiness.choices}
    return {
        "template": "oversight/_home_agencies.html",
        "context": {
            "rows": rows[:HOME_ROWS],
            "count": len(rows),
            "counts": counts,
            "more": len(rows) > HOME_ROWS,
            "office": role_of(request.user) == "fod",
        },
        "order": 10,
    }


HOME_PANELS = [home_agencies_panel]
