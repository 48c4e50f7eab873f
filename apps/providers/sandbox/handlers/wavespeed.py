"""The fake WaveSpeed API: its routes, answering in its documented wire format."""

from __future__ import annotations

import uuid
from typing import Any

from apps.providers.sandbox.base import Req, Resp, SandboxHost, Task
from apps.providers.sandbox.handlers.common import (
    check_common,
    maybe_hang,
    poll_fault,
    submit_fault,
)


def _ws_envelope(task: Task, sb: SandboxHost, status: str) -> dict[str, Any]:
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


RETAKE_MODEL = "lightricks/ltx-2-retake"
RETAKE_MODES = ("replace_audio_and_video", "replace_video", "replace_audio")


def _retake_error(body: dict[str, Any]) -> str | None:
    """LTX-2 Retake's documented body: video, prompt, start_time (>= 0), duration
    (2-16 s), mode (optional)."""
    if not isinstance(body.get("video"), str) or not body["video"]:
        return "Invalid request: video is required"
    if not isinstance(body.get("prompt"), str) or not body["prompt"].strip():
        return "Invalid request: prompt is required"
    start = body.get("start_time")
    if isinstance(start, bool) or not isinstance(start, int | float) or start < 0:
        return "Invalid request: start_time must be a number >= 0"
    duration = body.get("duration")
    if isinstance(duration, bool) or not isinstance(duration, int | float):
        return "Invalid request: duration is required"
    if not 2 <= duration <= 16:
        return "Invalid request: duration must be between 2 and 16"
    if "mode" in body and body["mode"] not in RETAKE_MODES:
        return f"Invalid request: mode must be one of {', '.join(RETAKE_MODES)}"
    return None


def ws_submit(sb: SandboxHost, req: Req, key: str, model: str) -> Resp:
    body = req.json()
    invalid = Resp(400, {"code": 400, "message": "Invalid request: prompt is required"})
    error = check_common(body)
    if error:
        return Resp(400, {"code": 400, "message": error})
    if "duration" in body and not isinstance(body["duration"], int):
        return Resp(400, {"code": 400, "message": "duration must be an integer"})
    if not (body.get("prompt") or body.get("image") or body.get("video")):
        return invalid
    if model.strip("/") == RETAKE_MODEL:
        error = _retake_error(body)
        if error:
            return Resp(400, {"code": 400, "message": error})
    fault = submit_fault(sb, body.get("prompt"), invalid)
    if fault:
        return fault
    task = sb.new_task("wavespeed", body.get("prompt", ""), key, body)
    task.extra.update(model=model, webhook=req.query.get("webhook"))
    maybe_hang(sb, task)
    return Resp(200, _ws_envelope(task, sb, "created"))


def ws_result(sb: SandboxHost, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("wavespeed", task_id)
    if task is None:
        return Resp(404, {"code": 404, "message": "prediction not found"})
    fault = poll_fault(task)
    if fault:
        return fault
    step = task.advance()
    status = {"queued": "created", "running": "processing", "failed": "failed"}.get(
        step, "completed"
    )
    return Resp(200, _ws_envelope(task, sb, status))


def ws_upload(sb: SandboxHost, req: Req, key: str) -> Resp:
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


ROUTES: list[tuple[str, str, Any]] = [
    ("POST", r"/api/v3/media/upload/binary", ws_upload),
    ("GET", r"/api/v3/predictions/(?P<task_id>[^/]+)/result", ws_result),
    ("POST", r"/api/v3/(?P<model>.+)", ws_submit),
]
