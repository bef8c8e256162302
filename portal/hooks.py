"""Named providers that let one app answer another's question without importing it.

An app registers a provider in its ``AppConfig.ready()``; another calls it by name and
gets the ``default`` while no provider is registered. Providers of the portal:

- ``certified_officers_by_agency(on: date) -> dict[agency_id, int]``: the training app's
  count of certified officers able to act, per agency (used by staffing).
- ``models_needing_installation() -> list[str]``: the IT installation app's 287(g) models
  whose agreements need a site installation (used by training and the agency page: an
  agency under a model that needs none shows no equipment warning).
"""

from __future__ import annotations

from typing import Any, Callable

_providers: dict[str, Callable[..., Any]] = {}


def provide(name: str, func: Callable[..., Any]) -> None:
    _providers[name] = func


def call(name: str, *args, default: Any = None, **kwargs) -> Any:
    func = _providers.get(name)
    return default if func is None else func(*args, **kwargs)


def has(name: str) -> bool:
    return name in _providers
