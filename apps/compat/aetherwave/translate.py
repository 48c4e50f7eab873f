"""AetherWave's wire format ↔ ours: field names, states and the answers' shapes
(docs/compat.md#aetherwave-compataetherwave). Names only: what a field means and which
values it takes are the catalog's and the jobs app's."""

import math
import re
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.accounts.models import Workspace
from apps.core.errors import ValidationError
from apps.gallery import storage
from apps.gallery.selectors import asset_get_by_media_url
from apps.jobs.models import Job, JobStatus

# generate-video: their field -> our job field (apps/jobs, apps/catalog preflight).
GENERATE_FIELDS = {
    "prompt": "prompt",
    "model": "model",
    "duration": "duration",
    "aspectRatio": "aspect_ratio",
    "resolution": "resolution",
    "imageUrl": "source_url",
    "imageData": "source_data",
    "endImageData": "end_image_data",
    "audioUrl": "audio_url",
    "audioData": "audio_data",
    "audioDuration": "audio_duration",
    "negativePrompt": "negative_prompt",
    "cfgScale": "cfg_scale",
    "withAudio": "with_audio",
    "storyboard": "storyboard",
    "mode": "mode",
    "seed": "seed",
    "enablePromptExpansion": "enable_prompt_expansion",
}
# Their fields we accept and do not use (we have no projects).
IGNORED_FIELDS = ("projectId",)
# A URL of our own media names an asset of the caller's workspace instead of being fetched.
OWN_MEDIA_URL_FIELDS = {"source_url": "source_asset", "audio_url": "audio_asset"}
# remove-background: the file parts and fields it takes.
REMOVE_BACKGROUND_FILES = ("video", "file")
REMOVE_BACKGROUND_FIELDS = {"videoUrl": "source_url"}
REMOVE_BACKGROUND_MODEL = "wavespeed-ai/video-background-remover"
SAVE_FIELDS = ("mediaUrl", "mediaType", "prompt", "model", "title", "visibility")
MEDIA_TYPES = ("video", "image", "audio")

# Our names in error answers -> theirs, per endpoint (inputs are named by slot in apps/jobs).
GENERATE_NAMES = {ours: theirs for theirs, ours in GENERATE_FIELDS.items() if ours != theirs}
GENERATE_NAMES.update(
    {
        "source_asset": "imageUrl",
        "audio_asset": "audioUrl",
        "image": "imageUrl",
        "end_image": "endImageData",
        "audio": "audioUrl",
    }
)
REMOVE_BACKGROUND_NAMES = {
    "source_url": "videoUrl",
    "source_asset": "videoUrl",
    "source_file": "video",
}
SAVE_NAMES = {"url": "mediaUrl"}


STATES = {
    JobStatus.QUEUED: "pending",
    JobStatus.REVIEW: "pending",
    JobStatus.RUNNING: "processing",
    JobStatus.DELIVERING: "processing",
    JobStatus.COMPLETED: "completed",
    JobStatus.CANCELLED: "failed",
    JobStatus.REJECTED: "failed",
}


def state(job: Job) -> str:
    """pending | processing | completed | failed | error. `error` is a failure on our or
    the provider's side that may succeed if sent again (a retryable error); `failed` is
    one that will not (refused content, bad input, cancelled)."""
    if job.status == JobStatus.FAILED:
        return "error" if job.error_retryable else "failed"
    return STATES[JobStatus(job.status)]


def unknown_fields_refuse(body: dict[str, Any], allowed: Any) -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ValidationError(
            f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.",
            details={"unknown": unknown, "allowed": sorted(allowed)},
        )


def generate_fields(body: Any, *, workspace: Workspace) -> dict[str, Any]:
    """A generate-video body as our job fields."""
    if not isinstance(body, dict):
        raise ValidationError("Send a JSON object.")
    unknown_fields_refuse(body, [*GENERATE_FIELDS, *IGNORED_FIELDS])
    if body.get("model") in (None, ""):
        raise ValidationError(
            "model is required: a model id such as seedance-lite-t2v "
            "(GET /compat/aetherwave/api/video/pricing lists them).",
            details={"field": "model"},
        )
    data = {GENERATE_FIELDS[k]: v for k, v in body.items() if k in GENERATE_FIELDS}
    return own_media_resolved(data, workspace=workspace)


def own_media_resolved(data: dict[str, Any], *, workspace: Workspace) -> dict[str, Any]:
    """Input URLs this server handed out (a videoUrl fed back as the next imageUrl) name
    the caller's asset instead of being fetched; another workspace's is a 404."""
    for url_field, asset_field in OWN_MEDIA_URL_FIELDS.items():
        url = data.get(url_field)
        if isinstance(url, str):
            asset = asset_get_by_media_url(workspace=workspace, url=url)
            if asset is not None:
                del data[url_field]
                data[asset_field] = asset.public_id
    return data


def video_url(job: Job) -> str | None:
    """The result as a signed link that lasts as long as we sign links for (their URLs are
    permanent; ours are fetched again from the status endpoint)."""
    asset = job.result_asset
    if job.status != JobStatus.COMPLETED or asset is None:
        return None
    return storage.asset_url(asset, expires_in=settings.GALLERY_SIGNED_URL_MAX_TTL_S)


def timeout_seconds(job: Job) -> int | None:
    """Seconds left before the job's deadline (then it fails with PROCESSING_TIMEOUT)."""
    if job.deadline_at is None:
        return None
    return max(1, math.ceil((job.deadline_at - timezone.now()).total_seconds()))


def job_error(job: Job) -> dict[str, Any] | None:
    if not job.error_code:
        return None
    return {"code": job.error_code, "message": job.error_message, "retryable": job.error_retryable}


def task_status(job: Job) -> dict[str, Any]:
    """The status answer (generate-video/status, video/progress)."""
    body: dict[str, Any] = {
        "taskId": job.public_id,
        "state": state(job),
        "progress": 100 if job.status == JobStatus.COMPLETED else job.progress,
        "videoUrl": video_url(job),
        "model": job.model,
        "creditCost": job.credits_estimated,
        # Charged in the same transaction that completes the job, never before.
        "creditsDeducted": job.credits_charged > 0,
    }
    switched = job.events.filter(to_status__in=[JobStatus.QUEUED, JobStatus.REVIEW]).first()
    if switched is not None and switched.data.get("switched_from"):
        body["switchedFrom"] = switched.data["switched_from"]
    error = job_error(job)
    if error:
        body["error"] = error
    return body


def generate_answer(job: Job) -> tuple[dict[str, Any], int]:
    """complete (the job ended well within the wait), else the task to poll."""
    extra: dict[str, Any] = {"taskId": job.public_id, "model": job.model}
    switched_from = getattr(job, "switched_from", None)
    if switched_from:
        extra["switchedFrom"] = switched_from
    if job.status == JobStatus.COMPLETED:
        body = {"status": "complete", "videoUrl": video_url(job)}
        return {**body, "creditsUsed": job.credits_charged, **extra}, 200
    body = {"taskId": job.public_id, "timeoutSeconds": timeout_seconds(job)}
    body["creditsUsed"] = job.credits_estimated
    if job.is_terminal:
        body.update({"state": state(job), "creditsUsed": 0, "error": job_error(job)})
    return {**body, **extra}, 202


def their_names(text: str, names: dict[str, str]) -> str:
    """Our snake_case names in a message, as the caller named them. Bare words ("image",
    "audio") are left alone: sentences use them as words ("image-to-video")."""
    ours = sorted((n for n in names if "_" in n), key=len, reverse=True)
    if not ours:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, ours)) + r")\b")
    return pattern.sub(lambda m: names[m.group(1)], text)


def error_renamed(error: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """Our envelope with our field names as the caller sent them: in the message, in
    details.field / details.fields and in each of details.problems."""

    def field(name: Any) -> Any:
        return names.get(name, name) if isinstance(name, str) else name

    error = {**error, "message": their_names(str(error.get("message", "")), names)}
    details = dict(error.get("details") or {})
    if "field" in details:
        details["field"] = field(details["field"])
    if isinstance(details.get("fields"), dict):
        details["fields"] = {field(k): v for k, v in details["fields"].items()}
    if isinstance(details.get("problems"), list):
        details["problems"] = [
            {
                **p,
                "field": field(p.get("field")),
                "message": their_names(str(p.get("message")), names),
            }
            if isinstance(p, dict)
            else p
            for p in details["problems"]
        ]
    error["details"] = details
    return error
