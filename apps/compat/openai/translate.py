"""OpenAI's video wire format ↔ our job fields and jobs (docs/compat.md).

Only names and shapes change here: every rule (validation against the model, price,
moderation, money, tenancy) is the jobs/catalog services' own."""

import base64
import binascii
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import QueryDict

from apps.catalog.registry import spec_for
from apps.gallery.services import asset_expires_at
from apps.jobs.models import Job, JobStatus
from apps.providers.common import dimensions

from .errors import OpenAIError

# Aspect ratios a `WIDTHxHEIGHT` size may have (the catalog's, both orientations).
ASPECTS = ("16:9", "9:16", "1:1", "4:5", "5:4", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21")
SIZE_RE = re.compile(r"^(\d{2,5})x(\d{2,5})$")
# OpenAI's HD sizes are not a catalog aspect ratio of a standard resolution: 1024p here
# (the Sora adapter sends them back as these sizes; no other model renders 1024p).
OPENAI_HD = {(1792, 1024): ("1024p", "16:9"), (1024, 1792): ("1024p", "9:16")}
OPENAI_HD_BY_FORMAT = {fmt: f"{w}x{h}" for (w, h), fmt in OPENAI_HD.items()}

STATUS = {
    JobStatus.QUEUED: "queued",
    JobStatus.REVIEW: "queued",  # waiting for a moderator: not started yet
    JobStatus.RUNNING: "in_progress",
    JobStatus.DELIVERING: "in_progress",
    JobStatus.COMPLETED: "completed",
    JobStatus.FAILED: "failed",
    JobStatus.CANCELLED: "failed",  # error.code "cancelled"
    JobStatus.REJECTED: "failed",  # error.code "moderation_blocked"
}
ERROR_CODES = {"CONTENT_POLICY": "moderation_blocked"}

# Our field names (as preflight and the inputs name them) -> the request's parameter.
CREATE_PARAMS = {
    "duration": "seconds",
    "resolution": "size",
    "aspect_ratio": "size",
    "storyboard": "prompt",
    "source_file": "input_reference",
    "source_url": "input_reference",
    "source_asset": "input_reference",
    "image": "input_reference",
    "video": "input_reference",
    "method": "input_reference",
}
SOURCE_VIDEO_PARAMS = {
    **CREATE_PARAMS,
    "source_file": "video",
    "source_url": "video",
    "source_asset": "video",
    "image": "video",
    "video": "video",
    "method": "video",
    "settings": "prompt",
}


# --- requests ---------------------------------------------------------------------------

_NESTED = re.compile(r"^([A-Za-z_]+)\[([A-Za-z_]+)\]$")


def body_fields(request: Any, allowed: set[str]) -> dict[str, Any]:
    """The request's parameters as one dict: JSON as sent; multipart with its file parts
    as uploads and `name[key]` parts as {name: {key: value}}. Unknown names are a 400."""
    data = request.data
    fields: dict[str, Any] = {}
    if isinstance(data, QueryDict):
        for name in data:
            if name in request.FILES:
                continue
            match = _NESTED.match(name)
            if match:
                outer, inner = match.groups()
                if outer not in fields or not isinstance(fields[outer], dict):
                    fields[outer] = {}
                fields[outer][inner] = data.get(name)
            else:
                fields[name] = data.get(name)
        for name in request.FILES:
            fields[name] = request.FILES[name]
    elif isinstance(data, dict):
        fields = dict(data)
    else:
        raise OpenAIError("The request body must be a JSON object or multipart form data.")
    for name in fields:
        if name not in allowed:
            raise OpenAIError(f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")
    return fields


def _text(fields: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = fields.get(name)
    if value is None or value == "":
        if required:
            raise OpenAIError(
                f"Missing required parameter: '{name}'.",
                param=name,
                code="missing_required_parameter",
            )
        return None
    if not isinstance(value, str):
        raise OpenAIError(
            f"Invalid type for '{name}': expected a string.", param=name, code="invalid_type"
        )
    return value


def _seconds(fields: dict[str, Any], *, required: bool = False) -> int | None:
    value = fields.get("seconds")
    if value is None or value == "":
        if required:
            raise OpenAIError(
                "Missing required parameter: 'seconds'.",
                param="seconds",
                code="missing_required_parameter",
            )
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 4:
        seconds = int(value.strip())
    else:
        raise OpenAIError(
            "Invalid 'seconds': a whole number of seconds, such as \"4\".",
            param="seconds",
            code="invalid_value",
        )
    if seconds <= 0:
        raise OpenAIError("'seconds' must be above 0.", param="seconds", code="invalid_value")
    return seconds


def size_to_format(size: str) -> tuple[str, str]:
    """`1280x720` -> ("720p", "16:9"): the resolution and aspect ratio that render
    exactly that size. 400 (param size) when no pair does."""
    match = SIZE_RE.match(size.strip())
    if match:
        width, height = int(match.group(1)), int(match.group(2))
        if (width, height) in OPENAI_HD:
            return OPENAI_HD[(width, height)]
        resolution = f"{min(width, height)}p"
        for aspect in ASPECTS:
            if dimensions(resolution, aspect) == (width, height):
                return resolution, aspect
    raise OpenAIError(
        f"Invalid 'size' {size[:40]!r}: give WIDTHxHEIGHT in one of the aspect ratios "
        f"{', '.join(ASPECTS)}, such as 1280x720 or 720x1280.",
        param="size",
        code="invalid_value",
    )


def format_to_size(resolution: str | None, aspect: str | None) -> str | None:
    if not resolution or not aspect:
        return None
    if (resolution, aspect) in OPENAI_HD_BY_FORMAT:
        return OPENAI_HD_BY_FORMAT[(resolution, aspect)]
    width, height = dimensions(resolution, aspect)
    return f"{width}x{height}"


def _data_url_file(url: str, param: str) -> UploadedFile:
    header, _, payload = url.partition(",")
    if not header.startswith("data:") or not header.endswith(";base64"):
        raise OpenAIError(
            f"'{param}' must be an http(s) URL or a base64 data URL.",
            param=param,
            code="invalid_value",
        )
    try:
        content = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise OpenAIError(
            f"'{param}' is not valid base64.", param=param, code="invalid_value"
        ) from None
    mime = header[5:].split(";", 1)[0] or "application/octet-stream"
    return SimpleUploadedFile("reference", content, content_type=mime)


def _reference(
    value: Any, param: str, keys: dict[str, str], data: dict[str, Any], files: dict[str, Any]
) -> None:
    """An upload or a reference object -> source_file / source_url / source_asset."""
    if isinstance(value, UploadedFile):
        files["source_file"] = value
        return
    if not isinstance(value, dict) or len(value) != 1:
        raise OpenAIError(
            f"'{param}' must be a file upload or an object with one of: {', '.join(keys)}.",
            param=param,
            code="invalid_value",
        )
    ((key, inner),) = value.items()
    if key not in keys:
        raise OpenAIError(
            f"Unknown parameter: '{param}.{key}'.", param=f"{param}.{key}", code="unknown_parameter"
        )
    if not isinstance(inner, str) or not inner:
        raise OpenAIError(
            f"'{param}.{key}' must be a non-empty string.",
            param=f"{param}.{key}",
            code="invalid_type",
        )
    target = keys[key]
    if target == "url" and inner.startswith("data:"):
        files["source_file"] = _data_url_file(inner, f"{param}.{key}")
    elif target == "url":
        data["source_url"] = inner
    else:
        data[target] = inner


def create_request(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """POST /v1/videos -> (job fields, files)."""
    prompt = _text(fields, "prompt", required=True)
    model = _text(fields, "model")
    seconds = _seconds(fields)
    size = _text(fields, "size")
    data: dict[str, Any] = {"prompt": prompt}
    files: dict[str, Any] = {}
    if model:
        data["model"] = model
    if seconds is not None:
        data["duration"] = seconds
    if size:
        data["resolution"], data["aspect_ratio"] = size_to_format(size)
    if fields.get("input_reference") not in (None, ""):
        keys = {"image_url": "url", "file_id": "source_asset"}
        _reference(fields["input_reference"], "input_reference", keys, data, files)
    spec = spec_for(model) if model else None
    if spec is not None and spec.storyboard:
        # A multi-shot model (sora-2-pro): the prompt is its one scene.
        duration = data.pop("duration", None) or spec.default_duration
        data["storyboard"] = [{"prompt": prompt, "duration": duration}]
    return data, files


# Our extension to /v1/videos/edits: the local edit model's settings (docs/compat.md);
# a prompt alone cannot tell it what to change.
EDIT_SETTINGS = ("trim_start", "trim_end", "trim_mode", "aspect_ratio", "speed", "mute", "fit")


def source_video_check(fields: dict[str, Any], *, method: str) -> None:
    """The plain parameters, checked before the video is looked up."""
    _text(fields, "prompt", required=True)
    _text(fields, "model")
    if method == "extend-video":
        _seconds(fields, required=True)


def source_video_request(
    fields: dict[str, Any], *, method: str, source_asset: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """POST /v1/videos/extensions and /v1/videos/edits -> (job fields, files). A `video`
    reference by id has been resolved to its result asset by the caller."""
    prompt = _text(fields, "prompt", required=True)
    data: dict[str, Any] = {"method": method, "prompt": prompt}
    files: dict[str, Any] = {}
    model = _text(fields, "model")
    if model:
        data["model"] = model
    if method == "extend-video":
        data["duration"] = _seconds(fields, required=True)
    for name in EDIT_SETTINGS:
        if fields.get(name) not in (None, ""):
            data[name] = fields[name]
    if source_asset:
        data["source_asset"] = source_asset
    else:
        _reference(fields.get("video"), "video", {}, data, files)
    return data, files


def video_reference_id(fields: dict[str, Any]) -> str | None:
    """The id of `video: {"id": ...}`, None for an upload; 400 for anything else."""
    value = fields.get("video")
    if value is None or value == "":
        raise OpenAIError(
            "Missing required parameter: 'video'.", param="video", code="missing_required_parameter"
        )
    if isinstance(value, UploadedFile):
        return None
    if isinstance(value, dict) and set(value) == {"id"} and isinstance(value["id"], str):
        return value["id"]
    raise OpenAIError(
        '\'video\' must be a video file upload or an object {"id": "<video id>"}.',
        param="video",
        code="invalid_value",
    )


def retry_attempt(request: Any) -> bool | None:
    """The openai SDKs number their attempts in `x-stainless-retry-count` (0 first):
    None when the header is absent or not a number (the client does not say)."""
    raw = request.headers.get("x-stainless-retry-count", "").strip()
    if not raw.isdigit() or len(raw) > 3:
        return None
    return int(raw) > 0


# --- responses --------------------------------------------------------------------------


def _unix(value: Any) -> int | None:
    return int(value.timestamp()) if value is not None else None


def video_object(job: Job) -> dict[str, Any]:
    """A job as OpenAI's video object."""
    params = job.params or {}
    asset = job.result_asset if job.status == JobStatus.COMPLETED else None
    seconds = params.get("duration")
    size = format_to_size(params.get("resolution"), params.get("aspect_ratio"))
    expires_at = None
    if asset is not None:
        if asset.duration:
            seconds = round(asset.duration)  # an extension: the stitched total
        if asset.width and asset.height:
            size = f"{asset.width}x{asset.height}"
        expires_at = _unix(asset_expires_at(asset))
    error = None
    if job.status == JobStatus.CANCELLED:
        error = {"code": "cancelled", "message": job.error_message or "Cancelled."}
    elif STATUS[JobStatus(job.status)] == "failed":
        code = ERROR_CODES.get(job.error_code, (job.error_code or "failed").lower())
        error = {"code": code, "message": job.error_message or "The video failed."}
    remixed_from = None
    if job.remixed_from_id is not None and job.remixed_from is not None:
        remixed_from = job.remixed_from.public_id
    return {
        "id": job.public_id,
        "object": "video",
        "model": job.model,
        "status": STATUS[JobStatus(job.status)],
        "progress": 100 if job.status == JobStatus.COMPLETED else int(job.progress),
        "created_at": _unix(job.created_at),
        "completed_at": _unix(job.completed_at) if job.is_terminal else None,
        "expires_at": expires_at,
        "seconds": str(seconds) if seconds is not None else "",
        "size": size or "",
        "prompt": job.prompt,
        "remixed_from_video_id": remixed_from,
        "error": error,
    }
