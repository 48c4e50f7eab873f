"""The fake Replicate API: its routes, answering in its documented wire format."""

from __future__ import annotations

from typing import Any

from apps.providers.sandbox.base import Req, Resp, SandboxHost, Task
from apps.providers.sandbox.handlers.common import (
    check_common,
    maybe_hang,
    poll_fault,
    submit_fault,
)


def _rep_prediction(sb: SandboxHost, task: Task, status: str) -> dict[str, Any]:
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


def rep_submit(sb: SandboxHost, req: Req, key: str, owner: str, name: str) -> Resp:
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
    error = check_common(data)
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
    fault = submit_fault(sb, data.get("prompt"), invalid)
    if fault:
        return fault
    task = sb.new_task("replicate", data.get("prompt", ""), key, body)
    task.extra.update(model=f"{owner}/{name}", webhook=body.get("webhook"))
    maybe_hang(sb, task)
    return Resp(201, _rep_prediction(sb, task, "starting"))


def rep_get(sb: SandboxHost, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("replicate", task_id)
    if task is None:
        return Resp(404, {"title": "Not found", "detail": "Prediction not found", "status": 404})
    fault = poll_fault(task)
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


def rep_cancel(sb: SandboxHost, req: Req, key: str, task_id: str) -> Resp:
    task = sb.task("replicate", task_id)
    if task is None:
        return Resp(404, {"title": "Not found", "detail": "Prediction not found", "status": 404})
    task.cancelled = True
    return Resp(200, _rep_prediction(sb, task, "canceled"))


ROUTES: list[tuple[str, str, Any]] = [
    ("POST", r"/v1/models/(?P<owner>[^/]+)/(?P<name>[^/]+)/predictions", rep_submit),
    ("GET", r"/v1/predictions/(?P<task_id>[^/]+)", rep_get),
    ("POST", r"/v1/predictions/(?P<task_id>[^/]+)/cancel", rep_cancel),
]
