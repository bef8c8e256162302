from portal.navigation import NavItem

ITEMS = [
    NavItem("IT installations", "itdeploy:pipeline", order=40, match_prefix="/installations/"),
]
