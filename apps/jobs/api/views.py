import re
from typing import Any

from django.http import HttpResponse, HttpResponseRedirect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.authentication import request_api_key
from apps.accounts.permissions import IsWorkspaceMember
from apps.accounts.scopes import PUBLIC, Scope
from apps.core.api.query import query_validated
from apps.core.api.schema import errors
from apps.core.errors import Conflict, ValidationError
from apps.core.parsers import JSONParser, MultiPartParser, json_loads
from apps.core.text import MAX_JSON_DEPTH
from apps.core.throttling import client_address
from apps.gallery import storage
from apps.gallery.api.multipart import StreamedFilesMixin
from apps.gallery.objects import asset_last_frame_key
from apps.gallery.quota import upload_limit_bytes
from apps.jobs import anonymous, jobrecord, selectors, services
from apps.jobs.api.detail import job_body, job_detail_body, job_detail_json
from apps.jobs.api.serializers import (
    GenerateRequestSerializer,
    JobSerializer,
    ProcessRequestSerializer,
    TaskListQuerySerializer,
)
from apps.jobs.inputs import SLOTS
from apps.jobs.models import TERMINAL, JobStatus
from apps.jobs.process import process_fields
from apps.jobs.waiting import job_wait_for_end, wait_slot

MAX_WAIT_S = 30
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
                    data[name] = json_loads(data[name], path=name)
                except ParseError:
                    raise ValidationError(
                        f"{name} must be JSON (at most {MAX_JSON_DEPTH} levels deep) in a "
                        "multipart request.",
                        details={"field": name},
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
        api_key=request_api_key(request),
        copy_versions=getattr(request, "prefetched_versions", None),
    )
    wait = _prefer_wait(request)
    if wait and job.status not in TERMINAL:
        with wait_slot() as granted:
            if granted:
                job = job_wait_for_end(job, wait, workspace=request.workspace)
            else:
                wait = 0  # busy: the preference is not applied (RFC 7240 allows it)
    headers = {"Location": f"/api/v1/tasks/{job.public_id}"}
    if wait:
        headers["Preference-Applied"] = f"wait={wait}"
    if not created:
        headers["Idempotent-Replayed"] = "true"
    code = status.HTTP_200_OK if wait and job.status in TERMINAL else status.HTTP_202_ACCEPTED
    body = job_body(job)
    if getattr(job, "switched_from", None):
        body["switched_from"] = job.switched_from  # type: ignore[attr-defined]
    return Response(body, status=code, headers=headers)


def _submit_anonymous(request: Request, data: dict[str, Any], files: dict[str, Any]) -> Response:
    """A visitor's free-perk job: no Idempotency-Key or Prefer (the workspace is shared by
    every visitor), the capability URL in the answer and in Location."""
    job, token = anonymous.anonymous_submit(data=data, files=files, address=client_address(request))
    url = anonymous.CAPABILITY_PREFIX + token
    body = {**job_body(job), "capability_url": url}
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": url})


class WorkspaceMemberOrVisitor(IsWorkspaceMember):
    """A key or a session as everywhere; a request with no credentials at all goes on as
    a visitor, with no workspace."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.user and request.user.is_authenticated:
            return super().has_permission(request, view)
        for target in (request, getattr(request, "_request", None)):
            if target is not None:
                target.membership = None
                target.workspace = None
                target._workspace_resolved = True
        return True


class AnonymousTaskView(APIView):
    """A capability URL: the token is the credential; any other string is a 404."""

    required_scope = PUBLIC

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A visitor's free-perk job, read through its capability URL (no key)",
        responses={200: JobSerializer, **errors(404)},
        auth=[{}],
    )
    def get(self, request: Request, token: str) -> Response:
        job = anonymous.anonymous_job_get(token=token)
        return Response(job_body(job), headers={"Cache-Control": "private, no-store"})


SUBMIT_RESPONSES = {
    202: JobSerializer,
    200: OpenApiResponse(JobSerializer, description="Finished within Prefer: wait"),
    **errors(400, 402, 404, 409, 413, 507),
}


class GenerateView(StreamedFilesMixin, APIView):
    required_scope = Scope.JOBS
    parser_classes = [JSONParser, MultiPartParser]
    # No credentials at all: a visitor, let through to the free-perk check (anonymous.py).
    permission_classes = [WorkspaceMemberOrVisitor]
    # The catalogue's and moderation's process copies' versions come with the key.
    prefetched_versions = True

    def upload_limit(self, request: Request) -> int:
        # Django's request, never DRF's `request.user`: a session's CSRF check parses the
        # form during authentication, and asking DRF for the user then would recurse.
        django_request = request._request
        if (
            getattr(django_request, "_workspace_resolved", False)
            and django_request.workspace is None
            and not django_request.user.is_authenticated
        ):
            return upload_limit_bytes(workspace=anonymous.anonymous_workspace())
        return super().upload_limit(request)

    # Files stream to disk capped at the tier's limit; any other file part is a 400.
    file_fields = tuple(f"{slot}_file" for slot in SLOTS)
    # No catalog model takes more than two inputs (image + end image, image + audio).
    max_files = 2

    @extend_schema(
        summary="Generate a video (text, image, extend, lip-sync, storyboard, retake)",
        request={
            "application/json": GenerateRequestSerializer,
            "multipart/form-data": GenerateRequestSerializer,
        },
        parameters=SUBMIT_HEADERS,
        responses={**SUBMIT_RESPONSES, **errors(401, 429)},
        description=(
            "Without a key, only a combination the catalogue prices as a free perk "
            "(`free_perk` in GET /api/v1/models) is accepted, ANONYMOUS_FREE_JOBS_PER_DAY "
            "per client address; the answer then carries `capability_url`, the only way "
            "to read the job (GET /api/v1/anonymous/tasks/{token}). Anything else is a 401."
        ),
        auth=[{"ApiKeyAuth": []}, {"cookieAuth": []}, {}],
    )
    def post(self, request: Request) -> Response:
        if request.workspace is None:
            return _submit_anonymous(request, *_body(request))
        return _submit(request, *_body(request))


# Everything a /process body may carry (the source file part comes as `source_file`).
PROCESS_FIELDS = frozenset(ProcessRequestSerializer().fields)


class ProcessView(StreamedFilesMixin, APIView):
    required_scope = Scope.JOBS
    parser_classes = [JSONParser, MultiPartParser]
    file_fields = ("source_file",)

    @extend_schema(
        summary="Process a video (edit, retake, enhance, transform, optimize, remove-background)",
        description=(
            "`retake` (and `edit` with an AI edit model such as `lightricks/ltx-2-retake`) "
            "regenerates a stretch of the source video from the top-level `prompt`; its "
            "`settings` are the model's own (GET /api/v1/models: duration, resolution and "
            "options), e.g. `start_time`, `duration` (the stretch, priced per second), "
            "`retake_mode`, `seed`. Any other model for `retake` is a 400 listing the "
            "models that do it."
        ),
        request={
            "application/json": ProcessRequestSerializer,
            "multipart/form-data": ProcessRequestSerializer,
        },
        parameters=SUBMIT_HEADERS,
        responses=SUBMIT_RESPONSES,
    )
    def post(self, request: Request) -> Response:
        data, files = _body(request)
        # A setting sent beside `settings` (`"start_time": 2` at the top level) would
        # otherwise be dropped without a word.
        unknown = sorted(set(data) - PROCESS_FIELDS)
        if unknown:
            raise ValidationError(
                f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
                "An operation's options go inside `settings`.",
                details={
                    "field": unknown[0],
                    "unknown": unknown,
                    "allowed": sorted(PROCESS_FIELDS),
                },
            )
        inputs = {k: v for k, v in data.items() if k.startswith("source_") or k == "webhook_url"}
        fields = process_fields(
            operation=data.get("operation"),
            settings=data.get("settings"),
            model=data.get("model"),
            prompt=data.get("prompt"),
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
    required_scope = {"DELETE": Scope.JOBS}
    # A poll with an API key reads the job's cached body with the key, in one Redis round
    # trip (apps/jobs/jobrecord.py); without a current one, the database.
    prefetched_record = (jobrecord.RECORD_STEM, "job_id")

    @extend_schema(
        summary="A job's status, progress and result", responses={200: JobSerializer, **errors(404)}
    )
    def get(self, request: Request, job_id: str) -> HttpResponse:
        # The same bytes as Response(JobSerializer(job).data) (issue 19): the job's kept
        # record, read with the key, or one query compiled once and the JSON built by hand.
        # An indented rendering (`Accept: application/json; indent=2`) goes through DRF.
        if request.accepted_renderer.get_indent(request.accepted_media_type, {}) is not None:
            values = selectors.job_detail_values(workspace=request.workspace, public_id=job_id)
            return Response(job_detail_body(values))
        body = getattr(request, "prefetched_record", None)
        if body is None:
            body = job_detail_json(workspace=request.workspace, public_id=job_id)
        return HttpResponse(body, content_type="application/json")

    @extend_schema(
        summary="Cancel a job that has not ended (its credits are released)",
        responses={200: JobSerializer, **errors(404, 409)},
    )
    def delete(self, request: Request, job_id: str) -> Response:
        job = selectors.job_get(workspace=request.workspace, public_id=job_id)
        job = services.job_cancel(job=job)
        return Response(job_body(job))


class TaskResultView(APIView):
    @extend_schema(
        summary="Redirect to the result video (a short-lived signed URL)",
        responses={302: OpenApiResponse(description="Location: the video"), **errors(404, 409)},
    )
    def get(self, request: Request, job_id: str) -> Any:
        return HttpResponseRedirect(storage.asset_url(_completed_result(request, job_id)))


class TaskLastFrameView(APIView):
    @extend_schema(
        summary="Redirect to the last frame of the result (PNG, a short-lived signed URL)",
        description=(
            "For clients that chain continuations themselves: the final frame of the "
            "completed result at full size, made on the first ask and kept with the result."
        ),
        responses={
            302: OpenApiResponse(description="Location: the PNG"),
            **errors(400, 404, 409),
        },
    )
    def get(self, request: Request, job_id: str) -> Any:
        asset = _completed_result(request, job_id)
        key = asset_last_frame_key(asset)
        name = f"{job_id}-last-frame.png"
        return HttpResponseRedirect(
            storage.signed_url(key, filename=name, content_type="image/png")
        )


def _completed_result(request: Request, job_id: str) -> Any:
    """The result asset of the workspace's job, or 409 while the job has none."""
    job = selectors.job_get(workspace=request.workspace, public_id=job_id)
    asset = job.result_asset
    if job.status != JobStatus.COMPLETED or asset is None:
        raise Conflict(
            f"The job is {job.status}; its result exists once it is completed.",
            details={"status": job.status},
        )
    return asset
