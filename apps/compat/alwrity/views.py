"""ALwrity Video Studio (spec 000) at /compat/alwrity/api/video-studio/: thin translations
onto the jobs, catalog and webhooks services. Errors keep our envelope, whose codes are
the ones that spec lists (docs/compat.md)."""

from typing import Any

from django.http import HttpResponseRedirect
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.permissions import IsWorkspaceManager
from apps.accounts.scopes import Scope
from apps.catalog.services import cost_estimate
from apps.compat.alwrity import fields as alw
from apps.compat.views import CompatView, submit_job
from apps.core.errors import Conflict
from apps.core.parsers import JSONParser, MultiPartParser
from apps.gallery import storage
from apps.gallery.api.multipart import StreamedFilesMixin
from apps.jobs import selectors, services
from apps.jobs.api.serializers import JobSerializer
from apps.jobs.models import Job, JobStatus
from apps.jobs.process import process_fields
from apps.webhooks import services as webhook_services
from apps.webhooks.models import PayloadFormat

PREFIX = "/compat/alwrity/api/video-studio"


def task_body(job: Job) -> dict[str, Any]:
    """Our job object with ALwrity's name for its id, and the task's own links."""
    data = dict(JobSerializer(job).data)
    body: dict[str, Any] = {"task_id": data.pop("id")}
    body.update(data)
    body["updated_at"] = job.updated_at
    body["status_url"] = f"{PREFIX}/tasks/{job.public_id}/status"
    body["result_url"] = f"{PREFIX}/tasks/{job.public_id}/result"
    return body


def _submitted(request: Request, data: dict[str, Any], files: dict[str, Any]) -> Response:
    job, created = submit_job(request, data, files)
    headers = {"Location": f"{PREFIX}/tasks/{job.public_id}/status"}
    if not created:
        headers["Idempotent-Replayed"] = "true"
    return Response(task_body(job), status=status.HTTP_202_ACCEPTED, headers=headers)


class AlwrityGenerateView(StreamedFilesMixin, CompatView):
    required_scope = Scope.JOBS
    parser_classes = [MultiPartParser, JSONParser]
    file_fields = ("source_file",)

    def post(self, request: Request) -> Response:
        data, files = alw.body_read(request)
        alw.known_only(data, files, alw.GENERATE_FIELDS)
        fields = alw.job_fields(data, allowed=alw.GENERATE_FIELDS)
        if "source_file" in data:
            fields["source_file"] = data["source_file"]  # a text part: refused by name
        return _submitted(request, fields, files)


class AlwrityProcessView(StreamedFilesMixin, CompatView):
    required_scope = Scope.JOBS
    parser_classes = [MultiPartParser, JSONParser]
    file_fields = ("source_file",)

    def post(self, request: Request) -> Response:
        data, files = alw.body_read(request)
        alw.known_only(data, files, alw.PROCESS_FIELDS)
        operation, settings = alw.process_request(data)
        fields = process_fields(operation=operation, settings=settings)
        if "source_file" in data:
            fields["source_file"] = data["source_file"]
        return _submitted(request, fields, files)


class AlwrityEstimateCostView(CompatView):
    required_scope = Scope.READ
    parser_classes = [JSONParser]

    def post(self, request: Request) -> Response:
        data, _ = alw.body_read(request)
        alw.known_only(data, {}, alw.ESTIMATE_FIELDS)
        estimate = cost_estimate(
            fields=alw.job_fields(data, allowed=alw.ESTIMATE_FIELDS), workspace=request.workspace
        )
        return Response(
            {
                "estimated_cost": float(estimate.quote.cost_usd),
                "currency": "USD",
                "processing_time_estimate": estimate.processing_time_estimate_s,
                "confidence": estimate.confidence,
                # Ours: what is held and charged is credits.
                "estimated_credits": estimate.credits,
                "model": estimate.preflight.model_id,
                "method": estimate.preflight.method,
                "notes": estimate.preflight.notes,
            }
        )


class AlwrityTaskStatusView(CompatView):
    def get(self, request: Request, task_id: str) -> Response:
        job = selectors.job_get(workspace=request.workspace, public_id=task_id)
        return Response(task_body(job))


class AlwrityTaskResultView(CompatView):
    """The spec's "Download result": a redirect to the video's short-lived signed link."""

    def get(self, request: Request, task_id: str) -> Any:
        job = selectors.job_get(workspace=request.workspace, public_id=task_id)
        if job.status != JobStatus.COMPLETED or job.result_asset is None:
            raise Conflict(
                f"The task is {job.status}; its result exists once it is completed.",
                details={"status": job.status},
            )
        return HttpResponseRedirect(storage.asset_url(job.result_asset))


class AlwrityTaskView(CompatView):
    required_scope = {"DELETE": Scope.JOBS}

    def delete(self, request: Request, task_id: str) -> Response:
        job = selectors.job_get(workspace=request.workspace, public_id=task_id)
        return Response(task_body(services.job_cancel(job=job)))


class AlwrityWebhooksView(CompatView):
    """Registers a webhook endpoint whose payloads are ALwrity's shape (docs/compat.md),
    signed like every other endpoint's (docs/webhooks.md)."""

    required_scope = Scope.ADMIN

    parser_classes = [JSONParser]
    permission_classes = [IsWorkspaceManager]

    def post(self, request: Request) -> Response:
        data, _ = alw.body_read(request)
        alw.known_only(data, {}, alw.WEBHOOK_FIELDS)
        endpoint, secret = webhook_services.endpoint_create(
            membership=request.membership,
            url=data.get("url"),  # type: ignore[arg-type]  # checked by the service
            events=data.get("events"),  # type: ignore[arg-type]
            secret=data.get("secret"),
            payload_format=PayloadFormat.ALWRITY,
            description="Registered through /compat/alwrity",
        )
        body = {
            "id": endpoint.public_id,
            "url": endpoint.url,
            "events": endpoint.events,
            "enabled": endpoint.enabled,
            "created_at": endpoint.created_at,
        }
        if data.get("secret") is None:
            body["secret"] = secret  # ours, shown only now
        return Response(body, status=status.HTTP_201_CREATED)
