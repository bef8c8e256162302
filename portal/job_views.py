"""The pages of long work (``portal.jobs``): a job's page with its progress bar, the
status it polls, the file an export wrote, and HQ's "run the sweep now"."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import View

from . import access, jobs
from .models import Job
from .views import ScopedRecordView


def job_state(job) -> dict:
    """What the job's page shows, as its script reads it from the status address."""
    state = jobs.live_progress(job)
    total = state.get("total")
    percent = 100 if job.status == Job.Status.DONE else (min(100, int(100 * state["done"] / total)) if total else None)
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.finished,
        "done": state["done"],
        "total": total,
        "percent": percent,
        "message": state.get("message", ""),
        "error": job.error,
        "result_url": job.result_url if job.status == Job.Status.DONE else "",
        "download_url": job.get_absolute_url() + "download/" if job.output_name else "",
    }


class JobView(ScopedRecordView):
    """A job's page: the title of the work, a progress bar and what it is doing now
    (announced to screen readers as it changes), then a link to the result, the file to
    download, or the error it stopped on and the way back to try again."""

    model = Job
    template_name = "portal/job.html"

    def record_queryset(self):
        return Job.objects.defer("input", "output").select_related("requested_by")

    def get(self, request, pk):
        job = self.get_record(pk)
        return render(request, self.template_name, {"job": job, "state": job_state(job), "title": job.title})


class JobStatusView(JobView):
    """The job's state as JSON, polled by its page (``static/portal/job.js``)."""

    def get(self, request, pk):
        response = JsonResponse(job_state(self.get_record(pk)))
        response["Cache-Control"] = "no-store"
        return response


class JobDownloadView(JobView):
    """The file an export job wrote."""

    def record_queryset(self):
        return Job.objects.all()

    def get(self, request, pk):
        job = self.get_record(pk)
        if job.status != Job.Status.DONE or job.output is None:
            return render(
                request, self.template_name, {"job": job, "state": job_state(job), "title": job.title}, status=404
            )
        response = HttpResponse(bytes(job.output), content_type=job.output_type or "application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{job.output_name}"'
        return response


class SweepStartView(LoginRequiredMixin, View):
    """HQ starts the compliance sweep now, and follows it on the job's page."""

    template_name = "portal/sweep_start.html"

    def get(self, request):
        from .compliance.models import SweepRun

        access.require(request.user, "run", SweepRun)
        return render(
            request,
            self.template_name,
            {"title": "Run the compliance sweep", "runs": SweepRun.objects.order_by("-started_at")[:10]},
        )

    def post(self, request):
        from .compliance.models import SweepRun

        access.require(request.user, "run", SweepRun)
        return jobs.job_redirect(jobs.start("portal.sweep", user=request.user, back_url=request.path))
