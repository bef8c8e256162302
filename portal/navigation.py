"""The header's navigation, by role. Each app lists its pages in ``<app>/navigation.py``
as ``ITEMS``; the portal collects them in the order of INSTALLED_APPS."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from .roles import role_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset | None = None  # None: every role
    order: int = 50
    match_prefix: str = field(default="")

    def url(self) -> str:
        return reverse(self.url_name)


@lru_cache(maxsize=1)
def all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.navigation")
        except ModuleNotFoundError:
            continue
        items.extend(getattr(module, "ITEMS", []))
    return tuple(sorted(items, key=lambda item: item.order))


def menu_for(user, path: str = "") -> list[dict]:
    role = role_of(user)
    if role is None:
        return []
    menu = []
    for item in all_items():
        if item.roles is not None and role not in item.roles:
            continue
        try:
            url = item.url()
        except NoReverseMatch:
            continue
        prefix = item.match_prefix or url
        menu.append({"label": item.label, "url": url, "current": prefix != "/" and path.startswith(prefix) or path == url})
    return menu


ITEMS = [
    NavItem("Home", "home", order=0, match_prefix="/"),
    NavItem("Findings", "findings", order=90),
]
