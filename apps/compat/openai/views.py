"""OpenAI's Videos API at /v1/videos, for the official openai SDKs (docs/compat.md).

Each view translates and calls the jobs, catalog and gallery services: the same keys,
money, tenancy, moderation and idempotency as /api/v1/."""

import re
from typing import Any

from django.http import FileResponse
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.authentication import ApiKeyAuthentication
from apps.accounts.scopes import Scope
from apps.compat.views import CompatView, submit_job
from apps.core.errors import NotFound
from apps.core.parsers import JSONParser, MultiPartParser
from apps.gallery import storage
from apps.gallery.api.multipart import StreamedFilesMixin
from apps.gallery.objects import asset_spritesheet_key
from apps.jobs import selectors
from apps.jobs.deletion import job_delete
from apps.jobs.models import Job, JobStatus
from apps.jobs.remix import job_remix_fields

from . import translate
from .errors import OpenAIError, openai_exception_handler

# How soon a poller should look again while a video is not done (the SDK's
# create_and_poll reads it): the local engine takes seconds, providers minutes. Every
# 2 s keeps one poller at half the Free tier's 60 requests a minute.
POLL_AFTER_MS = {"local": 2000}
POLL_AFTER_MS_DEFAULT = 5000
LIST_LIMIT_MAX = 100
LIST_LIMIT_DEFAULT = 20


class AnyAccept(BaseContentNegotiation):
    """OpenAI answers JSON (or the file) whatever Accept says; the SDK's download sends
    `Accept: application/binary`, which must not be a 406."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        for parser in parsers:
            if request.content_type.split(";")[0].strip() == parser.media_type:
                return parser
        return None

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class OpenAIView(CompatView):
    authentication_classes = [ApiKeyAuthentication]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    content_negotiation_class = AnyAccept
    exception_handler = openai_exception_handler
    # Our field names -> this operation's parameter names, for errors' `param`.
    param_names: dict[str, str] = translate.CREATE_PARAMS


def _video_response(job: Job, status: int = 200, replayed: bool = False) -> Response:
    body = translate.video_object(job)
    headers = {}
    if body["status"] in ("queued", "in_progress"):
        headers["openai-poll-after-ms"] = str(
            POLL_AFTER_MS.get(job.provider, POLL_AFTER_MS_DEFAULT)
        )
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(body, status=status, headers=headers)


def _submit(
    request: Request, data: dict[str, Any], files: dict[str, Any], **extra: Any
) -> Response:
    retry = translate.retry_attempt(request)
    job, created = submit_job(request, data, files, client_retry=retry, **extra)
    return _video_response(job, replayed=not created)


VIDEO_ID = re.compile(r"job_[A-Za-z0-9]{1,40}")


def _job(request: Request, video_id: str) -> Job:
    if not VIDEO_ID.fullmatch(video_id):
        raise NotFound(f"No video {video_id[:64]!r}.")
    return selectors.job_get(workspace=request.workspace, public_id=video_id)


def _completed_result(request: Request, video_id: str, param: str) -> Any:
    """The result asset of a completed video of this workspace (404 for another's)."""
    job = _job(request, video_id)
    if job.status != JobStatus.COMPLETED or job.result_asset is None:
        raise OpenAIError(
            f"Video {video_id} is {translate.STATUS[JobStatus(job.status)]}, not completed.",
            param=param,
            code="video_not_ready",
        )
    return job.result_asset


class VideosView(StreamedFilesMixin, OpenAIView):
    """GET: list; POST: create (JSON or multipart with an `input_reference` file)."""

    required_scope = {"POST": Scope.JOBS}

    parser_classes = [JSONParser, MultiPartParser]
    file_fields = ("input_reference",)
    max_files = 1

    def post(self, request: Request) -> Response:
        fields = translate.body_fields(
            request, {"prompt", "model", "seconds", "size", "input_reference"}
        )
        return _submit(request, *translate.create_request(fields))

    def get(self, request: Request) -> Response:
        query = request.query_params
        order = query.get("order") or "desc"
        if order not in ("asc", "desc"):
            raise OpenAIError("'order' must be asc or desc.", param="order")
        raw_limit = query.get("limit") or str(LIST_LIMIT_DEFAULT)
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= LIST_LIMIT_MAX:
            raise OpenAIError(f"'limit' must be 1-{LIST_LIMIT_MAX}.", param="limit")
        limit = int(raw_limit)
        jobs = selectors.jobs_list(workspace=request.workspace).select_related("remixed_from")
        if order == "desc":
            jobs = jobs.order_by("-created_at", "-id")
        else:
            jobs = jobs.order_by("created_at", "id")
        after = query.get("after")
        if after:
            if not VIDEO_ID.fullmatch(after):
                raise OpenAIError(
                    f"Invalid 'after': {after[:64]!r} is not a video id.", param="after"
                )
            cursor = _job(request, after)
            if order == "desc":
                jobs = jobs.filter(created_at__lte=cursor.created_at).exclude(
                    created_at=cursor.created_at, id__gte=cursor.pk
                )
            else:
                jobs = jobs.filter(created_at__gte=cursor.created_at).exclude(
                    created_at=cursor.created_at, id__lte=cursor.pk
                )
        page = list(jobs[: limit + 1])
        data = [translate.video_object(job) for job in page[:limit]]
        return Response(
            {
                "object": "list",
                "data": data,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
                "has_more": len(page) > limit,
            }
        )


class VideoDetailView(OpenAIView):
    required_scope = {"DELETE": Scope.JOBS}

    def get(self, request: Request, video_id: str) -> Response:
        return _video_response(_job(request, video_id))

    def delete(self, request: Request, video_id: str) -> Response:
        job_delete(job=_job(request, video_id))
        return Response({"id": video_id, "object": "video.deleted", "deleted": True})


class VideoContentView(OpenAIView):
    VARIANTS = ("video", "thumbnail", "spritesheet")

    def get(self, request: Request, video_id: str) -> FileResponse:
        variant = request.query_params.get("variant") or "video"
        if variant not in self.VARIANTS:
            raise OpenAIError(
                f"'variant' must be one of {', '.join(self.VARIANTS)}.", param="variant"
            )
        asset = _completed_result(request, video_id, "video_id")
        if variant == "video":
            key, content_type, name = asset.storage_key, asset.content_type, f"{video_id}.mp4"
        elif variant == "thumbnail":
            if not asset.thumbnail_key:
                raise NotFound("This video has no thumbnail.")
            key, content_type, name = asset.thumbnail_key, "image/jpeg", f"{video_id}.jpg"
        else:
            key = asset_spritesheet_key(asset)
            content_type, name = "image/jpeg", f"{video_id}-spritesheet.jpg"
        handle = storage.get_storage().open(key, "rb")
        return FileResponse(handle, content_type=content_type, filename=name)


class VideoRemixView(OpenAIView):
    required_scope = Scope.JOBS

    def post(self, request: Request, video_id: str) -> Response:
        fields = translate.body_fields(request, {"prompt"})
        prompt = translate._text(fields, "prompt", required=True)
        source = _job(request, video_id)
        data = job_remix_fields(job=source, prompt=prompt or "")
        return _submit(request, data, {}, remixed_from=source)


class _SourceVideoView(StreamedFilesMixin, OpenAIView):
    parser_classes = [JSONParser, MultiPartParser]
    file_fields = ("video",)
    max_files = 1
    param_names = translate.SOURCE_VIDEO_PARAMS
    method = ""
    allowed: set[str] = set()

    def post(self, request: Request) -> Response:
        fields = translate.body_fields(request, self.allowed)
        translate.source_video_check(fields, method=self.method)
        video_id = translate.video_reference_id(fields)
        asset_id = None
        if video_id is not None:
            asset_id = _completed_result(request, video_id, "video").public_id
        data, files = translate.source_video_request(
            fields, method=self.method, source_asset=asset_id
        )
        return _submit(request, data, files)


class VideoExtensionsView(_SourceVideoView):
    required_scope = Scope.JOBS
    method = "extend-video"
    allowed = {"prompt", "seconds", "video", "model"}


class VideoEditsView(_SourceVideoView):
    required_scope = Scope.JOBS
    method = "edit"
    allowed = {"prompt", "video", "model", *translate.EDIT_SETTINGS}


class UnknownView(OpenAIView):
    """Any other /v1/ path: OpenAI's answer to a URL it does not serve."""

    required_scope = {"*": Scope.READ}

    def _refuse(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise OpenAIError(
            f"Invalid URL ({request.method} {request.path}): not served here (docs/compat.md).",
            code="unknown_url",
            status=404,
        )

    get = post = put = patch = delete = _refuse
