"""Who sees what and who may change what: the one access policy of the portal, as data.

For every record type (a model, or a computed resource such as the staffing figures),
every role (``shared/roles.md``) and every action (``view``, ``add``, ``change``,
``delete`` and the named actions: agreement transitions, installation step actions,
``acknowledge``, ``resolve``, ``waive``, ``import``, ``export``, ...), ``POLICY`` names the
scope the role is granted:

- ``all``: every row;
- ``field office``: the rows of the caller's ERO field office;
- ``assigned agencies``: the rows of the agencies where the caller (a Field Program
  Manager) holds an assignment, primary or backup, that has started and not ended;
- ``OCIO's installations``: the IT installation pipeline (OCIO's work, nationally);
- ``own rows``: the rows that belong to the caller (their tokens, their findings, ...);
- a few scopes of one record type, named in its entry (e.g. the program managers below
  the caller in a reporting line);
- nothing, when the role is not named.

A role granted several scopes gets their union. Everything that hangs off an agency
follows the agency (a record type names its path to the agency).

How it is read:

- ``Model.objects.restrict(user, action="view")``: the rows ``user`` may ``action``
  (``RestrictedQuerySet``, after NetBox's); ``visible_to(user)`` is ``restrict(user, "view")``.
- ``may(user, action, obj_or_model)``: one question for services, views and templates.
- ``check(user, action, obj)``: raises ``OutOfScope`` (404) when ``user`` may not even see
  the record, ``PermissionDenied`` (403) when they see it but may not act.
- ``get_or_404(queryset, user, **lookup)``: one record within the caller's view.
- ``hidden_fields(user, model)`` / ``FIELD_POLICY``: the fields a restricted role does not
  see of a record it may see (OCIO sees an agency's name, type, state, county, field
  office and installation, not its contacts).

``PAGES`` maps every page (URL name) and ``API`` every API viewset action to the entry
and action that decide it; a test fails for a URL pattern or viewset action missing here.
``python manage.py permissions_matrix`` writes ``docs/permissions.md`` from this module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

from .errors import OutOfScope
from .roles import HQ_ROLES, Role, field_office_id_of, role_of

UC, NPM, AN, FOD, PM, OCIO = (
    Role.UNIT_CHIEF,
    Role.NATIONAL_PM,
    Role.HQ_ANALYST,
    Role.FIELD_OFFICE_DIRECTOR,
    Role.FIELD_PM,
    Role.OCIO,
)
ROLES = (UC, NPM, AN, FOD, PM, OCIO)

NOTHING = Q(pk__in=[])


# --- scopes ---------------------------------------------------------------------------

ALL = "all"
OFFICE = "field office"
ASSIGNED = "assigned agencies"
INSTALLATIONS = "OCIO's installations"
OWN = "own rows"
NONE = "nothing"

#: A condition a row must meet: (path, lookup, value); a scope is a list of them (AND).
Condition = tuple[str, str, Any]


def assigned_agency_ids(user, on=None):
    """The ids of the agencies where ``user`` holds a current assignment (a subquery)."""
    from .dates import today

    assignment = apps.get_model("staffing", "Assignment")
    return assignment.objects.active_on(on or today()).filter(program_manager=user).values_list("agency_id", flat=True)


def people_below_ids(user) -> set[int]:
    """The people ``user`` stands above in either reporting line: the staff of their
    field office for a Field Office Director, and anyone of whom they are a current
    supervisor, or a supervisor's supervisor, up the chain."""
    from .dates import today

    reporting_line = apps.get_model("staffing", "ReportingLine")
    lines = list(reporting_line.objects.active_on(today()).values_list("supervisor_id", "manager_id"))
    below, frontier = set(), {user.pk}
    while frontier:
        frontier = {m for s, m in lines if s in frontier and m not in below and m != user.pk}
        below |= frontier
    if role_of(user) == FOD and field_office_id_of(user) is not None:
        staff = apps.get_model("portal", "StaffProfile")
        below |= set(
            staff.objects.filter(field_office_id=field_office_id_of(user))
            .exclude(user_id=user.pk)
            .values_list("user_id", flat=True)
        )
    return below


@dataclasses.dataclass(frozen=True)
class Target:
    """What the policy knows of one record type: how its rows reach an agency, a field
    office and a person, its own scopes, and, per action, the scope of each role."""

    label: str  # "app_label.Model", or "app_label.resource" for a computed resource
    title: str
    actions: dict[str, dict[str, tuple[str, ...]]]
    agency: str | None = None  # path to the agency ("" for the agency itself)
    office: str | None = None  # path to the field office's id (default: through the agency)
    own: str | None = None  # path to the id of the person the row belongs to
    installations: tuple[Condition, ...] | None = None  # OCIO's installations, if they differ from all rows
    scopes: dict[str, Callable[[Any], list[Condition]]] = dataclasses.field(default_factory=dict)
    note: str = ""

    @property
    def model(self):
        try:
            return apps.get_model(self.label)
        except (LookupError, ValueError):
            return None

    def office_path(self) -> str | None:
        if self.office is not None:
            return self.office
        if self.agency is None:
            return None
        return f"{self.agency}__field_office_id" if self.agency else "field_office_id"

    def conditions(self, scope: str, user) -> list[Condition] | None:
        """The conditions of ``scope`` for ``user``; None where the scope grants nothing."""
        if scope == ALL:
            return []
        if scope in self.scopes:
            return self.scopes[scope](user)
        if scope == OFFICE and self.office_path():
            office = field_office_id_of(user)
            return None if office is None else [(self.office_path(), "exact", office)]
        if scope == ASSIGNED and self.agency is not None:
            return [(f"{self.agency}_id" if self.agency else "pk", "in", assigned_agency_ids(user))]
        if scope == INSTALLATIONS:
            return list(self.installations or ())
        if scope == OWN and self.own:
            return [(self.own, "exact", user.pk)]
        return None

    def scopes_of(self, role, action: str) -> tuple[str, ...]:
        return tuple(self.actions.get(action, {}).get(role, ()))


def g(**roles) -> dict[str, tuple[str, ...]]:
    """A grant: role code (uc, npm, an, fod, pm, ocio) -> scope or tuple of scopes."""
    codes = {"uc": UC, "npm": NPM, "an": AN, "fod": FOD, "pm": PM, "ocio": OCIO}
    return {codes[k]: (v if isinstance(v, tuple) else (v,)) for k, v in roles.items()}


#: Grants used by many record types.
EVERYONE = g(uc=ALL, npm=ALL, an=ALL, fod=ALL, pm=ALL, ocio=ALL)
HQ_ONLY = g(uc=ALL, npm=ALL, an=ALL)
HQ_WRITE = g(uc=ALL, npm=ALL)
SETTINGS = g(uc=ALL)
ALL_OWN = g(uc=OWN, npm=OWN, an=OWN, fod=OWN, pm=OWN, ocio=OWN)
FOLLOWS_AGENCY = g(uc=ALL, npm=ALL, an=ALL, fod=OFFICE, pm=ASSIGNED)
FIELD_WRITE = g(uc=ALL, npm=ALL, pm=ASSIGNED)
STEP_WRITE = g(uc=ALL, npm=ALL, pm=ASSIGNED, ocio=INSTALLATIONS)
INSTALLATION_VIEW = g(uc=ALL, npm=ALL, an=ALL, fod=OFFICE, pm=ASSIGNED, ocio=INSTALLATIONS)

OFFICE_PMS = "program managers of their office"
BELOW = "people below them"
HQ_STAFF = "headquarters staff"
OCIO_STAFF = "OCIO staff"


def _office_pms(path: str):
    def conditions(user):
        office = field_office_id_of(user)
        if office is None:
            return None
        return [(f"{path}field_office_id", "exact", office), (f"{path}role", "exact", PM)]

    return conditions


def _below(path: str):
    return lambda user: [(path, "in", people_below_ids(user))]


def _staff_rows(title, label, add_change):
    """Rows about a member of staff (``manager``): HQ sees all, field staff the staff of
    their own office (to know who covers for whom) and their own."""
    return Target(
        label,
        title,
        own="manager_id",
        office="manager__staff_profile__field_office_id",
        scopes={OFFICE_PMS: _office_pms("manager__staff_profile__")},
        actions={
            "view": g(uc=ALL, npm=ALL, an=ALL, fod=(OWN, OFFICE), pm=(OWN, OFFICE)),
            **dict.fromkeys(("add", "change", "delete"), add_change),
        },
    )


TARGETS: list[Target] = [
    # agreements
    Target("agreements.FieldOffice", "ERO field office", actions={"view": EVERYONE}),
    Target(
        "agreements.Agency",
        "Law enforcement agency",
        agency="",
        actions={
            "view": g(uc=ALL, npm=ALL, an=ALL, fod=OFFICE, pm=ASSIGNED, ocio=ALL),
            "export": g(uc=ALL, npm=ALL, an=ALL, fod=OFFICE, pm=ASSIGNED, ocio=ALL),
            "add": HQ_WRITE,
            "change": HQ_WRITE,
            "delete": HQ_WRITE,
        },
        note="OCIO sees every agency's name and place only (field policy below). Agencies are never deleted: "
        "the service answers 409.",
    ),
    Target(
        "agreements.Agreement",
        "287(g) agreement (MOA)",
        agency="agency",
        actions={
            "view": FOLLOWS_AGENCY,
            "export": FOLLOWS_AGENCY,
            "add": HQ_WRITE,
            **dict.fromkeys(
                (
                    "review",
                    "approve",
                    "sign",
                    "suspend",
                    "reinstate",
                    "renew",
                    "terminate",
                    "withdraw",
                    "mark_reviewed",
                ),
                HQ_WRITE,
            ),
        },
    ),
    Target(
        "agreements.AgreementEvent",
        "Agreement transition",
        agency="agreement__agency",
        actions={"view": FOLLOWS_AGENCY},
    ),
    Target(
        "agreements.AgreementSuspension",
        "Suspension period of an agreement",
        agency="agreement__agency",
        actions={"view": FOLLOWS_AGENCY},
        note="Written by the suspend and reinstate transitions only.",
    ),
    Target(
        "agreements.AgreementDocument",
        "Agreement document",
        agency="agreement__agency",
        actions={"view": FOLLOWS_AGENCY, "add": HQ_WRITE},
    ),
    Target(
        "agreements.IceImport",
        "Edition (import) of ICE's published lists",
        actions={
            "view": HQ_ONLY,
            "export": HQ_ONLY,
            "import": HQ_WRITE,
            "apply": HQ_WRITE,
            "discard": HQ_WRITE,
            "correct_date": HQ_WRITE,
            "review_dates": HQ_WRITE,
        },
        note="review_dates: accept or reject the signing dates an edition changed.",
    ),
    Target(
        "agreements.EditionChange",
        "Change between two editions of ICE's lists",
        actions={"view": HQ_ONLY, "export": HQ_ONLY},
    ),
    Target(
        "agreements.SigningDateReview",
        "Signing date changed by ICE's list, to review",
        agency="agreement__agency",
        actions={"view": HQ_ONLY, "decide": HQ_WRITE},
    ),
    Target(
        "agreements.IceFetch",
        "Scheduled fetch of ICE's lists",
        actions={"view": HQ_ONLY, "export": HQ_ONLY, "fetch": HQ_WRITE},
    ),
    Target("agreements.IceSource", "Address fetched for ICE's lists", actions={"view": HQ_ONLY}),
    Target(
        "agreements.IceDigestSubscription",
        "Change digest subscription",
        own="user_id",
        actions={
            "view": g(uc=OWN, npm=OWN, an=OWN),
            "change": g(uc=OWN, npm=OWN, an=OWN),
        },
        note="Each HQ user sets their own.",
    ),
    Target(
        "agreements.OnboardingEntry",
        "Onboarding of an agency an edition added",
        agency="agency",
        actions={"view": HQ_ONLY, "onboard": HQ_WRITE},
    ),
    Target("agreements.timeline", "The program's timeline", actions={"view": HQ_ONLY}),
    Target("agreements.AgreementSettings", "Agreement settings", actions={"view": HQ_ONLY, "change": SETTINGS}),
    # staffing
    Target(
        "staffing.Assignment",
        "Program manager's assignment",
        agency="agency",
        own="program_manager_id",
        actions={
            "view": FOLLOWS_AGENCY,
            "export": FOLLOWS_AGENCY,
            "add": HQ_WRITE,
            "change": HQ_WRITE,
            "delete": HQ_WRITE,
            "handover": HQ_WRITE,
        },
        note="Assignments are ended, not deleted: the service answers 409. An assignment that had not begun when "
        "its agency's last agreement was terminated or withdrawn is cancelled with it (kept in history).",
    ),
    _staff_rows("Reporting line", "staffing.ReportingLine", HQ_WRITE),
    _staff_rows("Other duty", "staffing.OtherDuty", g(uc=ALL, npm=ALL, fod=OFFICE_PMS)),
    _staff_rows("Absence", "staffing.Absence", g(uc=ALL, npm=ALL, fod=OFFICE_PMS)),
    Target(
        "staffing.WorkloadReport",
        "Monthly workload report",
        agency="agency",
        actions={
            "view": FOLLOWS_AGENCY,
            "add": FIELD_WRITE,
            "change": FIELD_WRITE,
            "import": FIELD_WRITE,
            "delete": FIELD_WRITE,
        },
        note="Workload reports are corrected, not deleted: the service answers 409.",
    ),
    Target("staffing.StaffingModel", "Staffing model (settings)", actions={"view": EVERYONE, "change": SETTINGS}),
    Target(
        "staffing.figures",
        "Staffing figures and one manager's load",
        office="field_office_id",
        own="key",
        actions={
            "view": g(uc=ALL, npm=ALL, an=ALL, fod=OFFICE, pm=OWN),
            "export": g(uc=ALL, npm=ALL, an=ALL, fod=OFFICE, pm=OWN),
        },
        note="Computed rows (per manager, office, nation); the nation's row is HQ's.",
    ),
    Target(
        "staffing.ProgramManager",
        "Field program manager (the manager page)",
        office="staff_profile__field_office_id",
        own="pk",
        actions={"view": g(uc=ALL, npm=ALL, an=ALL, fod=OFFICE, pm=OWN)},
    ),
    Target(
        "staffing.plan",
        "Staffing plan",
        office="field_office_id",
        actions={"view": g(uc=ALL, npm=ALL, an=ALL, fod=OFFICE), "export": g(uc=ALL, npm=ALL, an=ALL, fod=OFFICE)},
    ),
    # itdeploy
    Target(
        "itdeploy.Installation",
        "IT installation",
        agency="agency",
        actions={
            "view": INSTALLATION_VIEW,
            "export": INSTALLATION_VIEW,
            **dict.fromkeys(("step_start", "step_complete", "step_pause", "step_resume"), STEP_WRITE),
            "priority": HQ_WRITE,
            "confirm": HQ_WRITE,
        },
    ),
    Target(
        "itdeploy.InstallationStep",
        "Installation step",
        agency="installation__agency",
        actions={"view": INSTALLATION_VIEW},
    ),
    Target(
        "itdeploy.StepPause",
        "Pause of an installation step",
        agency="step__installation__agency",
        actions={"view": INSTALLATION_VIEW},
    ),
    Target(
        "itdeploy.InstallationPause",
        "Pause of an installation's clock (agreement suspended)",
        agency="installation__agency",
        actions={"view": INSTALLATION_VIEW},
        note="Written by the agreements' suspend and reinstate transitions only.",
    ),
    Target(
        "itdeploy.Installer",
        "OCIO installer",
        actions={
            "view": EVERYONE,
            "add": g(uc=ALL, npm=ALL, ocio=ALL),
            "change": g(uc=ALL, npm=ALL, ocio=ALL),
        },
    ),
    Target(
        "itdeploy.InstallerUnavailability",
        "Installer's unavailability",
        actions={
            "view": EVERYONE,
            "add": g(uc=ALL, npm=ALL, ocio=ALL),
        },
    ),
    Target("itdeploy.InstallationSettings", "Installation settings", actions={"view": EVERYONE, "change": SETTINGS}),
    Target(
        "itdeploy.ProgramModelSetting",
        "Installation need per 287(g) model",
        actions={"view": EVERYONE, "change": SETTINGS},
    ),
    Target("itdeploy.StepTemplate", "Step plan (settings)", actions={"view": EVERYONE, "change": SETTINGS}),
    # training
    Target("training.Course", "Course", actions={"view": EVERYONE, "add": HQ_WRITE, "retire": HQ_WRITE}),
    Target("training.AcademySite", "Academy site", actions={"view": EVERYONE, "add": HQ_WRITE, "change": HQ_WRITE}),
    Target(
        "training.AcademyClass",
        "Academy class",
        actions={
            "view": EVERYONE,
            "export": EVERYONE,
            "add": HQ_WRITE,
            "change": HQ_WRITE,
            "complete": HQ_WRITE,
            "schedule_in_q1": HQ_WRITE,
        },
    ),
    Target(
        "training.Officer",
        "Designated Immigration Officer",
        agency="agency",
        actions={
            "view": FOLLOWS_AGENCY,
            "export": FOLLOWS_AGENCY,
            "add": FIELD_WRITE,
            "change": FIELD_WRITE,
            "import": FIELD_WRITE,
            **dict.fromkeys(
                (
                    "adjudicate",
                    "certify",
                    "suspend",
                    "reinstate",
                    "leave",
                    "request_card_reactivation",
                    "reactivate_card",
                ),
                FIELD_WRITE,
            ),
            "revoke": HQ_WRITE,
        },
    ),
    Target(
        "training.OfficerEvent", "Officer status change", agency="officer__agency", actions={"view": FOLLOWS_AGENCY}
    ),
    Target(
        "training.Enrollment",
        "Class enrolment",
        agency="officer__agency",
        actions={
            "view": FOLLOWS_AGENCY,
            "add": FIELD_WRITE,
            "withdraw": FIELD_WRITE,
        },
    ),
    Target(
        "training.Completion",
        "Course completion",
        agency="officer__agency",
        actions={
            "view": FOLLOWS_AGENCY,
            "add": FIELD_WRITE,
            "import": FIELD_WRITE,
        },
    ),
    Target(
        "training.CardLogin",
        "Security-card login",
        agency="officer__agency",
        actions={
            "view": FOLLOWS_AGENCY,
            "add": FIELD_WRITE,
            "import": FIELD_WRITE,
        },
    ),
    Target(
        "training.Waiver",
        "Recertification waiver",
        agency="officer__agency",
        actions={
            "view": FOLLOWS_AGENCY,
            "add": g(uc=ALL, npm=ALL, fod=OFFICE),
        },
        note="Granted by a Field Responsible Official: the Field Office Director of the officer's office, or HQ.",
    ),
    Target(
        "training.TrainingSettings", "Officers' grace periods (settings)", actions={"view": HQ_ONLY, "change": SETTINGS}
    ),
    Target("training.capacity_plan", "Academy capacity plan", actions={"view": HQ_ONLY}),
    # portal
    Target("portal.home", "Home page", actions={"view": EVERYONE}),
    Target(
        "portal.account",
        "Sign-in account (lockouts, deactivation)",
        actions={"view": HQ_WRITE, "export": HQ_WRITE, "unlock": HQ_WRITE, "deactivate": HQ_WRITE},
    ),
    Target(
        "portal.StaffProfile",
        "Member of staff",
        own="user_id",
        office="field_office_id",
        scopes={
            HQ_STAFF: lambda user: [("role", "in", sorted(HQ_ROLES))],
            OCIO_STAFF: lambda user: [("role", "exact", OCIO)],
        },
        actions={
            **dict.fromkeys(
                ("view", "export"),
                g(
                    uc=ALL,
                    npm=ALL,
                    an=ALL,
                    fod=(OWN, OFFICE, HQ_STAFF),
                    pm=(OWN, OFFICE, HQ_STAFF),
                    ocio=(OWN, HQ_STAFF, OCIO_STAFF),
                ),
            )
        },
    ),
    Target(
        "portal.ApiToken",
        "API token",
        own="user_id",
        actions={
            "view": g(uc=OWN, npm=OWN, an=OWN, fod=OWN, pm=OWN, ocio=OWN),
            "add": g(uc=OWN, npm=OWN, an=OWN, fod=OWN, pm=OWN, ocio=OWN),
            "delete": g(uc=OWN, npm=OWN, an=OWN, fod=OWN, pm=OWN, ocio=OWN),
        },
    ),
    Target(
        "portal.TablePreference",
        "Columns chosen for a list (own)",
        own="user_id",
        actions={"view": ALL_OWN, "add": ALL_OWN, "change": ALL_OWN, "delete": ALL_OWN},
        note="Each person chooses the columns of the lists they may open; the field policy still hides its fields.",
    ),
    Target(
        "portal.SweepRun",
        "Compliance sweep run",
        actions={"view": EVERYONE, "run": HQ_WRITE},
        note="HQ writers start a run now (findings page); it runs as a job.",
    ),
    Target(
        "portal.Job",
        "Long work and its progress (upload, import, sweep, export)",
        own="requested_by_id",
        actions={"view": g(uc=ALL, npm=ALL, an=ALL, fod=OWN, pm=OWN, ocio=OWN)},
        note="Each job is seen by the person who started it, and by HQ. A job is started by the page of its "
        "work, under that work's own action.",
    ),
    Target(
        "portal.SweepSettings",
        "Sweep schedule and notifications (settings)",
        actions={"view": HQ_ONLY, "change": SETTINGS},
    ),
    Target(
        "portal.settings",
        "The settings page",
        actions={"view": HQ_ONLY},
        note="Each section is saved by those its record type lets change it: the Unit Chief.",
    ),
    Target(
        "portal.AuditEvent",
        "Audit journal entry",
        actions={"view": HQ_ONLY, "export": HQ_ONLY},
        note="Written by the portal itself (portal/audit/); nobody changes or deletes an entry.",
    ),
    Target(
        "portal.Finding",
        "Compliance finding",
        agency="agency",
        office="field_office_id",
        own="responsible_id",
        installations=(("category", "exact", "itdeploy"),),
        scopes={BELOW: _below("responsible_id")},
        actions={
            "view": g(uc=ALL, npm=ALL, an=ALL, fod=(OFFICE, OWN), pm=(ASSIGNED, OWN), ocio=(INSTALLATIONS, OWN)),
            "export": g(uc=ALL, npm=ALL, an=ALL, fod=(OFFICE, OWN), pm=(ASSIGNED, OWN), ocio=(INSTALLATIONS, OWN)),
            "acknowledge": g(uc=ALL, npm=ALL, fod=(OFFICE, OWN, BELOW), pm=(OWN, BELOW), ocio=(OWN, BELOW)),
            "resolve": g(uc=ALL, npm=ALL, fod=(OFFICE, OWN, BELOW), pm=(OWN, BELOW), ocio=(OWN, BELOW)),
            "waive": HQ_WRITE,
        },
        note="Acknowledged or resolved by the person responsible or anyone above them; waived by HQ only.",
    ),
]


def _follows_finding(label, title, **actions):
    """A record of a finding's thread (oversight app): seen by whoever sees the finding."""
    finding = POLICY_FINDING_VIEW
    return Target(
        label,
        title,
        agency="finding__agency",
        office="finding__field_office_id",
        own="finding__responsible_id",
        installations=(("finding__category", "exact", "itdeploy"),),
        scopes={BELOW: _below("finding__responsible_id")},
        actions={"view": finding, **actions},
    )


POLICY_FINDING_VIEW = g(uc=ALL, npm=ALL, an=ALL, fod=(OFFICE, OWN), pm=(ASSIGNED, OWN), ocio=(INSTALLATIONS, OWN))
FINDING_ACT = g(uc=ALL, npm=ALL, fod=(OFFICE, OWN, BELOW), pm=(OWN, BELOW), ocio=(OWN, BELOW))
OVERSIGHT_VIEW = g(uc=ALL, npm=ALL, an=ALL, fod=OFFICE)

TARGETS += [
    # oversight (docs/oversight.md): computed figures read through each record type's own policy
    Target(
        "oversight.dashboard",
        "National dashboard",
        office="field_office_id",
        actions={"view": g(uc=ALL, npm=ALL, an=ALL, fod=OFFICE, pm=ASSIGNED, ocio=INSTALLATIONS)},
        note="Computed figures; each reads its record type through this policy.",
    ),
    Target(
        "oversight.readiness",
        "Site readiness",
        office="field_office_id",
        actions={
            "view": g(uc=ALL, npm=ALL, an=ALL, fod=OFFICE, pm=ASSIGNED),
            "export": g(uc=ALL, npm=ALL, an=ALL, fod=OFFICE, pm=ASSIGNED),
        },
        note="Computed per agency from the agencies, assignments and officers the caller sees.",
    ),
    Target(
        "oversight.report", "Quarterly oversight report", office="field_office_id", actions={"view": OVERSIGHT_VIEW}
    ),
    Target(
        "oversight.ImpactAssessment",
        "Expansion impact assessment",
        office="field_offices",
        actions={"view": OVERSIGHT_VIEW, "add": g(uc=ALL, npm=ALL, fod=OFFICE)},
        note="A Field Office Director checks expansions of their own office only (the service refuses others).",
    ),
    Target(
        "oversight.ApprovalRecord",
        "Approval and the assessment it was made on",
        agency="agreement__agency",
        actions={"view": FOLLOWS_AGENCY},
    ),
    Target(
        "oversight.inbox",
        "Findings inbox",
        actions={"view": EVERYONE},
        note="Each person's own inbox: their findings, those of the people below them, those escalated to them.",
    ),
    _follows_finding("oversight.FindingNote", "Note on a finding", add=FINDING_ACT),
    _follows_finding(
        "oversight.WaiverRequest", "Request to waive a finding", add=FINDING_ACT, grant=HQ_WRITE, refuse=HQ_WRITE
    ),
    _follows_finding("oversight.FindingEscalation", "Escalation of a finding"),
    Target(
        "oversight.DigestPreference",
        "Digest e-mail preference",
        own="user_id",
        actions={"view": ALL_OWN, "change": ALL_OWN},
    ),
    Target("oversight.DigestSent", "Digest e-mail sent", own="user_id", actions={"view": ALL_OWN}),
]

POLICY: dict[str, Target] = {t.label: t for t in TARGETS}


# --- the field policy -------------------------------------------------------------------

#: Per record type and role, the only fields the role sees of a record it may see.
#: Roles not named see every field.
FIELD_POLICY: dict[str, dict[str, frozenset[str]]] = {
    "agreements.Agency": {
        OCIO: frozenset(
            {"id", "url", "name", "agency_type", "state", "county", "field_office", "field_office_name", "installation"}
        ),
    },
}


def visible_fields(user, model) -> frozenset[str] | None:
    """The fields ``user`` sees of ``model`` (None: all of them)."""
    return FIELD_POLICY.get(_label(model), {}).get(role_of(user))


def fields_seen(user, model) -> frozenset[str]:
    """The names of the fields ``user`` sees of ``model`` (every concrete field, unless
    the field policy narrows them)."""
    fields = visible_fields(user, model)
    return fields if fields is not None else frozenset(f.name for f in model._meta.get_fields())


def may_see_field(user, model, field: str) -> bool:
    fields = visible_fields(user, model)
    return fields is None or field in fields


# --- pages and API actions --------------------------------------------------------------

#: Every page (URL name) -> (record type, action) that decides who opens it (GET) and,
#: for pages with forms, who may post (the view asks the policy for the action it does).
PAGES: dict[str, tuple[str, str]] = {
    "home": ("portal.home", "view"),
    "findings": ("portal.Finding", "view"),
    "finding-detail": ("portal.Finding", "view"),
    "tokens": ("portal.ApiToken", "view"),
    "settings": ("portal.settings", "view"),
    "lockouts": ("portal.account", "view"),
    "audit": ("portal.AuditEvent", "view"),
    "job": ("portal.Job", "view"),
    "job-status": ("portal.Job", "view"),
    "job-download": ("portal.Job", "view"),
    "sweep-start": ("portal.SweepRun", "run"),
    "filter-agencies": ("agreements.Agency", "view"),
    "filter-staff": ("portal.StaffProfile", "view"),
    "filter-managers": ("staffing.ProgramManager", "view"),
    "agreements:agency-list": ("agreements.Agency", "view"),
    "agreements:agency-detail": ("agreements.Agency", "view"),
    "agreements:agreement-list": ("agreements.Agreement", "view"),
    "agreements:agreement-detail": ("agreements.Agreement", "view"),
    "agreements:ice-import-list": ("agreements.IceImport", "view"),
    "agreements:ice-import-detail": ("agreements.IceImport", "view"),
    "agreements:ice-fetch-list": ("agreements.IceFetch", "view"),
    "agreements:ice-digest": ("agreements.IceDigestSubscription", "view"),
    "agreements:timeline": ("agreements.timeline", "view"),
    "agreements:onboarding": ("agreements.OnboardingEntry", "view"),
    "staffing:organisation": ("portal.StaffProfile", "view"),
    "staffing:manager-load": ("staffing.figures", "view"),
    "staffing:manager": ("staffing.ProgramManager", "view"),
    "staffing:manager-absence": ("staffing.Absence", "add"),
    "staffing:manager-absence-end": ("staffing.Absence", "change"),
    "staffing:manager-duty": ("staffing.OtherDuty", "add"),
    "staffing:manager-line": ("staffing.ReportingLine", "add"),
    "staffing:office-staffing": ("staffing.plan", "view"),
    "staffing:plan": ("staffing.plan", "view"),
    "staffing:coverage": ("staffing.Assignment", "view"),
    "staffing:workload-import": ("staffing.WorkloadReport", "import"),
    "staffing:model": ("staffing.StaffingModel", "view"),
    "staffing:handover": ("staffing.Assignment", "handover"),
    "itdeploy:pipeline": ("itdeploy.Installation", "view"),
    "itdeploy:chart": ("itdeploy.Installation", "view"),
    "itdeploy:confirm": ("itdeploy.Installation", "view"),
    "itdeploy:installation-detail": ("itdeploy.Installation", "view"),
    "training:officer-list": ("training.Officer", "view"),
    "training:officer-detail": ("training.Officer", "view"),
    "training:class-calendar": ("training.AcademyClass", "view"),
    "training:class-detail": ("training.AcademyClass", "view"),
    "training:recertification": ("training.Officer", "view"),
    "training:capacity": ("training.capacity_plan", "view"),
    "training:import": ("training.Officer", "import"),
    "oversight:dashboard": ("oversight.dashboard", "view"),
    "oversight:readiness": ("oversight.readiness", "view"),
    "oversight:impact": ("oversight.ImpactAssessment", "view"),
    "oversight:impact-detail": ("oversight.ImpactAssessment", "view"),
    "oversight:inbox": ("oversight.inbox", "view"),
    "oversight:inbox-count": ("oversight.inbox", "view"),
    "oversight:inbox-finding": ("portal.Finding", "view"),
    "oversight:preferences": ("oversight.DigestPreference", "view"),
    "oversight:report": ("oversight.report", "view"),
}

#: Pages outside the policy, and why.
PUBLIC_PAGES: dict[str, str] = {
    "healthz": "liveness probe, no data",
    "readyz": "readiness probe: states of the database, broker and sweep, no records",
    "login": "the sign-in page",
    "logout": "signing out",
    "two-factor": "the signed-in person's own two-factor enrolment",
    "two-factor-verify": "the signed-in person's own two-factor code",
    "oidc_authentication_init": "single sign-on: to the provider (404 unless configured)",
    "oidc_authentication_callback": "single sign-on: back from the provider (404 unless configured)",
    "schema": "the OpenAPI schema (any signed-in member of staff, session or token; no records)",
    "api-docs": "the API documentation (any signed-in member of staff; no records)",
    "api:api-root": "the API's index of endpoints (no data)",
}

#: The DRF actions' default policy actions.
DRF_ACTIONS = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}

#: API viewsets (router basename) -> the record type their actions are decided by, and
#: the named routes whose policy action differs from the route's name.
API: dict[str, tuple[str, dict[str, str]]] = {
    "fieldoffice": ("agreements.FieldOffice", {}),
    "agency": ("agreements.Agency", {}),
    "agreement": ("agreements.Agreement", {}),
    "agreementdocument": ("agreements.AgreementDocument", {}),
    "ice-edition": ("agreements.IceImport", {"changes": "view"}),
    "staff": ("portal.StaffProfile", {}),
    "assignment": ("staffing.Assignment", {}),
    "absence": ("staffing.Absence", {}),
    "workload-report": ("staffing.WorkloadReport", {"import_csv": "import"}),
    "staffing-figure": ("staffing.figures", {}),
    "reporting-line": ("staffing.ReportingLine", {}),
    "other-duty": ("staffing.OtherDuty", {}),
    "installation": ("itdeploy.Installation", {"confirm_bulk": "confirm"}),
    "installer": ("itdeploy.Installer", {"unavailable": "change"}),
    "officer": ("training.Officer", {"bulk_roster": "import"}),
    "course": ("training.Course", {}),
    "academyclass": ("training.AcademyClass", {}),
    "academysite": ("training.AcademySite", {}),
    "enrollment": ("training.Enrollment", {}),
    "completion": ("training.Completion", {}),
    "cardlogin": ("training.CardLogin", {}),
    "waiver": ("training.Waiver", {}),
    "capacity-plan": ("training.capacity_plan", {}),
    "finding": ("portal.Finding", {}),
    "sweeprun": ("portal.SweepRun", {}),
    "token": ("portal.ApiToken", {}),
    "auditevent": ("portal.AuditEvent", {}),
    "dashboard": ("oversight.dashboard", {}),
    "readiness": ("oversight.readiness", {}),
    "impactassessment": ("oversight.ImpactAssessment", {}),
}


def api_target(view) -> tuple[Target, str]:
    """The record type and policy action of an API request to ``view`` (a DRF viewset)."""
    basename = getattr(view, "basename", None)
    label, renames = API.get(basename, (None, {}))
    if label is None:
        model = getattr(getattr(view, "queryset", None), "model", None)
        label = _label(model) if model is not None else None
    if label is None or label not in POLICY:
        raise LookupError(f"The access policy does not cover the API viewset {type(view).__name__} ({basename}).")
    name = getattr(view, "action", None) or ""
    return POLICY[label], renames.get(name, DRF_ACTIONS.get(name, name))


# --- the questions --------------------------------------------------------------------


def _label(model_or_label) -> str:
    if isinstance(model_or_label, str):
        return model_or_label
    meta = model_or_label._meta
    return f"{meta.app_label}.{meta.object_name}"


def target_of(model_or_label) -> Target:
    label = _label(model_or_label)
    if label not in POLICY:
        concrete = getattr(getattr(model_or_label, "_meta", None), "concrete_model", None)
        if concrete is not None and _label(concrete) in POLICY:
            return POLICY[_label(concrete)]
        raise LookupError(f"The access policy does not cover {label}.")
    return POLICY[label]


def scopes(user, action: str, model_or_label) -> tuple[str, ...]:
    """The scopes ``user``'s role is granted for ``action`` on the record type."""
    role = role_of(user)
    if role is None:
        return ()
    return target_of(model_or_label).scopes_of(role, action)


def _q(conditions: list[Condition]) -> Q:
    q = Q()
    for path, lookup, value in conditions:
        q &= Q(**{path if lookup == "exact" else f"{path}__{lookup}": value})
    return q


def scope_q(user, action: str, model_or_label, target: Target | None = None) -> Q:
    """The filter narrowing the record type's rows to what ``user`` may ``action``."""
    target = target or target_of(model_or_label)
    role = role_of(user)
    if role is None:
        return NOTHING
    q = None
    for scope in target.scopes_of(role, action):
        conditions = target.conditions(scope, user)
        if conditions is None:
            continue
        if not conditions:
            return Q()
        q = _q(conditions) if q is None else q | _q(conditions)
    return NOTHING if q is None else q


def restrict(queryset, user, action: str = "view", target: str | None = None):
    """``queryset`` narrowed to the rows ``user`` may ``action`` (``target`` names the
    policy entry when it is not the queryset's model, e.g. users as program managers).
    Every path the policy follows is a forward relation, so no row is repeated."""
    policy_target = POLICY[target] if target else target_of(queryset.model)
    return queryset.filter(scope_q(user, action, queryset.model, policy_target))


def _value_at(obj, path: str):
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def _holds(obj, conditions: list[Condition]) -> bool:
    for path, lookup, value in conditions:
        actual = _value_at(obj, path)
        if lookup == "exact" and actual != value:
            return False
        if lookup == "in" and actual not in set(value):
            return False
    return True


def may(user, action: str, obj_or_model, *, target: str | None = None) -> bool:
    """Whether ``user`` may ``action`` the record (a model instance), or any record of the
    type (a model class or policy label)."""
    if user is None or not user.is_authenticated:
        return False
    is_instance = isinstance(obj_or_model, models.Model)
    policy_target = POLICY[target] if target else target_of(type(obj_or_model) if is_instance else obj_or_model)
    role = role_of(user)
    granted = policy_target.scopes_of(role, action) if role else ()
    if not granted:
        return False
    if not is_instance:
        return True
    for scope in granted:
        conditions = policy_target.conditions(scope, user)
        if conditions is None:
            continue
        if not conditions:
            return True
        if obj_or_model.pk is None:
            if _holds(obj_or_model, conditions):
                return True
        elif type(obj_or_model)._base_manager.filter(pk=obj_or_model.pk).filter(_q(conditions)).exists():
            return True
    return False


def message(action: str, target: Target) -> str:
    return f"Your role may not {action.replace('_', ' ')} this {target.title[:1].lower() + target.title[1:]}."


def check(user, action: str, obj, *, target: str | None = None) -> None:
    """Raise ``OutOfScope`` (404) if ``user`` may not see ``obj``, ``PermissionDenied``
    (403) if they see it but may not ``action`` it."""
    policy_target = POLICY[target] if target else target_of(type(obj))
    if action != "view" and not may(user, "view", obj, target=target):
        raise OutOfScope(model=type(obj), pk=obj.pk)
    if not may(user, action, obj, target=target):
        if action == "view":
            raise OutOfScope(model=type(obj), pk=obj.pk)
        raise PermissionDenied(message(action, policy_target))


def require(user, action: str, model_or_label) -> None:
    """Raise ``PermissionDenied`` unless ``user``'s role may ``action`` some record of the type."""
    if not may(user, action, model_or_label):
        raise PermissionDenied(message(action, target_of(model_or_label)))


def get_or_404(queryset, user, action: str = "view", *, target: str | None = None, **lookup):
    """One record ``user`` may see, else ``OutOfScope`` (a 404, carrying the model and,
    when the row exists outside the caller's scope, its pk); with another ``action``,
    ``PermissionDenied`` (403) if they may see it but not act."""
    obj = restrict(queryset, user, "view", target).filter(**lookup).first()
    if obj is None:
        raise OutOfScope(model=queryset.model, pk=queryset.filter(**lookup).values_list("pk", flat=True).first())
    if action != "view":
        check(user, action, obj, target=target)
    return obj


class RestrictedQuerySet(models.QuerySet):
    """A queryset that narrows itself to what a user may do, by the policy above."""

    def restrict(self, user, action: str = "view"):
        return restrict(self, user, action)

    def visible_to(self, user):
        return self.restrict(user, "view")


def all_cells() -> Iterable[tuple[Target, str, str, tuple[str, ...]]]:
    """Every (record type, action, role, scopes) of the policy, for the matrix."""
    for target in TARGETS:
        for action in target.actions:
            for role in ROLES:
                yield target, action, role, target.scopes_of(role, action)


#: URL keyword arguments that name one record: such pages find the record in the
#: caller's scope themselves (``get_or_404``), so outside it they answer 404, not 403.
RECORD_KWARGS = frozenset({"pk", "user_id", "absence_id"})


class PagePolicyMiddleware:
    """Every page named in ``PAGES`` opens only for the roles its entry grants (403
    otherwise), before the view runs; pages of one record leave the answer to the view
    (404 outside the caller's scope). Anonymous visitors go on to the login redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if match is None or user is None or not user.is_authenticated or RECORD_KWARGS & set(view_kwargs):
            return None
        entry = PAGES.get(match.view_name)
        if entry is not None:
            require(user, entry[1], entry[0])
        return None
