from portal.navigation import NavItem
from portal.roles import HQ_ROLES, Role

OVERSIGHT = HQ_ROLES | {Role.FIELD_OFFICE_DIRECTOR}

ITEMS = [
    NavItem("Dashboard", "oversight:dashboard", roles=OVERSIGHT, order=5, group="Oversight"),
    NavItem("Site readiness", "oversight:readiness", roles=OVERSIGHT, order=6, group="Oversight"),
    NavItem("Impact check", "oversight:impact", roles=OVERSIGHT, order=7, group="Oversight"),
    NavItem("Quarterly report", "oversight:report", roles=OVERSIGHT, order=8, group="Oversight"),
]
