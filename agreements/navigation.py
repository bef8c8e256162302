from portal.navigation import NavItem
from portal.roles import HQ_ROLES

ITEMS = [
    NavItem("Agencies", "agreements:agency-list", order=10, match_prefix="/agencies/"),
    NavItem("Agreements", "agreements:agreement-list", order=20, match_prefix="/agreements/", group="Agreements"),
    NavItem("ICE list imports", "agreements:ice-import-list", roles=HQ_ROLES, order=25,
            match_prefix="/agreements/ice-imports/", group="Agreements"),
]
