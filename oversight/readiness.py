"""Site readiness: whether each agency's site can work under its 287(g) agreement.

An agency is assessed when it holds an agreement that is approved, signed or suspended.
Its readiness on a day is decided by these conditions (each a *blocker* when it fails):

| code | condition | when it fails |
| --- | --- | --- |
| ``agreement`` | an agreement is in force and signed (not only approved, not suspended) | not ready |
| ``primary`` | a current primary program manager | not ready |
| ``equipment`` | the equipment is operational, or no agreement's 287(g) model needs a site installation | not ready |
| ``officers`` | at least ``OVERSIGHT_READY_MIN_OFFICERS`` (2) certified officers able to act | not ready with none, partly ready with fewer |
| ``backup`` | a current backup program manager | partly ready |
| ``cards`` | no certified officer's security card has lapsed | partly ready |
| ``recertification`` | no officer missed the last fiscal year's PALMS recertification (overdue, or suspended for it) | partly ready |

Ready: no blocker. Everything is read in a fixed number of queries, whatever the number
of agencies: the agencies with their agreements, managers and equipment annotated, and
the officers' counts of those agencies from the stored standing (``oversight.stored``:
computed for the whole country once per change and day, not per request).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Exists, OuterRef

from portal import dates

from .choices import Readiness

BLOCKERS = {
    "agreement": "No signed agreement in force",
    "primary": "No primary program manager",
    "equipment": "Equipment not operational",
    "officers": "Not enough certified officers able to act",
    "backup": "No backup program manager",
    "cards": "Security cards lapsed",
    "recertification": "Recertification not complete",
}
HARD = ("agreement", "primary", "equipment")


@dataclass
class SiteReadiness:
    """The readiness of one agency's site, with its reasons (blocker code -> sentence)."""

    agency_id: int
    agency_name: str
    state: str
    field_office_id: int
    field_office_name: str
    program_models: list[str]
    status: str = Readiness.READY
    reasons: dict[str, str] = field(default_factory=dict)
    officers_able: int = 0
    officers_certified: int = 0
    cards_lapsed: int = 0
    recertification_missing: int = 0

    @property
    def status_label(self) -> str:
        return Readiness(self.status).label

    @property
    def blockers(self) -> list[str]:
        return list(self.reasons)

    @property
    def reason_text(self) -> str:
        return " ".join(self.reasons.values())

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("agreements:agency-detail", args=[self.agency_id])

    def as_dict(self) -> dict:
        return {
            "agency": self.agency_id,
            "agency_name": self.agency_name,
            "state": self.state,
            "field_office": self.field_office_id,
            "field_office_name": self.field_office_name,
            "program_models": self.program_models,
            "status": self.status,
            "status_label": self.status_label,
            "blockers": self.blockers,
            "reasons": [{"code": k, "reason": v} for k, v in self.reasons.items()],
            "officers_able_to_act": self.officers_able,
            "officers_certified": self.officers_certified,
            "cards_lapsed": self.cards_lapsed,
            "recertification_missing": self.recertification_missing,
        }


def assessed_agencies(user, *, field_office=None, program_model=None, agency_ids=None):
    """The agencies whose readiness is assessed, in the user's scope, annotated."""
    from agreements.choices import AgreementStatus
    from agreements.models import Agency, Agreement
    from itdeploy.models import ProgramModelSetting
    from staffing.choices import AssignmentKind
    from staffing.models import Assignment

    today = dates.today()
    live = [AgreementStatus.APPROVED, AgreementStatus.SIGNED, AgreementStatus.SUSPENDED]
    agreements = Agreement.objects.filter(agency=OuterRef("pk"), status__in=live)
    if program_model:
        agreements = agreements.filter(program_model=program_model)
    current = Assignment.objects.active_on(today).filter(agency=OuterRef("pk"))
    needing = ProgramModelSetting.objects.filter(needs_installation=True).values("program_model")
    qs = Agency.objects.visible_to(user).filter(Exists(agreements))
    if field_office:
        qs = qs.filter(field_office=field_office)
    if agency_ids is not None:
        qs = qs.filter(pk__in=list(agency_ids))
    return (
        qs.annotate(
            signed=Exists(Agreement.objects.filter(agency=OuterRef("pk"), status=AgreementStatus.SIGNED)),
            suspended=Exists(Agreement.objects.filter(agency=OuterRef("pk"), status=AgreementStatus.SUSPENDED)),
            needs_installation=Exists(
                Agreement.objects.filter(agency=OuterRef("pk"), status__in=live, program_model__in=needing)
            ),
            has_primary=Exists(current.filter(kind=AssignmentKind.PRIMARY)),
            has_backup=Exists(current.filter(kind=AssignmentKind.BACKUP)),
        )
        .select_related("field_office")
        .order_by("name", "pk")
    )


def officer_counts(agency_queryset, today: dt.date) -> dict[int, dict]:
    """Per agency: certified officers, those able to act, lapsed cards, and those who
    missed the last fiscal year's recertification; read from the stored standing
    (``oversight.stored``, computed once per change and day), one query for the agencies
    asked for."""
    from .models import AgencyStanding
    from .stored import STANDING, current_run

    rows = AgencyStanding.objects.filter(
        run=current_run(STANDING, today), agency__in=agency_queryset.values("pk")
    ).values("agency_id", "certified", "able", "lapsed", "missing")
    return {row["agency_id"]: row for row in rows}


def site_readiness(
    user, *, field_office=None, program_model=None, agency_ids=None, today: dt.date | None = None
) -> list[SiteReadiness]:
    """The readiness of every assessed agency the user may see (filtered), by name."""
    from agreements.choices import ProgramModel
    from agreements.models import Agreement
    from portal.roles import FIELD_ROLES, HQ_ROLES, role_of

    if role_of(user) not in HQ_ROLES | FIELD_ROLES:
        return []  # OCIO sees agencies' names and places, not their managers and officers
    today = today or dates.today()
    minimum = settings.OVERSIGHT_READY_MIN_OFFICERS
    agencies = assessed_agencies(user, field_office=field_office, program_model=program_model, agency_ids=agency_ids)
    counts = officer_counts(agencies, today)
    models_of: dict[int, set] = {}
    for agency_id, model in (
        Agreement.objects.filter(agency__in=agencies.values("pk"))
        .exclude(status__in=["terminated", "withdrawn"])
        .order_by()  # sets, sorted below: not the default order's join to the agencies
        .values_list("agency_id", "program_model")
    ):
        models_of.setdefault(agency_id, set()).add(model)
    labels = dict(ProgramModel.choices)
    result = []
    # Plain rows, not model instances: the page reads every assessed agency of the country.
    for agency in agencies.values(
        "pk",
        "name",
        "state",
        "field_office_id",
        "field_office__name",
        "equipment_operational_since",
        "signed",
        "suspended",
        "needs_installation",
        "has_primary",
        "has_backup",
    ):
        agency = SimpleNamespace(**agency)
        c = counts.get(agency.pk, {"certified": 0, "able": 0, "lapsed": 0, "missing": 0})
        site = SiteReadiness(
            agency_id=agency.pk,
            agency_name=agency.name,
            state=agency.state,
            field_office_id=agency.field_office_id,
            field_office_name=agency.field_office__name,
            program_models=[labels.get(m, m) for m in sorted(models_of.get(agency.pk, ()))],
            officers_able=c["able"],
            officers_certified=c["certified"],
            cards_lapsed=c["lapsed"],
            recertification_missing=c["missing"],
        )
        reasons = site.reasons
        if not agency.signed:
            reasons["agreement"] = (
                "The agreement is suspended." if agency.suspended else "The agreement is approved but not signed yet."
            )
        if not agency.has_primary:
            reasons["primary"] = "No current primary program manager is assigned."
        if agency.needs_installation and agency.equipment_operational_since is None:
            reasons["equipment"] = "ICE's equipment is not operational at the site yet."
        if c["able"] < minimum:
            reasons["officers"] = f"{c['able']} certified officer(s) able to act; the site needs {minimum}."
        if not agency.has_backup:
            reasons["backup"] = "No current backup program manager can sign when the primary is absent."
        if c["lapsed"]:
            reasons["cards"] = f"{c['lapsed']} certified officer(s) with a lapsed security card."
        if c["missing"]:
            reasons["recertification"] = (
                f"{c['missing']} officer(s) missed the last fiscal year's PALMS recertification."
            )
        if any(code in reasons for code in HARD) or ("officers" in reasons and c["able"] == 0):
            site.status = Readiness.NOT_READY
        elif reasons:
            site.status = Readiness.PARTLY
        result.append(site)
    return result


def blocker_counts(sites: list[SiteReadiness]) -> list[dict]:
    """Each blocker with the number of sites it blocks, the most frequent first."""
    counter = Counter(code for site in sites for code in site.reasons)
    return [
        {"code": code, "label": BLOCKERS[code], "sites": n}
        for code, n in sorted(counter.items(), key=lambda item: (-item[1], list(BLOCKERS).index(item[0])))
    ]


def sort_by_blockers(sites: list[SiteReadiness]) -> list[SiteReadiness]:
    """Not ready first, then partly ready, then ready; within a status, the sites held
    by the blockers that hold the most sites first (so fixing those unblocks the most)."""
    weight = Counter(code for site in sites for code in site.reasons)
    order = {Readiness.NOT_READY: 0, Readiness.PARTLY: 1, Readiness.READY: 2}
    return sorted(sites, key=lambda s: (order[s.status], -sum(weight[c] for c in s.reasons), s.agency_name))


def status_counts(sites: list[SiteReadiness]) -> dict[str, int]:
    counter = Counter(site.status for site in sites)
    return {code: counter.get(code, 0) for code, _ in Readiness.choices}
