from portal.navigation import NavItem
from portal.roles import HQ_ROLES

ITEMS = [
    NavItem("Agencies", "agreements:agency-list", order=10, match_prefix="/agencies/"),
    NavItem("Agreements", "agreements:agreement-list", order=20, match_prefix="/agreements/", group="Agreements"),
    NavItem(
        "ICE list imports",
        "agreements:ice-import-list",
        roles=HQ_ROLES,
        order=25,
        match_prefix="/agreements/ice-imports/",
        group="Agreements",
    ),
    NavItem(
        "Onboarding queue",
        "agreements:onboarding",
        roles=HQ_ROLES,
        order=26,
        match_prefix="/agreements/onboarding/",
        group="Agreements",
    ),
    NavItem(
        "Program timeline",
        "agreements:timeline",
        roles=HQ_ROLES,
        order=27,
        match_prefix="/agreements/timeline/",
        group="Agreements",
    ),
]
