"""The fake OpenAI videos API: its routes, answering in its documented wire format."""

from __future__ import annotations

import time
import uuid
from typing import Any

from apps.providers.sandbox.base import Req, Resp, SandboxHost, Task
from apps.providers.sandbox.handlers.common import maybe_hang, poll_fault, submit_fault

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


def oa_create(sb: SandboxHost, req: Req, key: str) -> Resp:
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
    fault = submit_fault(sb, prompt, _oa_error(400, "Invalid prompt.", "prompt", "invalid_value"))
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
    maybe_hang(sb, task)
    return Resp(200, _oa_video(task, "queued"))


def oa_get(sb: SandboxHost, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("openai", task_id)
    if task is None or task.extra.get("deleted"):
        return _oa_error(404, f"Video with id '{task_id}' not found.", None, "not_found")
    fault = poll_fault(task)
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


def oa_content(sb: SandboxHost, req: Req, key: str, task_id: str) -> Resp:
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


def oa_delete(sb: SandboxHost, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("openai", task_id)
    if task is None:
        return _oa_error(404, f"Video with id '{task_id}' not found.", None, "not_found")
    task.cancelled = True
    task.extra["deleted"] = True
    return Resp(200, {"id": task.id, "object": "video.deleted", "deleted": True})


ROUTES: list[tuple[str, str, Any]] = [
    ("POST", r"/v1/videos", oa_create),
    ("GET", r"/v1/videos/(?P<task_id>[^/]+)/content", oa_content),
    ("GET", r"/v1/videos/(?P<task_id>[^/]+)", oa_get),
    ("DELETE", r"/v1/videos/(?P<task_id>[^/]+)", oa_delete),
]
