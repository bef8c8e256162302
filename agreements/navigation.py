from portal.navigation import NavItem

ITEMS = [
    NavItem("Agencies", "agreements:agency-list", order=10, match_prefix="/agencies/"),
    NavItem("Agreements", "agreements:agreement-list", order=20, match_prefix="/agreements/"),
]
