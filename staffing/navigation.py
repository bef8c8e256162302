from portal.navigation import NavItem
from portal.roles import HQ_ROLES, Role

ITEMS = [
    NavItem("Manager load", "staffing:manager-load", order=30, match_prefix="/staffing/", group="Staffing"),
    NavItem(
        "Staffing plan",
        "staffing:plan",
        roles=HQ_ROLES | {Role.FIELD_OFFICE_DIRECTOR},
        order=31,
        match_prefix="/staffing/plan/",
        group="Staffing",
    ),
]
