"""Sections that apps add to the agency page without editing its template.

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
