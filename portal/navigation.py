"""The header's navigation, by role. Each app lists its pages in ``<app>/navigation.py``
as ``ITEMS``; the portal collects them in the order of INSTALLED_APPS."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.urls import NoReverseMatch, reverse

from . import access
from .roles import HQ_ROLES, role_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset | None = None  # None: every role
    order: int = 50
    match_prefix: str = field(default="")
    group: str = ""  # items of one group share a drop-down menu in the header

    def url(self) -> str:
        return reverse(self.url_name)


@lru_cache(maxsize=1)
def all_items() -> tuple[NavItem, ...]:
    from .apps import app_modules

    items = [item for _, module in app_modules("navigation") for item in getattr(module, "ITEMS", [])]
    return tuple(sorted(items, key=lambda item: item.order))


def menu_for(user, path: str = "") -> list[dict]:
    """The header's entries for a user: links, and groups of links (drop-down menus).
    The current page is the entry whose prefix matches the path the longest."""
    role = role_of(user)
    if role is None:
        return []
    links = []
    for item in all_items():
        if item.roles is not None and role not in item.roles:
            continue
        if item.url_name in access.PAGES and not access.may(
            user, access.PAGES[item.url_name][1], access.PAGES[item.url_name][0]
        ):
            continue  # the page's entry in the access policy decides who is offered it
        try:
            url = item.url()
        except NoReverseMatch:
            continue
        prefix = item.match_prefix or url
        matches = path == url or (prefix != "/" and path.startswith(prefix))
        links.append({"label": item.label, "url": url, "group": item.group, "match": len(prefix) if matches else -1})
    best = max((link["match"] for link in links), default=-1)
    menu: list[dict] = []
    groups: dict[str, dict] = {}
    for link in links:
        link["current"] = best >= 0 and link["match"] == best
        if not link["group"]:
            menu.append(link)
            continue
        group = groups.get(link["group"])
        if group is None:
            group = groups[link["group"]] = {
                "label": link["group"],
                "children": [],
                "current": False,
                "id": "nav-" + "".join(c if c.isalnum() else "-" for c in link["group"].lower()),
            }
            menu.append(group)
        group["children"].append(link)
        group["current"] = group["current"] or link["current"]
    # A group of one is a plain link.
    return [entry["children"][0] if entry.get("children") and len(entry["children"]) == 1 else entry for entry in menu]


ITEMS = [
    NavItem("Home", "home", order=0, match_prefix="/"),
    NavItem("Findings", "findings", order=90),
    NavItem("Audit trail", "audit", roles=HQ_ROLES, order=95),
]
