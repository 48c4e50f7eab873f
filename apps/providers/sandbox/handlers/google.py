"""The fake Google Veo (the Gemini API) API: its routes, answering in its documented wire format."""

from __future__ import annotations

import uuid
from typing import Any

from apps.providers.sandbox.base import Req, Resp, SandboxHost
from apps.providers.sandbox.handlers.common import maybe_hang, poll_fault, submit_fault


def veo_submit(sb: SandboxHost, req: Req, key: str, model: str) -> Resp:
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
    fault = submit_fault(sb, instance.get("prompt"), invalid)
    if fault:
        return fault
    task = sb.new_task("google", instance["prompt"], key, body, task_id=uuid.uuid4().hex[:12])
    task.extra["model"] = model
    maybe_hang(sb, task)
    return Resp(200, {"name": f"models/{model}/operations/{task.id}"})


def veo_operation(sb: SandboxHost, req: Req, key: str, model: str, task_id: str) -> Resp:
    task = sb.task("google", task_id)
    if task is None or task.extra["model"] != model:
        return Resp(
            404, {"error": {"code": 404, "message": "Operation not found", "status": "NOT_FOUND"}}
        )
    fault = poll_fault(task)
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


def veo_cancel(sb: SandboxHost, req: Req, key: str, model: str, task_id: str) -> Resp:
    task = sb.task("google", task_id)
    if task is None:
        return Resp(
            404, {"error": {"code": 404, "message": "Operation not found", "status": "NOT_FOUND"}}
        )
    task.cancelled = True
    return Resp(200, {})


def veo_download(sb: SandboxHost, req: Req, key: str, task_id: str) -> Resp:
    if task_id not in sb.tasks or req.query.get("alt") != "media":
        return Resp(
            404, {"error": {"code": 404, "message": "File not found", "status": "NOT_FOUND"}}
        )
    return Resp(200, sb.video_bytes(), {"Content-Type": "video/mp4"})


ROUTES: list[tuple[str, str, Any]] = [
    ("POST", r"/v1beta/models/(?P<model>[^/:]+):predictLongRunning", veo_submit),
    ("GET", r"/v1beta/models/(?P<model>[^/]+)/operations/(?P<task_id>[^/:]+)", veo_operation),
    (
        "POST",
        r"/v1beta/models/(?P<model>[^/]+)/operations/(?P<task_id>[^/:]+):cancel",
        veo_cancel,
    ),
    ("GET", r"/v1beta/files/(?P<task_id>[^/:]+):download", veo_download),
]
