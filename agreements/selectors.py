"""Reads of the agreements app used in several places: what an edition of ICE's lists
changed, and the program's timeline."""

from __future__ import annotations

from django.db.models import Count

from .choices import ChangeKind, ReviewStatus


def edition_summary(edition, *, limit: int = 50) -> dict:
    """Counts of an edition's change list and its first lines of each kind, with the
    signing dates HQ is to review (for the edition page and the digest)."""
    from .models import EditionChange, SigningDateReview

    changes = EditionChange.objects.filter(edition=edition)
    counts = {row["kind"]: row["n"] for row in changes.values("kind").annotate(n=Count("id"))}
    changed_agreements = changes.filter(kind=ChangeKind.CHANGED).values("state", "match_key", "program_model").distinct()
    reviews = SigningDateReview.objects.filter(edition=edition).select_related("agreement__agency")
    return {
        "new": counts.get(ChangeKind.NEW, 0),
        "removed": counts.get(ChangeKind.REMOVED, 0),
        "changed": changed_agreements.count(),
        "changed_fields": counts.get(ChangeKind.CHANGED, 0),
        "new_lines": list(changes.filter(kind=ChangeKind.NEW)[:limit]),
        "removed_lines": list(changes.filter(kind=ChangeKind.REMOVED)[:limit]),
        "changed_lines": list(changes.filter(kind=ChangeKind.CHANGED)[:limit]),
        "to_review": list(reviews.filter(status=ReviewStatus.PENDING)[:limit]),
        "to_review_count": reviews.filter(status=ReviewStatus.PENDING).count(),
        "previous": edition.previous,
    }
