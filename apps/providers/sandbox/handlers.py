"""The routes of each fake provider, answering in that provider's documented wire format."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from apps.providers.sandbox.core import Req, Resp, Task, magic

if TYPE_CHECKING:
    from apps.providers.sandbox.core import Sandbox

RESOLUTION = r"\d{3,4}p"
URL_FIELDS = {
    "image",
    "last_image",
    "video",
    "audio",
    "last_frame",
    "image_url",
    "end_image_url",
    "audio_url",
    "video_url",
}


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _submit_fault(sb: Sandbox, prompt: str | None, invalid: Resp) -> Resp | None:
    if magic(prompt, "429"):
        return Resp(429, {"error": "Too many requests"})
    if magic(prompt, "500"):
        return Resp(500, {"error": "Internal server error"})
    if magic(prompt, "invalid"):
        return invalid
    return None


def _maybe_hang(sb: Sandbox, task: Task) -> None:
    if task.magic("timeout"):
        sb.hang()  # the task exists, but the answer comes after the client gave up


def _poll_fault(task: Task) -> Resp | None:
    if task.first_poll_error is not None:
        status, task.first_poll_error = task.first_poll_error, None
        return Resp(status, {"error": "Too many requests" if status == 429 else "Server error"})
    return None


def _check_common(body: dict[str, Any]) -> str | None:
    """Type checks every provider applies to the shared fields."""
    if not isinstance(body, dict):
        return "The body must be a JSON object."
    for name in ("seed",):
        if name in body and not isinstance(body[name], int):
            return f"{name} must be an integer."
    for name, value in body.items():
        media = name in URL_FIELDS
        if media and value is not None and not _is_url(value):
            return f"{name} must be an http(s) URL."
    return None


# --- WaveSpeed ---------------------------------------------------------------------------


def _ws_envelope(task: Task, sb: Sandbox, status: str) -> dict[str, Any]:
    done = status == "completed"
    return {
        "code": 200,
        "message": "success",
        "data": {
            "id": task.id,
            "model": task.extra["model"],
            "outputs": [sb.file_url(task.id)] if done else [],
            "urls": {"get": f"{sb.url('wavespeed')}/api/v3/predictions/{task.id}/result"},
            "has_nsfw_contents": [task.magic("policy")] if done else [],
            "status": status,
            "created_at": "2025-01-01T00:00:00Z",
            "error": "The model failed to generate the video." if status == "failed" else "",
            "timings": {"inference": 1200} if done else {},
        },
    }


def ws_submit(sb: Sandbox, req: Req, key: str, model: str) -> Resp:
    body = req.json()
    invalid = Resp(400, {"code": 400, "message": "Invalid request: prompt is required"})
    error = _check_common(body)
    if error:
        return Resp(400, {"code": 400, "message": error})
    if "duration" in body and not isinstance(body["duration"], int):
        return Resp(400, {"code": 400, "message": "duration must be an integer"})
    if not (body.get("prompt") or body.get("image") or body.get("video")):
        return invalid
    fault = _submit_fault(sb, body.get("prompt"), invalid)
    if fault:
        return fault
    task = sb.new_task("wavespeed", body.get("prompt", ""), key, body)
    task.extra.update(model=model, webhook=req.query.get("webhook"))
    _maybe_hang(sb, task)
    return Resp(200, _ws_envelope(task, sb, "created"))


def ws_result(sb: Sandbox, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("wavespeed", task_id)
    if task is None:
        return Resp(404, {"code": 404, "message": "prediction not found"})
    fault = _poll_fault(task)
    if fault:
        return fault
    step = task.advance()
    status = {"queued": "created", "running": "processing", "failed": "failed"}.get(
        step, "completed"
    )
    return Resp(200, _ws_envelope(task, sb, status))


def ws_upload(sb: Sandbox, req: Req, key: str) -> Resp:
    name = uuid.uuid4().hex
    return Resp(
        200,
        {
            "code": 200,
            "message": "success",
            "data": {
                "type": "file",
                "download_url": f"{sb.root}/uploads/{name}",
                "filename": name,
                "size": len(req.body),
            },
        },
    )


# --- fal ---------------------------------------------------------------------------------


def fal_submit(sb: Sandbox, req: Req, key: str, path: str) -> Resp:
    body = req.json()
    if path.count("/") < 1:
        return Resp(404, {"detail": "Application not found"})
    invalid = Resp(
        422,
        {
            "detail": [
                {"loc": ["body", "prompt"], "msg": "field required", "type": "value_error.missing"}
            ]
        },
    )
    error = _check_common(body)
    if error:
        return Resp(422, {"detail": [{"loc": ["body"], "msg": error, "type": "type_error"}]})
    if "duration" in body and not isinstance(body["duration"], str):
        return Resp(
            422,
            {
                "detail": [
                    {
                        "loc": ["body", "duration"],
                        "msg": "duration must be a string enum",
                        "type": "type_error",
                    }
                ]
            },
        )
    if not (body.get("prompt") or body.get("image_url") or body.get("video_url")):
        return invalid
    fault = _submit_fault(sb, body.get("prompt"), invalid)
    if fault:
        return fault
    task = sb.new_task("fal", body.get("prompt", ""), key, body)
    app = "/".join(path.split("/")[:2])
    task.extra.update(app=app, webhook=req.query.get("fal_webhook"))
    _maybe_hang(sb, task)
    base = f"{sb.url('fal')}/{app}/requests/{task.id}"
    return Resp(
        200,
        {
            "request_id": task.id,
            "response_url": base,
            "status_url": f"{base}/status",
            "cancel_url": f"{base}/cancel",
            "queue_position": 0,
        },
    )


def fal_status(sb: Sandbox, req: Req, key: str, app: str, task_id: str) -> Resp:
    task = sb.task("fal", task_id)
    if task is None or task.extra["app"] != app:
        return Resp(404, {"detail": "Request not found"})
    fault = _poll_fault(task)
    if fault:
        return fault
    step = task.advance()
    base = f"{sb.url('fal')}/{app}/requests/{task.id}"
    if step == "queued":
        return Resp(202, {"status": "IN_QUEUE", "queue_position": 1, "response_url": base})
    if step == "running":
        return Resp(202, {"status": "IN_PROGRESS", "response_url": base, "logs": []})
    task.extra["final"] = step
    failure: dict[str, Any] = {}
    if step == "failed":
        failure = {"error": "Generation failed: the model crashed.", "error_type": "runner_error"}
    return Resp(
        200,
        failure
        | {
            "status": "COMPLETED",
            "response_url": base,
            "logs": [],
            "metrics": {"inference_time": 1.2},
        },
    )


def fal_result(sb: Sandbox, req: Req, key: str, app: str, task_id: str) -> Resp:
    task = sb.task("fal", task_id)
    if task is None:
        return Resp(404, {"detail": "Request not found"})
    final = task.extra.get("final")
    if final is None:
        return Resp(400, {"detail": "Request is still in progress"})
    if final == "policy":
        return Resp(
            422,
            {
                "detail": [
                    {
                        "loc": ["body", "prompt"],
                        "msg": "The content could not be processed because it contained "
                        "material flagged by a content checker.",
                        "type": "content_policy_violation",
                    }
                ]
            },
        )
    if final == "failed":
        return Resp(500, {"detail": "Generation failed: the model crashed."})
    if final == "cancelled":
        return Resp(400, {"detail": "Request was cancelled"})
    return Resp(
        200,
        {
            "video": {
                "url": sb.file_url(task.id),
                "content_type": "video/mp4",
                "file_name": "output.mp4",
                "file_size": 0,
            },
            "seed": 42,
        },
    )


def fal_cancel(sb: Sandbox, req: Req, key: str, app: str, task_id: str) -> Resp:
    task = sb.task("fal", task_id)
    if task is None:
        return Resp(404, {"detail": "Request not found"})
    if task.extra.get("final"):
        return Resp(400, {"status": "ALREADY_COMPLETED"})
    task.cancelled = True
    return Resp(202, {"status": "CANCELLATION_REQUESTED"})


# --- Replicate ---------------------------------------------------------------------------


def _rep_prediction(sb: Sandbox, task: Task, status: str) -> dict[str, Any]:
    base = f"{sb.url('replicate')}/v1/predictions/{task.id}"
    return {
        "id": task.id,
        "model": task.extra["model"],
        "version": "sandbox",
        "input": task.body.get("input", {}),
        "logs": "",
        "output": sb.file_url(task.id) if status == "succeeded" else None,
        "error": task.extra.get("error"),
        "status": status,
        "created_at": "2025-01-01T00:00:00.000Z",
        "urls": {
            "get": base,
            "cancel": f"{base}/cancel",
            "web": f"https://replicate.com/p/{task.id}",
        },
    }


def rep_submit(sb: Sandbox, req: Req, key: str, owner: str, name: str) -> Resp:
    body = req.json()
    if not isinstance(body, dict) or not isinstance(body.get("input"), dict):
        return Resp(
            422,
            {
                "title": "Input validation failed",
                "status": 422,
                "detail": "input is required",
                "invalid_fields": [{"field": "input"}],
            },
        )
    data = body["input"]
    invalid = Resp(
        422,
        {
            "title": "Input validation failed",
            "status": 422,
            "detail": "- input: prompt is required",
            "invalid_fields": [{"type": "required", "field": "prompt"}],
        },
    )
    error = _check_common(data)
    if error:
        return Resp(422, {"title": "Input validation failed", "status": 422, "detail": error})
    if body.get("webhook_events_filter") and not set(body["webhook_events_filter"]) <= {
        "start",
        "output",
        "logs",
        "completed",
    }:
        return Resp(
            422, {"title": "Invalid webhook_events_filter", "status": 422, "detail": "bad event"}
        )
    if not (data.get("prompt") or data.get("image") or data.get("video")):
        return invalid
    fault = _submit_fault(sb, data.get("prompt"), invalid)
    if fault:
        return fault
    task = sb.new_task("replicate", data.get("prompt", ""), key, body)
    task.extra.update(model=f"{owner}/{name}", webhook=body.get("webhook"))
    _maybe_hang(sb, task)
    return Resp(201, _rep_prediction(sb, task, "starting"))


def rep_get(sb: Sandbox, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("replicate", task_id)
    if task is None:
        return Resp(404, {"title": "Not found", "detail": "Prediction not found", "status": 404})
    fault = _poll_fault(task)
    if fault:
        return fault
    step = task.advance()
    if step == "failed":
        task.extra["error"] = "CUDA out of memory while generating."
    if step == "policy":
        task.extra["error"] = "The output was flagged as sensitive content (E005)."
    status = {
        "queued": "starting",
        "running": "processing",
        "failed": "failed",
        "policy": "failed",
        "cancelled": "canceled",
    }.get(step, "succeeded")
    return Resp(200, _rep_prediction(sb, task, status))


def rep_cancel(sb: Sandbox, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("replicate", task_id)
    if task is None:
        return Resp(404, {"title": "Not found", "detail": "Prediction not found", "status": 404})
    task.cancelled = True
    return Resp(200, _rep_prediction(sb, task, "canceled"))


# --- Runway ------------------------------------------------------------------------------

RUNWAY_RATIOS = {
    "1280:720",
    "720:1280",
    "960:960",
    "1104:832",
    "832:1104",
    "1584:672",
    "1920:1080",
    "1080:1920",
}


def _runway_check(req: Req, body: dict[str, Any], required: tuple[str, ...]) -> Resp | None:
    if req.headers.get("x-runway-version") != "2024-11-06":
        return Resp(400, {"error": "Missing or unsupported X-Runway-Version header."})
    missing = [f for f in required if not body.get(f)]
    if missing:
        return Resp(
            400,
            {
                "error": "Validation of body failed",
                "issues": [{"path": [f], "message": "Required"} for f in missing],
            },
        )
    if "ratio" in body and body["ratio"] not in RUNWAY_RATIOS:
        return Resp(
            400,
            {
                "error": "Validation of body failed",
                "issues": [{"path": ["ratio"], "message": "Invalid enum value"}],
            },
        )
    if "duration" in body and not isinstance(body["duration"], int):
        return Resp(
            400,
            {
                "error": "Validation of body failed",
                "issues": [{"path": ["duration"], "message": "Expected number"}],
            },
        )
    return None


def _runway_create(sb: Sandbox, req: Req, key: str, kind: str, required: tuple[str, ...]) -> Resp:
    body = req.json()
    if not isinstance(body, dict):
        return Resp(400, {"error": "Body must be an object"})
    bad = _runway_check(req, body, required)
    if bad:
        return bad
    invalid = Resp(
        400,
        {
            "error": "Validation of body failed",
            "issues": [{"path": ["promptText"], "message": "Invalid"}],
        },
    )
    fault = _submit_fault(sb, body.get("promptText"), invalid)
    if fault:
        return fault
    task = sb.new_task("runway", body.get("promptText", ""), key, body)
    task.extra["kind"] = kind
    _maybe_hang(sb, task)
    return Resp(200, {"id": task.id})


def rw_image(sb: Sandbox, req: Req, key: str) -> Resp:
    return _runway_create(sb, req, key, "image_to_video", ("model", "promptImage", "ratio"))


def rw_text(sb: Sandbox, req: Req, key: str) -> Resp:
    return _runway_create(sb, req, key, "text_to_video", ("model", "promptText", "ratio"))


def rw_upscale(sb: Sandbox, req: Req, key: str) -> Resp:
    return _runway_create(sb, req, key, "video_upscale", ("model", "videoUri"))


def rw_task(sb: Sandbox, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("runway", task_id)
    if task is None:
        return Resp(404, {"error": "Task not found"})
    fault = _poll_fault(task)
    if fault:
        return fault
    step = task.advance()
    out: dict[str, Any] = {"id": task.id, "createdAt": "2025-01-01T00:00:00.000Z"}
    if step == "queued":
        out.update(status="PENDING")
    elif step == "running":
        out.update(status="RUNNING", progress=round(task.progress / 100, 2))
    elif step == "done":
        out.update(status="SUCCEEDED", output=[sb.file_url(task.id)])
    elif step == "failed":
        out.update(
            status="FAILED",
            failure="An unexpected error occurred.",
            failureCode="INTERNAL.BAD_OUTPUT",
        )
    elif step == "policy":
        out.update(
            status="FAILED",
            failure="Content moderation: the input was not allowed.",
            failureCode="SAFETY.INPUT.TEXT",
        )
    else:
        out.update(status="CANCELLED")
    return Resp(200, out)


def rw_delete(sb: Sandbox, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("runway", task_id)
    if task is None:
        return Resp(404, {"error": "Task not found"})
    task.cancelled = True
    return Resp(204, None)


# --- Google Veo (Gemini API) -------------------------------------------------------------


def veo_submit(sb: Sandbox, req: Req, key: str, model: str) -> Resp:
    body = req.json()
    instances = body.get("instances") if isinstance(body, dict) else None
    if not isinstance(instances, list) or len(instances) != 1 or not isinstance(instances[0], dict):
        return Resp(
            400,
            {
                "error": {
                    "code": 400,
                    "message": "instances must hold one instance",
                    "status": "INVALID_ARGUMENT",
                }
            },
        )
    instance = instances[0]
    params = body.get("parameters") or {}
    invalid = Resp(
        400, {"error": {"code": 400, "message": "Invalid prompt.", "status": "INVALID_ARGUMENT"}}
    )
    if not instance.get("prompt"):
        return invalid
    image = instance.get("image")
    if image is not None and not (
        isinstance(image, dict) and image.get("bytesBase64Encoded") and image.get("mimeType")
    ):
        return Resp(
            400,
            {
                "error": {
                    "code": 400,
                    "message": "image needs bytesBase64Encoded and mimeType",
                    "status": "INVALID_ARGUMENT",
                }
            },
        )
    for name, kind in (
        ("durationSeconds", int),
        ("seed", int),
        ("aspectRatio", str),
        ("resolution", str),
    ):
        if name in params and not isinstance(params[name], kind):
            return Resp(
                400,
                {
                    "error": {
                        "code": 400,
                        "message": f"Invalid value at 'parameters.{name}'",
                        "status": "INVALID_ARGUMENT",
                    }
                },
            )
    fault = _submit_fault(sb, instance.get("prompt"), invalid)
    if fault:
        return fault
    task = sb.new_task("google", instance["prompt"], key, body, task_id=uuid.uuid4().hex[:12])
    task.extra["model"] = model
    _maybe_hang(sb, task)
    return Resp(200, {"name": f"models/{model}/operations/{task.id}"})


def veo_operation(sb: Sandbox, req: Req, key: str, model: str, task_id: str) -> Resp:
    task = sb.task("google", task_id)
    if task is None or task.extra["model"] != model:
        return Resp(
            404, {"error": {"code": 404, "message": "Operation not found", "status": "NOT_FOUND"}}
        )
    fault = _poll_fault(task)
    if fault:
        return fault
    step = task.advance()
    name = f"models/{model}/operations/{task.id}"
    if step in ("queued", "running"):
        return Resp(200, {"name": name, "metadata": {"progressPercent": task.progress}})
    if step == "failed":
        return Resp(
            200,
            {
                "name": name,
                "done": True,
                "error": {"code": 13, "message": "Video generation failed.", "status": "INTERNAL"},
            },
        )
    if step == "cancelled":
        return Resp(
            200,
            {
                "name": name,
                "done": True,
                "error": {"code": 1, "message": "Operation cancelled.", "status": "CANCELLED"},
            },
        )
    response: dict[str, Any] = {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta."
        "PredictLongRunningResponse"
    }
    if step == "policy":
        response["generateVideoResponse"] = {
            "raiMediaFilteredCount": 1,
            "raiMediaFilteredReasons": [
                "The video was filtered by Responsible AI practices (safety)."
            ],
        }
    else:
        response["generateVideoResponse"] = {
            "generatedSamples": [
                {"video": {"uri": f"{sb.url('google')}/v1beta/files/{task.id}:download?alt=media"}}
            ]
        }
    return Resp(200, {"name": name, "done": True, "response": response})


def veo_cancel(sb: Sandbox, req: Req, key: str, model: str, task_id: str) -> Resp:
    task = sb.task("google", task_id)
    if task is None:
        return Resp(
            404, {"error": {"code": 404, "message": "Operation not found", "status": "NOT_FOUND"}}
        )
    task.cancelled = True
    return Resp(200, {})


def veo_download(sb: Sandbox, req: Req, key: str, task_id: str) -> Resp:
    if task_id not in sb.tasks or req.query.get("alt") != "media":
        return Resp(
            404, {"error": {"code": 404, "message": "File not found", "status": "NOT_FOUND"}}
        )
    return Resp(200, sb.video_bytes(), {"Content-Type": "video/mp4"})


# --- OpenAI videos -----------------------------------------------------------------------

SORA_SIZES = {"720x1280", "1280x720", "1024x1792", "1792x1024"}


def _oa_error(status: int, message: str, param: str | None = None, code: str | None = None) -> Resp:
    return Resp(
        status,
        {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": param,
                "code": code,
            }
        },
    )


def _oa_video(task: Task, status: str) -> dict[str, Any]:
    video = {
        "id": task.id,
        "object": "video",
        "model": task.extra["model"],
        "status": status,
        "progress": 100
        if status == "completed"
        else task.progress
        if status == "in_progress"
        else 0,
        "created_at": int(task.extra["created"]),
        "completed_at": int(time.time()) if status == "completed" else None,
        "expires_at": None,
        "prompt": task.prompt,
        "seconds": task.extra["seconds"],
        "size": task.extra["size"],
        "remixed_from_video_id": None,
        "error": task.extra.get("error"),
    }
    return video


def oa_create(sb: Sandbox, req: Req, key: str) -> Resp:
    ctype = req.headers.get("content-type", "")
    try:
        fields = req.form() if "multipart" in ctype else req.json()
    except ValueError:
        return _oa_error(400, "Could not parse the request body.")
    if not isinstance(fields, dict):
        return _oa_error(400, "The body must be an object.")
    prompt = fields.get("prompt")
    if not prompt:
        return _oa_error(
            400, "Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter"
        )
    model = fields.get("model") or "sora-2"
    if model not in ("sora-2", "sora-2-pro"):
        return _oa_error(400, f"Invalid value for 'model': {model}.", "model", "invalid_value")
    seconds = str(fields.get("seconds") or "4")
    if not seconds.isdigit() or not 1 <= int(seconds) <= 25:
        return _oa_error(
            400, f"Invalid value for 'seconds': {seconds}.", "seconds", "invalid_value"
        )
    size = str(fields.get("size") or "720x1280")
    if size not in SORA_SIZES:
        return _oa_error(400, f"Invalid value for 'size': {size}.", "size", "invalid_value")
    ref = fields.get("input_reference")
    if ref is not None and not (isinstance(ref, tuple) and ref[1]):
        return _oa_error(
            400, "input_reference must be an image file.", "input_reference", "invalid_value"
        )
    fault = _submit_fault(sb, prompt, _oa_error(400, "Invalid prompt.", "prompt", "invalid_value"))
    if fault:
        return fault
    record = {
        k: (
            v
            if not isinstance(v, tuple)
            else {"filename": v[0], "bytes": len(v[1]), "content_type": v[2]}
        )
        for k, v in fields.items()
    }
    sb.received[-1].body = record  # what the multipart carried, for tests
    task = sb.new_task("openai", prompt, key, record, task_id="video_" + uuid.uuid4().hex)
    task.extra.update(model=model, seconds=seconds, size=size, created=time.time())
    _maybe_hang(sb, task)
    return Resp(200, _oa_video(task, "queued"))


def oa_get(sb: Sandbox, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("openai", task_id)
    if task is None or task.extra.get("deleted"):
        return _oa_error(404, f"Video with id '{task_id}' not found.", None, "not_found")
    fault = _poll_fault(task)
    if fault:
        return fault
    step = task.advance()
    if step == "failed":
        task.extra["error"] = {"code": "internal_error", "message": "Video generation failed."}
    if step == "policy":
        task.extra["error"] = {
            "code": "moderation_blocked",
            "message": "Your request was blocked by our moderation system.",
        }
    task.extra["final"] = step
    status = {
        "queued": "queued",
        "running": "in_progress",
        "failed": "failed",
        "policy": "failed",
        "cancelled": "failed",
    }.get(step, "completed")
    return Resp(200, _oa_video(task, status))


def oa_content(sb: Sandbox, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("openai", task_id)
    if task is None or task.extra.get("final") != "done":
        return _oa_error(
            404, f"Video with id '{task_id}' is not ready or not found.", None, "not_found"
        )
    variant = req.query.get("variant", "video")
    if variant != "video":
        return _oa_error(
            400, "Only the video variant exists in the sandbox.", "variant", "invalid_value"
        )
    return Resp(200, sb.video_bytes(), {"Content-Type": "video/mp4"})


def oa_delete(sb: Sandbox, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("openai", task_id)
    if task is None:
        return _oa_error(404, f"Video with id '{task_id}' not found.", None, "not_found")
    task.cancelled = True
    task.extra["deleted"] = True
    return Resp(200, {"id": task.id, "object": "video.deleted", "deleted": True})


# --- Runware -----------------------------------------------------------------------------


def _rwr_error(code: str, message: str, task_uuid: str | None = None, status: int = 400) -> Resp:
    return Resp(status, {"errors": [{"code": code, "message": message, "taskUUID": task_uuid}]})


def runware(sb: Sandbox, req: Req, key: str) -> Resp:
    tasks = req.json()
    if not isinstance(tasks, list) or not tasks:
        return _rwr_error("invalidPayload", "The request body must be a JSON array of tasks.")
    data: list[dict[str, Any]] = []
    for item in tasks:
        if not isinstance(item, dict) or not item.get("taskUUID"):
            return _rwr_error("missingTaskUUID", "Every task needs a taskUUID.")
        kind = item.get("taskType")
        if kind == "videoInference":
            out = _rwr_video(sb, key, item)
        elif kind == "getResponse":
            out = _rwr_get(sb, item)
        else:
            return _rwr_error("invalidTaskType", f"Unknown taskType {kind!r}.", item["taskUUID"])
        if isinstance(out, Resp):
            return out
        data.extend(out)
    return Resp(200, {"data": data})


def _rwr_video(sb: Sandbox, key: str, item: dict[str, Any]) -> Resp | list[dict[str, Any]]:
    uid = item["taskUUID"]
    for name in ("model", "positivePrompt"):
        if not item.get(name):
            return _rwr_error(
                f"missing{name[0].upper()}{name[1:]}", f"Missing parameter: {name}.", uid
            )
    if item.get("deliveryMethod") != "async":
        return _rwr_error(
            "invalidDeliveryMethod", "Video inference requires deliveryMethod 'async'.", uid
        )
    for name in ("width", "height", "duration"):
        if name in item and not isinstance(item[name], int):
            return _rwr_error(f"invalid{name.title()}", f"{name} must be an integer.", uid)
    if uid in sb.tasks:
        return _rwr_error(
            "duplicateTaskUUID", "A task with this taskUUID already exists.", uid, 409
        )
    fault = _submit_fault(
        sb, item.get("positivePrompt"), _rwr_error("invalidPositivePrompt", "Invalid prompt.", uid)
    )
    if fault:
        return fault
    task = sb.new_task("runware", item["positivePrompt"], key, item, task_id=uid)
    task.extra["webhook"] = item.get("webhookURL")
    _maybe_hang(sb, task)
    return [{"taskType": "videoInference", "taskUUID": uid}]


def _rwr_get(sb: Sandbox, item: dict[str, Any]) -> Resp | list[dict[str, Any]]:
    uid = item["taskUUID"]
    task = sb.task("runware", uid)
    if task is None:
        return _rwr_error("taskNotFound", "No task with this taskUUID.", uid, 404)
    fault = _poll_fault(task)
    if fault:
        return fault
    step = task.advance()
    if step == "failed":
        return _rwr_error("inferenceFailed", "The provider failed to generate the video.", uid)
    if step == "policy":
        return _rwr_error(
            "contentModerated", "The content was flagged as NSFW by the safety checker.", uid
        )
    if step in ("queued", "running"):
        return [{"taskType": "videoInference", "taskUUID": uid, "status": "processing"}]
    return [
        {
            "taskType": "videoInference",
            "taskUUID": uid,
            "status": "success",
            "videoUUID": uuid.uuid4().hex,
            "videoURL": sb.file_url(uid),
            "cost": 0.1,
        }
    ]


ROUTES: dict[str, list[tuple[str, str, Any]]] = {
    "wavespeed": [
        ("POST", r"/api/v3/media/upload/binary", ws_upload),
        ("GET", r"/api/v3/predictions/(?P<task_id>[^/]+)/result", ws_result),
        ("POST", r"/api/v3/(?P<model>.+)", ws_submit),
    ],
    "fal": [
        ("GET", r"/(?P<app>[^/]+/[^/]+)/requests/(?P<task_id>[^/]+)/status", fal_status),
        ("PUT", r"/(?P<app>[^/]+/[^/]+)/requests/(?P<task_id>[^/]+)/cancel", fal_cancel),
        ("GET", r"/(?P<app>[^/]+/[^/]+)/requests/(?P<task_id>[^/]+)", fal_result),
        ("POST", r"/(?P<path>.+)", fal_submit),
    ],
    "replicate": [
        ("POST", r"/v1/models/(?P<owner>[^/]+)/(?P<name>[^/]+)/predictions", rep_submit),
        ("GET", r"/v1/predictions/(?P<task_id>[^/]+)", rep_get),
        ("POST", r"/v1/predictions/(?P<task_id>[^/]+)/cancel", rep_cancel),
    ],
    "runway": [
        ("POST", r"/v1/image_to_video", rw_image),
        ("POST", r"/v1/text_to_video", rw_text),
        ("POST", r"/v1/video_upscale", rw_upscale),
        ("GET", r"/v1/tasks/(?P<task_id>[^/]+)", rw_task),
        ("DELETE", r"/v1/tasks/(?P<task_id>[^/]+)", rw_delete),
    ],
    "google": [
        ("POST", r"/v1beta/models/(?P<model>[^/:]+):predictLongRunning", veo_submit),
        ("GET", r"/v1beta/models/(?P<model>[^/]+)/operations/(?P<task_id>[^/:]+)", veo_operation),
        (
            "POST",
            r"/v1beta/models/(?P<model>[^/]+)/operations/(?P<task_id>[^/:]+):cancel",
            veo_cancel,
        ),
        ("GET", r"/v1beta/files/(?P<task_id>[^/:]+):download", veo_download),
    ],
    "openai": [
        ("POST", r"/v1/videos", oa_create),
        ("GET", r"/v1/videos/(?P<task_id>[^/]+)/content", oa_content),
        ("GET", r"/v1/videos/(?P<task_id>[^/]+)", oa_get),
        ("DELETE", r"/v1/videos/(?P<task_id>[^/]+)", oa_delete),
    ],
    "runware": [("POST", r"/v1", runware)],
}
