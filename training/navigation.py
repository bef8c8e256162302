from portal.navigation import NavItem
from portal.roles import HQ_ROLES, Role

ITEMS = [
    NavItem(
        "Officers",
        "training:officer-list",
        roles=HQ_ROLES | {Role.FIELD_OFFICE_DIRECTOR, Role.FIELD_PM},
        order=40,
        match_prefix="/officers/",
        group="Officers and training",
    ),
    NavItem(
        "Training",
        "training:class-calendar",
        roles=HQ_ROLES | {Role.FIELD_OFFICE_DIRECTOR, Role.FIELD_PM},
        order=45,
        match_prefix="/training/",
        group="Officers and training",
    ),
]
