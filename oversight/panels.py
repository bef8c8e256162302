"""The agency page's section on the site's readiness."""

from __future__ import annotations

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
