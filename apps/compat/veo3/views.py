"""Veo3 image-to-video (spec 002) at /compat/veo3/api/v1/: submit, poll, and the
deprecated video status. Errors in Veo3's shape (errors.py)."""

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.scopes import Scope
from apps.compat.veo3.errors import veo3_error, veo3_exception_handler
from apps.compat.veo3.fields import generate_fields
from apps.compat.views import CompatView, submit_job
from apps.core.parsers import JSONParser
from apps.jobs import selectors
from apps.jobs.api import shapes
from apps.jobs.models import Job, JobStatus

PREFIX = "/compat/veo3/api/v1"
# Our statuses → the spec's Task Status Reference.
STATUSES = {
    JobStatus.QUEUED: "pending",
    JobStatus.REVIEW: "pending",
    JobStatus.RUNNING: "processing",
    JobStatus.DELIVERING: "processing",
    JobStatus.COMPLETED: "completed",
    JobStatus.FAILED: "failed",
    JobStatus.REJECTED: "failed",
    JobStatus.CANCELLED: "cancelled",
}


class Veo3View(CompatView):
    exception_handler = veo3_exception_handler


def _error(job: Job) -> dict[str, Any] | None:
    if not job.error_code:
        return None
    return veo3_error(code=job.error_code, message=job.error_message, retryable=job.error_retryable)


def _video(job: Job) -> dict[str, Any] | None:
    result = shapes.job_result(job.status, job.result_asset)
    if result is None:
        return None
    return {**result, "fps": job.params.get("fps")}


class Veo3GenerateView(Veo3View):
    required_scope = Scope.JOBS
    parser_classes = [JSONParser]

    def post(self, request: Request) -> Response:
        job, created = submit_job(request, generate_fields(request.data))
        headers = {"Location": f"{PREFIX}/tasks/{job.public_id}"}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return Response(
            {
                "task_id": job.public_id,
                "status": STATUSES[JobStatus(job.status)],
                "message": "Video generation task submitted. "
                f"Poll {PREFIX}/tasks/{job.public_id} for status.",
            },
            headers=headers,
        )


class Veo3TaskView(Veo3View):
    """Shaped as the spec's polling example reads it: `result.result.video_url`."""

    def get(self, request: Request, task_id: str) -> Response:
        job = selectors.job_get(workspace=request.workspace, public_id=task_id)
        video = _video(job)
        return Response(
            {
                "task_id": job.public_id,
                "task_type": "video_generation",
                "status": STATUSES[JobStatus(job.status)],
                "progress": job.progress,
                "stage": job.stage,
                "model": job.model,
                "result": None if video is None else {"success": True, "result": video},
                "error": _error(job),
                "created_at": job.created_at,
                "updated_at": job.updated_at,
                "completed_at": job.completed_at,
            }
        )


class Veo3VideoView(Veo3View):
    """The deprecated `GET /api/v1/videos/{video_id}` (video ids are task ids)."""

    def get(self, request: Request, video_id: str) -> Response:
        job = selectors.job_get(workspace=request.workspace, public_id=video_id)
        video = _video(job)
        return Response(
            {
                "task_id": job.public_id,
                "status": STATUSES[JobStatus(job.status)],
                "progress": job.progress,
                "video_url": None if video is None else video["video_url"],
                "error": _error(job),
                "created_at": job.created_at,
                "updated_at": job.updated_at,
            },
            headers={
                "Deprecation": "true",
                "Link": f'<{PREFIX}/tasks/{job.public_id}>; rel="successor-version"',
            },
        )
