"""The fake Runway API: its routes, answering in its documented wire format."""

from __future__ import annotations

from typing import Any

from apps.providers.sandbox.base import Req, Resp, SandboxHost
from apps.providers.sandbox.handlers.common import maybe_hang, poll_fault, submit_fault

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


def _runway_create(
    sb: SandboxHost, req: Req, key: str, kind: str, required: tuple[str, ...]
) -> Resp:
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
    fault = submit_fault(sb, body.get("promptText"), invalid)
    if fault:
        return fault
    task = sb.new_task("runway", body.get("promptText", ""), key, body)
    task.extra["kind"] = kind
    maybe_hang(sb, task)
    return Resp(200, {"id": task.id})


def rw_image(sb: SandboxHost, req: Req, key: str) -> Resp:
    return _runway_create(sb, req, key, "image_to_video", ("model", "promptImage", "ratio"))


def rw_text(sb: SandboxHost, req: Req, key: str) -> Resp:
    return _runway_create(sb, req, key, "text_to_video", ("model", "promptText", "ratio"))


def rw_upscale(sb: SandboxHost, req: Req, key: str) -> Resp:
    return _runway_create(sb, req, key, "video_upscale", ("model", "videoUri"))


def rw_task(sb: SandboxHost, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("runway", task_id)
    if task is None:
        return Resp(404, {"error": "Task not found"})
    fault = poll_fault(task)
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


def rw_delete(sb: SandboxHost, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("runway", task_id)
    if task is None:
        return Resp(404, {"error": "Task not found"})
    task.cancelled = True
    return Resp(204, None)


ROUTES: list[tuple[str, str, Any]] = [
    ("POST", r"/v1/image_to_video", rw_image),
    ("POST", r"/v1/text_to_video", rw_text),
    ("POST", r"/v1/video_upscale", rw_upscale),
    ("GET", r"/v1/tasks/(?P<task_id>[^/]+)", rw_task),
    ("DELETE", r"/v1/tasks/(?P<task_id>[^/]+)", rw_delete),
]
