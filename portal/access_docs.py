"""``docs/permissions.md``, written from the access policy (``portal.access``) by
``python manage.py permissions_matrix``; a test fails when the file is stale."""

from __future__ import annotations

from django.urls import get_resolver

from . import access
from .roles import Role

ROLE_LABELS = {
    Role.UNIT_CHIEF: "Unit Chief",
    Role.NATIONAL_PM: "National PM",
    Role.HQ_ANALYST: "HQ analyst",
    Role.FIELD_OFFICE_DIRECTOR: "Field Office Director",
    Role.FIELD_PM: "Field PM",
    Role.OCIO: "OCIO",
}


def _cell(scopes: tuple[str, ...]) -> str:
    return " + ".join(scopes) if scopes else "—"


def _patterns(resolver=None, prefix="", namespace=""):
    """Every named URL pattern: (name with namespace, route)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            ns = pattern.namespace or ""
            yield from _patterns(pattern, route, f"{namespace}{ns}:" if ns else namespace)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", route


def render() -> str:
    lines = [
        "# Who sees what and who may change what",
        "",
        "Generated from `portal/access.py` by `python manage.py permissions_matrix`; do not edit by hand",
        "(a test fails when this file differs from the policy).",
        "",
        "Each cell is the scope a role is granted for an action on a record type; a role granted",
        'several scopes gets their union; "—" grants nothing. On one record, outside what the role',
        "may *view* answers 404 (API) or not found (page), never a hint; seen but not allowed 403;",
        "anonymous 401 (API) or the login page. A list holds only the rows in view.",
        "",
        "Scopes: **all** every row; **field office** the rows of the caller's ERO field office;",
        "**assigned agencies** the rows of the agencies where the caller holds a current assignment",
        "(primary or backup); **OCIO's installations** the IT installation pipeline, nationally;",
        "**own rows** the caller's own (their tokens, the findings they are responsible for, their",
        "own record); other scopes are named in the record type's entry.",
        "",
    ]
    roles = list(access.ROLES)
    for target in access.TARGETS:
        lines += [f"## {target.title} (`{target.label}`)", ""]
        if target.note:
            lines += [target.note, ""]
        lines.append("| action | " + " | ".join(ROLE_LABELS[r] for r in roles) + " |")
        lines.append("| --- | " + " | ".join("---" for _ in roles) + " |")
        for action in target.actions:
            lines.append(f"| {action} | " + " | ".join(_cell(target.scopes_of(r, action)) for r in roles) + " |")
        lines.append("")
    lines += [
        "## Field policy",
        "",
        "Of a record it may see, a role named here sees only these fields (in the API, on the",
        "pages and in the exports); roles not named see every field.",
        "",
        "| record type | role | fields seen |",
        "| --- | --- | --- |",
    ]
    for label, per_role in access.FIELD_POLICY.items():
        for role, fields in per_role.items():
            lines.append(f"| `{label}` | {ROLE_LABELS[role]} | {', '.join(sorted(fields))} |")
    lines += ["", "## Pages", "", "| page | path | decided by | action |", "| --- | --- | --- | --- |"]
    routes = dict(_patterns())
    for name, (label, action) in access.PAGES.items():
        lines.append(f"| `{name}` | `/{routes.get(name, '?')}` | `{label}` | {action} |")
    lines += [
        "",
        "Outside the policy: "
        + "; ".join(f"`{n}` ({why})" for n, why in access.PUBLIC_PAGES.items())
        + "; the Django admin, which checks the same policy for the settings it edits.",
        "",
        "## API (`/api/v1/`)",
        "",
        "| endpoint | decided by | actions |",
        "| --- | --- | --- |",
    ]
    for prefix, viewset, basename in _router_registry():
        label, renames = access.API[basename]
        actions = [
            f"{name} → {policy}" if name != policy else name for name, policy in _viewset_actions(viewset, renames)
        ]
        lines.append(f"| `{prefix}` | `{label}` | {', '.join(actions)} |")
    lines.append("")
    return "\n".join(lines)


def _router_registry():
    from portal.api.urls import router

    return [(prefix, viewset, basename) for prefix, viewset, basename in router.registry]


def _viewset_actions(viewset, renames) -> list[tuple[str, str]]:
    """The routes of a viewset (name, policy action): the DRF ones it implements and
    allows, and its @action routes."""
    allowed = set(getattr(viewset, "http_method_names", []))
    methods = {
        "list": "get",
        "retrieve": "get",
        "create": "post",
        "update": "put",
        "partial_update": "patch",
        "destroy": "delete",
    }
    names = [n for n, method in methods.items() if hasattr(viewset, n) and method in allowed]
    names += [extra.__name__ for extra in viewset.get_extra_actions()]
    return [(n, renames.get(n, access.DRF_ACTIONS.get(n, n))) for n in names]
