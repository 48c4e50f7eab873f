"""AetherWave Studio's video API (spec 003) under /compat/aetherwave: generate-video with
its sync-or-async answer, status, background removal and its progress, save-to-gallery and
pricing. Translation only: jobs are submitted, read and priced by apps.jobs, apps.catalog
and apps.gallery, with the same money, tenancy, moderation and Idempotency-Key as /api/v1.
Errors are our envelope (spec 003 shows none) with the caller's field names."""

from typing import Any

from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.permissions import resolve_workspace
from apps.accounts.scopes import Scope
from apps.catalog.selectors import model_describe, model_list
from apps.compat.aetherwave import translate
from apps.compat.aetherwave.authentication import AetherWaveKeyAuthentication, AetherWaveMember
from apps.compat.views import CompatView, submit_job
from apps.core.errors import ValidationError
from apps.core.exceptions import api_exception_handler
from apps.core.parsers import JSONParser, MultiPartParser
from apps.gallery import storage
from apps.gallery.api.multipart import StreamedFilesMixin
from apps.gallery.models import Visibility
from apps.gallery.selectors import asset_get_by_media_url
from apps.gallery.services import asset_save, asset_save_from_url, asset_update
from apps.jobs import selectors
from apps.jobs.models import TERMINAL
from apps.jobs.process import process_fields
from apps.jobs.waiting import job_wait_for_end, wait_slot

# How long generate-video waits for the job to end before answering with a task to poll
# (their "synchronous models"). The wait holds a thread; apps.jobs.waiting caps them.
SYNC_WAIT_S = 15.0


def aetherwave_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = api_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "error" in response.data:
        names = getattr(context.get("view"), "field_names", {})
        response.data = {"error": translate.error_renamed(response.data["error"], names)}
    return response


class AetherWaveView(CompatView):
    authentication_classes = [AetherWaveKeyAuthentication, SessionAuthentication]
    permission_classes = [AetherWaveMember]
    parser_classes = [JSONParser]
    exception_handler = aetherwave_exception_handler
    # Our field names -> the caller's, for error answers.
    field_names: dict[str, str] = {}


def _json_object(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise ValidationError("Send a JSON object.")
    return dict(request.data)


class GenerateVideoView(AetherWaveView):
    """POST /api/generate-video"""

    required_scope = Scope.JOBS

    field_names = translate.GENERATE_NAMES

    def post(self, request: Request) -> Response:
        data = translate.generate_fields(_json_object(request), workspace=request.workspace)
        job, created = submit_job(request, data)
        if job.status not in TERMINAL:
            with wait_slot() as granted:
                if granted:
                    job = job_wait_for_end(job, SYNC_WAIT_S, workspace=request.workspace)
        body, code = translate.generate_answer(job)
        headers = {} if created else {"Idempotent-Replayed": "true"}
        return Response(body, status=code, headers=headers)


class GenerateVideoStatusView(AetherWaveView):
    """GET /api/generate-video/status/{taskId}"""

    def get(self, request: Request, task_id: str) -> Response:
        job = selectors.job_get(workspace=request.workspace, public_id=task_id)
        return Response(translate.task_status(job))


class RemoveBackgroundView(StreamedFilesMixin, AetherWaveView):
    """POST /api/video/remove-background: a video file part (`video` or `file`), or
    `videoUrl`."""

    required_scope = Scope.JOBS

    parser_classes = [MultiPartParser, JSONParser]
    field_names = translate.REMOVE_BACKGROUND_NAMES
    file_fields = translate.REMOVE_BACKGROUND_FILES
    max_files = 1

    def post(self, request: Request) -> Response:
        if request.content_type.startswith("multipart/"):
            body = {k: request.data.get(k) for k in request.data if k not in request.FILES}
        else:
            body = _json_object(request)
        translate.unknown_fields_refuse(body, translate.REMOVE_BACKGROUND_FIELDS)
        # One file part at most (StreamedFilesMixin): it is the job's source video.
        uploads = list(request.FILES.values())
        files = {"source_file": uploads[0]} if uploads else {}
        inputs = {
            ours: body[theirs]
            for theirs, ours in translate.REMOVE_BACKGROUND_FIELDS.items()
            if body.get(theirs) not in (None, "")
        }
        if not files and not inputs:
            raise ValidationError(
                "Send the video as a multipart file part named `video` (or `file`), or its "
                "`videoUrl`.",
                details={"field": "video"},
            )
        inputs = translate.own_media_resolved(inputs, workspace=request.workspace)
        # The seed API's remover is WaveSpeed's at its price (spec 003); /process defaults
        # to the free local one instead.
        fields = process_fields(
            operation="remove-background", settings=None, model=translate.REMOVE_BACKGROUND_MODEL
        )
        job, created = submit_job(request, {**fields, **inputs}, files)
        answer = {
            "jobId": job.public_id,
            "state": translate.state(job),
            "progress": job.progress,
            "creditsUsed": job.credits_estimated,
        }
        headers = {} if created else {"Idempotent-Replayed": "true"}
        return Response(answer, status=status.HTTP_202_ACCEPTED, headers=headers)


class VideoProgressView(AetherWaveView):
    """GET /api/video/progress/{jobId}"""

    def get(self, request: Request, job_id: str) -> Response:
        job = selectors.job_get(workspace=request.workspace, public_id=job_id)
        body = translate.task_status(job)
        return Response({"jobId": body.pop("taskId"), **body})


class SaveToGalleryView(AetherWaveView):
    """POST /api/save-to-gallery. A URL this server handed out (a videoUrl) names the
    caller's own asset, which is kept; any other URL is fetched through the SSRF guard."""

    required_scope = Scope.JOBS

    field_names = translate.SAVE_NAMES

    def post(self, request: Request) -> Response:
        body = _json_object(request)
        translate.unknown_fields_refuse(body, translate.SAVE_FIELDS)
        url = body.get("mediaUrl")
        if not isinstance(url, str) or not url:
            raise ValidationError(
                "mediaUrl is required: the URL of the media to save.", details={"field": "mediaUrl"}
            )
        media_type = body.get("mediaType", "video")
        if media_type not in translate.MEDIA_TYPES:
            raise ValidationError(
                f"Unknown mediaType {media_type!r}.",
                details={"field": "mediaType", "allowed": list(translate.MEDIA_TYPES)},
            )
        # Absent: a kept result keeps its visibility; a fetched one is private.
        visibility = body.get("visibility")
        if visibility is not None and visibility not in Visibility.values:
            raise ValidationError(
                f"Unknown visibility {visibility!r}.",
                details={"field": "visibility", "allowed": list(Visibility.values)},
            )
        texts = {}
        for name in ("prompt", "model", "title"):
            value = body.get(name, "")
            if not isinstance(value, str):
                raise ValidationError(f"{name} must be text.", details={"field": name})
            texts[name] = value
        asset = asset_get_by_media_url(workspace=request.workspace, url=url)
        if asset is not None:
            if asset.kind != media_type:
                raise ValidationError(
                    f"mediaUrl is {asset.kind}, not {media_type}.", details={"field": "mediaType"}
                )
            asset = asset_save(asset=asset)
            asset = asset_update(asset=asset, title=texts["title"] or None, visibility=visibility)
        else:
            asset = asset_save_from_url(
                workspace=request.workspace,
                owner=request.user,
                url=url,
                title=texts["title"],
                visibility=visibility or Visibility.PRIVATE,
                kind=media_type,
                prompt=texts["prompt"],
                model=texts["model"],
            )
        return Response(
            {
                "success": True,
                "id": asset.public_id,
                "mediaUrl": storage.asset_url(asset),
                "mediaType": asset.kind,
                "title": asset.title,
                "visibility": asset.visibility,
                # Public items are listed once moderation has approved them.
                "moderationState": asset.moderation_state,
            },
            status=status.HTTP_201_CREATED,
        )


class PublicWithWorkspace(BasePermission):
    """Anyone; a caller with a key gets its workspace resolved (for the rate limit)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.user and request.user.is_authenticated:
            resolve_workspace(request)
        return True


PRICING_KEYS = ("name", "methods", "available", "durations", "default_duration", "resolutions")


class VideoPricingView(AetherWaveView):
    """GET /api/video/pricing: every catalog model's pricing rule, as /api/v1/models has it
    (list prices in credits, before any tier discount)."""

    permission_classes = [PublicWithWorkspace]

    def get(self, request: Request) -> Response:
        models = {}
        for entry in model_list():
            described = model_describe(entry)
            models[entry.id] = {
                **{key: described[key] for key in PRICING_KEYS},
                "aliases": described["aliases"],
                "pricing": described["pricing"],
            }
        return Response({"unit": "credits", "models": models})
