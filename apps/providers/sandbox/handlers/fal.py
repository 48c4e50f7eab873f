"""The fake fal API: its routes, answering in its documented wire format."""

from __future__ import annotations

from typing import Any

from apps.providers.sandbox.base import Req, Resp, SandboxHost
from apps.providers.sandbox.handlers.common import (
    check_common,
    maybe_hang,
    poll_fault,
    submit_fault,
)


def fal_submit(sb: SandboxHost, req: Req, key: str, path: str) -> Resp:
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
    error = check_common(body)
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
    fault = submit_fault(sb, body.get("prompt"), invalid)
    if fault:
        return fault
    task = sb.new_task("fal", body.get("prompt", ""), key, body)
    app = "/".join(path.split("/")[:2])
    task.extra.update(app=app, webhook=req.query.get("fal_webhook"))
    maybe_hang(sb, task)
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


def fal_status(sb: SandboxHost, req: Req, key: str, app: str, task_id: str) -> Resp:
    task = sb.task("fal", task_id)
    if task is None or task.extra["app"] != app:
        return Resp(404, {"detail": "Request not found"})
    fault = poll_fault(task)
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


def fal_result(sb: SandboxHost, req: Req, key: str, app: str, task_id: str) -> Resp:
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


def fal_cancel(sb: SandboxHost, req: Req, key: str, app: str, task_id: str) -> Resp:
    task = sb.task("fal", task_id)
    if task is None:
        return Resp(404, {"detail": "Request not found"})
    if task.extra.get("final"):
        return Resp(400, {"status": "ALREADY_COMPLETED"})
    task.cancelled = True
    return Resp(202, {"status": "CANCELLATION_REQUESTED"})


ROUTES: list[tuple[str, str, Any]] = [
    ("GET", r"/(?P<app>[^/]+/[^/]+)/requests/(?P<task_id>[^/]+)/status", fal_status),
    ("PUT", r"/(?P<app>[^/]+/[^/]+)/requests/(?P<task_id>[^/]+)/cancel", fal_cancel),
    ("GET", r"/(?P<app>[^/]+/[^/]+)/requests/(?P<task_id>[^/]+)", fal_result),
    ("POST", r"/(?P<path>.+)", fal_submit),
]
