from portal.navigation import NavItem
from portal.roles import HQ_ROLES, Role

# The roles the access policy lets open each page (portal/access.py, oversight.*).
OVERSIGHT = HQ_ROLES | {Role.FIELD_OFFICE_DIRECTOR}
SCOPED = OVERSIGHT | {Role.FIELD_PM}

ITEMS = [
    NavItem("Dashboard", "oversight:dashboard", roles=SCOPED, order=5, group="Oversight"),
    NavItem("Site readiness", "oversight:readiness", roles=SCOPED, order=6, group="Oversight"),
    NavItem("Impact check", "oversight:impact", roles=OVERSIGHT, order=7, group="Oversight"),
    NavItem("Quarterly report", "oversight:report", roles=OVERSIGHT, order=8, group="Oversight"),
]
