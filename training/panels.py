"""The agency page's section on its officers and who can act today."""

from __future__ import annotations

from portal import dates

from .choices import OfficerStatus, SuspensionCause
from .models import Officer


def officers_panel(request, agency):
    officers = list(
        Officer.objects.visible_to(request.user)
        .filter(agency=agency)
        .with_standing()
        .order_by("last_name", "first_name")
    )
    if not officers:
        return {"template": "training/_agency_panel.html", "context": {"agency": agency, "officers": [], "able": 0}}
    rows = [{"officer": o, "reasons": o.reasons_cannot_act()} for o in officers]
    ended = sorted(
        {
            o.suspended_on
            for o in officers
            if o.status == OfficerStatus.SUSPENDED and o.suspension_cause == SuspensionCause.DESIGNATION_ENDED
        }
    )
    return {
        "template": "training/_agency_panel.html",
        "context": {
            "agency": agency,
            "officers": rows,
            "able": sum(1 for r in rows if not r["reasons"]),
            "today": dates.today(),
            "designation_ended": sum(
                1
                for o in officers
                if o.suspension_cause == SuspensionCause.DESIGNATION_ENDED and o.status == OfficerStatus.SUSPENDED
            ),
            "designation_ended_on": ended[-1] if ended else None,
        },
    }


AGENCY_PANELS = [officers_panel]


#: Officers the home page lists before its links to the full lists.
HOME_ROWS = 10

REMINDER_LABELS = {
    "card": "Card lapses",
    "refresher": "Refresher due",
    "recertification": "PALMS recertification due",
}


def home_reminders_panel(request):
    """A field program manager's officers to remind: cards close to lapsing under the
    30-day rule, refreshers due soon, recertifications not complete in the season."""
    from portal import access
    from portal.roles import Role, role_of

    from . import selectors

    if role_of(request.user) != Role.FIELD_PM or not access.may(request.user, "view", "training.Officer"):
        return None
    today = dates.today()
    rows, counts = [], dict.fromkeys(REMINDER_LABELS, 0)
    for officer in selectors.certified_with_standing(request.user, today).order_by("agency__name", "last_name"):
        found = selectors.reminders(officer, today)
        for key, _ in found:
            counts[key] += 1
        if found:
            rows.append(
                {
                    "officer": officer,
                    "reminders": [
                        {"label": REMINDER_LABELS[key], "on": on, "overdue": on is not None and on < today}
                        for key, on in found
                    ],
                }
            )
    return {
        "template": "training/_home_panel.html",
        "context": {"rows": rows[:HOME_ROWS], "count": len(rows), "counts": counts, "more": len(rows) > HOME_ROWS},
        "order": 30,
    }


HOME_PANELS = [home_reminders_panel]
