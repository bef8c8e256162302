"""Long work of the staffing app, run as jobs (``portal.jobs``): the workload import."""

from __future__ import annotations

from django.urls import reverse

from portal import jobs

from .importers import import_workload_csv


@jobs.register("staffing.workload_import", title="Importing workload reports")
def workload_import(job, *, apply_valid: bool = False) -> jobs.Outcome:
    """Check and import an uploaded CSV file of workload reports (the job keeps the file);
    the import page shows the report, with the row of each error."""
    result = import_workload_csv(
        text=bytes(job.input).decode("utf-8-sig"), acting_user=job.requested_by, apply_valid=apply_valid
    )
    if result.applied:
        message = f"Imported: {result.created} new, {result.updated} corrected, {result.unchanged} unchanged."
    else:
        message = f"Nothing imported: {len(result.errors)} error(s)."
    return jobs.Outcome(
        url=f"{reverse('staffing:workload-import')}?job={job.pk}", result=result.as_dict(), message=message
    )
