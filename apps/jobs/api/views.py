import json
import re
import time
from typing import Any

from django.http import HttpResponseRedirect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.query import query_validated
from apps.core.api.schema import errors
from apps.core.errors import Conflict, ValidationError
from apps.gallery import storage
from apps.jobs import selectors, services
from apps.jobs.api.serializers import (
    GenerateRequestSerializer,
    JobSerializer,
    ProcessRequestSerializer,
    TaskListQuerySerializer,
)
from apps.jobs.models import TERMINAL, JobStatus

MAX_WAIT_S = 30
WAIT_POLL_S = 0.25
# Multipart sends everything as text; these fields carry JSON.
JSON_FIELDS = ("storyboard", "settings")
PREFER_WAIT = re.compile(r"(?:^|[,;\s])wait\s*=\s*(\d+)", re.IGNORECASE)

SUBMIT_HEADERS = [
    OpenApiParameter(
        "Idempotency-Key",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="Same key and body → the same job (one hold); a different body → 409.",
    ),
    OpenApiParameter(
        "Prefer",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="`wait=N` (N ≤ 30): answer 200 with the result if the job ends in N s.",
    ),
]


def _body(request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fields and files of a JSON or multipart request."""
    if request.content_type.startswith("multipart/"):
        data: dict[str, Any] = {
            k: request.data.get(k) for k in request.data if k not in request.FILES
        }
        for name in JSON_FIELDS:
            if isinstance(data.get(name), str) and data[name].strip():
                try:
                    data[name] = json.loads(data[name])
                except json.JSONDecodeError:
                    raise ValidationError(
                        f"{name} must be JSON in a multipart request.", details={"field": name}
                    ) from None
        return data, {name: request.FILES[name] for name in request.FILES}
    if not isinstance(request.data, dict):
        raise ValidationError("Send a JSON object.")
    return dict(request.data), {}


def _prefer_wait(request: Request) -> int:
    match = PREFER_WAIT.search(request.headers.get("Prefer", ""))
    return min(int(match.group(1)), MAX_WAIT_S) if match else 0


def _submit(request: Request, data: dict[str, Any], files: dict[str, Any]) -> Response:
    """Accepts the job, then honours Prefer: wait."""
    job, created = services.job_submit(
        workspace=request.workspace,
        user=request.user,
        data=data,
        files=files,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    wait = _prefer_wait(request)
    deadline = time.monotonic() + wait
    while wait and job.status not in TERMINAL and time.monotonic() < deadline:
        time.sleep(WAIT_POLL_S)
        job.refresh_from_db()
    headers = {"Location": f"/api/v1/tasks/{job.public_id}"}
    if wait:
        headers["Preference-Applied"] = f"wait={wait}"
    if not created:
        headers["Idempotent-Replayed"] = "true"
    code = status.HTTP_200_OK if wait and job.status in TERMINAL else status.HTTP_202_ACCEPTED
    body = JobSerializer(job).data
    if getattr(job, "switched_from", None):
        body["switched_from"] = job.switched_from  # type: ignore[attr-defined]
    return Response(body, status=code, headers=headers)


SUBMIT_RESPONSES = {
    202: JobSerializer,
    200: OpenApiResponse(JobSerializer, description="Finished within Prefer: wait"),
    **errors(400, 402, 404, 409, 413, 507),
}


class GenerateView(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        summary="Generate a video (text, image, extend, lip-sync, storyboard)",
        request={
            "application/json": GenerateRequestSerializer,
            "multipart/form-data": GenerateRequestSerializer,
        },
        parameters=SUBMIT_HEADERS,
        responses=SUBMIT_RESPONSES,
    )
    def post(self, request: Request) -> Response:
        return _submit(request, *_body(request))


class ProcessView(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        summary="Process a video (edit, enhance, transform, optimize, remove-background)",
        request={
            "application/json": ProcessRequestSerializer,
            "multipart/form-data": ProcessRequestSerializer,
        },
        parameters=SUBMIT_HEADERS,
        responses=SUBMIT_RESPONSES,
    )
    def post(self, request: Request) -> Response:
        data, files = _body(request)
        inputs = {k: v for k, v in data.items() if k.startswith("source_")}
        fields = services.process_fields(
            operation=data.get("operation"), settings=data.get("settings"), model=data.get("model")
        )
        return _submit(request, {**fields, **inputs}, files)


class TaskListView(ListAPIView[Any]):
    serializer_class = JobSerializer

    def get_queryset(self) -> Any:
        query = query_validated(self.request, TaskListQuerySerializer)
        return selectors.jobs_list(
            workspace=self.request.workspace,
            status=query.get("status"),
            method=query.get("method"),
        )

    @extend_schema(
        summary="List jobs, newest first",
        parameters=[TaskListQuerySerializer],
        responses={200: JobSerializer(many=True), **errors()},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class TaskDetailView(APIView):
    @extend_schema(
        summary="A job's status, progress and result", responses={200: JobSerializer, **errors(404)}
    )
    def get(self, request: Request, job_id: str) -> Response:
        job = selectors.job_get(workspace=request.workspace, public_id=job_id)
        return Response(JobSerializer(job).data)

    @extend_schema(
        summary="Cancel a job that has not ended (its credits are released)",
        responses={200: JobSerializer, **errors(404, 409)},
    )
    def delete(self, request: Request, job_id: str) -> Response:
        job = selectors.job_get(workspace=request.workspace, public_id=job_id)
        job = services.job_cancel(job=job)
        return Response(JobSerializer(job).data)


class TaskResultView(APIView):
    @extend_schema(
        summary="Redirect to the result video (a short-lived signed URL)",
        responses={302: OpenApiResponse(description="Location: the video"), **errors(404, 409)},
    )
    def get(self, request: Request, job_id: str) -> Any:
        job = selectors.job_get(workspace=request.workspace, public_id=job_id)
        asset = job.result_asset
        if job.status != JobStatus.COMPLETED or asset is None:
            raise Conflict(
                f"The job is {job.status}; its result exists once it is completed.",
                details={"status": job.status},
            )
        return HttpResponseRedirect(storage.asset_url(asset))
