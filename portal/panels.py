"""Sections that apps add to the agency page and the home page without editing their templates.

An app lists functions in ``<app>/panels.py`` as ``AGENCY_PANELS``; each takes
``(request, agency)`` and returns ``None`` (nothing to show) or a dict with
``template`` and ``context``. The agency page renders them in the order of INSTALLED_APPS.
"""

from __future__ import annotations

from functools import lru_cache

from django.template.loader import render_to_string


@lru_cache(maxsize=1)
def _agency_panel_functions():
    from .apps import app_modules

    return tuple(function for _, module in app_modules("panels") for function in getattr(module, "AGENCY_PANELS", []))


def agency_panels(request, agency) -> list[str]:
    """The rendered HTML of every app's section for this agency."""
    rendered = []
    for function in _agency_panel_functions():
        panel = function(request, agency)
        if panel:
            rendered.append(render_to_string(panel["template"], panel.get("context", {}), request=request))
    return rendered


# --- the home page -----------------------------------------------------------------------
#
# An app lists functions in ``<app>/panels.py`` as ``HOME_PANELS``; each takes
# ``(request)`` and returns ``None`` (nothing for this person) or a dict with ``template``,
# ``context`` and an ``order`` (smaller first; the portal's own findings come at 50). The
# home page renders them sorted by ``order``, then in the order of INSTALLED_APPS.


@lru_cache(maxsize=1)
def _home_panel_functions():
    from .apps import app_modules

    return tuple(function for _, module in app_modules("panels") for function in getattr(module, "HOME_PANELS", []))


def home_panels(request) -> list[dict]:
    """Every app's section of this person's home page, in order: ``{"order", "html"}``."""
    panels = []
    for function in _home_panel_functions():
        panel = function(request)
        if panel:
            html = render_to_string(panel["template"], panel.get("context", {}), request=request)
            panels.append({"order": panel.get("order", 100), "html": html})
    return sorted(panels, key=lambda p: p["order"])
