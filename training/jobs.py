"""Long work of the training app, run as jobs (``portal.jobs``): the preview and the
application of a roster, PALMS completions or security-card logins file."""

from __future__ import annotations

from django.urls import reverse

from portal import jobs

from . import importers


@jobs.register("training.import", title="Importing a training file")
def training_import(job, *, kind: str, apply: bool = False, apply_valid: bool = False) -> jobs.Outcome:
    """Check (``apply`` off: the preview, nothing written) or import the job's CSV text;
    the import page shows the report, with the row of each error."""
    report = importers.run_import(
        kind,
        text=bytes(job.input).decode("utf-8"),
        acting_user=job.requested_by,
        dry_run=not apply,
        apply_valid=apply_valid,
    )
    if report.applied:
        message = f"Imported: {report.created} new, {report.updated} updated, {report.duplicates} duplicates ignored."
    elif apply:
        message = f"Nothing imported: {len(report.errors)} row(s) with errors."
    else:
        message = f"Preview ready: {report.valid} valid row(s), {len(report.errors)} with errors."
    return jobs.Outcome(
        url=f"{reverse('training:import', kwargs={'kind': kind})}?job={job.pk}",
        result=report.as_dict(),
        message=message,
    )
