"""Long work of the agreements app, run as jobs (``portal.jobs``): reading an uploaded
edition of ICE's list into its preview, and applying an edition."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from portal import access, jobs

from . import services
from .choices import ImportStatus
from .importers import IceFileError
from .models import IceImport


@jobs.register("agreements.ice_preview", title="Reading an edition of ICE's list")
def ice_preview(job, *, as_of: str | None = None) -> jobs.Outcome:
    """Read, date and compare an uploaded file of ICE's list (the job keeps the file)."""
    try:
        edition = services.ice_import_preview(
            content=bytes(job.input),
            file_name=job.input_name,
            acting_user=job.requested_by,
            as_of=dt.date.fromisoformat(as_of) if as_of else None,
        )
    except IceFileError as exc:  # the file as a whole cannot be read: said on the file field
        raise ValidationError({"file": [" ".join(exc.messages)]}) from exc
    if edition.known:
        message = "This file has the same bytes as an edition the portal already has: here it is."
    else:
        message = f"Preview of {edition.file_name} ready: nothing is applied until you choose to."
    return jobs.Outcome(url=edition.get_absolute_url(), result={"edition": edition.pk}, message=message)


@jobs.register("agreements.ice_apply", title="Applying an edition of ICE's list")
def ice_apply(job, *, pk: int, apply_valid: bool = False) -> jobs.Outcome:
    """Apply a previewed edition (all its rows, or only the valid ones when HQ chose so)."""
    edition = access.get_or_404(IceImport.objects.all(), job.requested_by, "apply", pk=pk)
    edition = services.ice_import_apply(ice_import=edition, acting_user=job.requested_by, apply_valid=apply_valid)
    if edition.status == ImportStatus.STORED:
        message = "Stored and compared, not applied: an edition of this list as of a later date is already applied."
    else:
        message = "Import applied."
    return jobs.Outcome(url=edition.get_absolute_url(), result={"edition": edition.pk}, message=message)
