"""Named providers that let one app answer another's question without importing it.

An app registers a provider in its ``AppConfig.ready()``; another calls it by name and
gets the ``default`` while no provider is registered. Providers of the portal:

- ``certified_officers_by_agency(on: date) -> dict[agency_id, int]``: the training app's
  count of certified officers able to act, per agency (used by staffing).
- ``primary_manager_ids(on: date) -> dict[agency_id, user_id]``: the staffing app's
  primary program managers (used by the sweep to name who is responsible).
- ``agency_assignments(agency, user) -> list[Assignment]`` and
  ``agency_assignment_history(agency, user)``: the staffing app's assignments of an agency
  that ``user`` may see, and their change history (None where the user sees none), for
  the agreements app's agency and agreement pages.
- ``agreement_figures(user) -> dict``: the agreements app's counts of the caller's
  agencies, signed agreements and pending applications (the home page).

``portal/`` imports no app: it reaches them through these providers, the per-app modules
it discovers (``navigation``, ``panels``, ``rules``, ``demo``, ``api.urls``), the
relations of its own models and the access policy's model labels; import-linter holds it
to that (``.importlinter``).
- ``home_page(request) -> HttpResponse | None``: the oversight app's national dashboard
  as HQ's home page (None: the portal's own home page).
- ``agreement_approval_check(agreement, acting_user, assessment_id, justification) -> str``
  and ``agreement_approved(...)``: the oversight app's expansion impact check before an
  approval (may raise ``ValidationError``) and its record after (used by agreements).
- ``models_needing_installation() -> list[str]``: the IT installation app's 287(g) models
  whose agreements need a site installation (used by training and the agency page: an
  agency under a model that needs none shows no equipment warning).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_providers: dict[str, Callable[..., Any]] = {}


def provide(name: str, func: Callable[..., Any]) -> None:
    _providers[name] = func


def call(name: str, *args, default: Any = None, **kwargs) -> Any:
    func = _providers.get(name)
    return default if func is None else func(*args, **kwargs)


def has(name: str) -> bool:
    return name in _providers
