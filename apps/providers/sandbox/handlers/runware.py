"""The fake Runware API: its routes, answering in its documented wire format."""

from __future__ import annotations

import uuid
from typing import Any

from apps.providers.sandbox.base import Req, Resp, SandboxHost
from apps.providers.sandbox.handlers.common import maybe_hang, poll_fault, submit_fault


def _rwr_error(code: str, message: str, task_uuid: str | None = None, status: int = 400) -> Resp:
    return Resp(status, {"errors": [{"code": code, "message": message, "taskUUID": task_uuid}]})


def runware(sb: SandboxHost, req: Req, key: str) -> Resp:
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


def _rwr_video(sb: SandboxHost, key: str, item: dict[str, Any]) -> Resp | list[dict[str, Any]]:
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
    fault = submit_fault(
        sb, item.get("positivePrompt"), _rwr_error("invalidPositivePrompt", "Invalid prompt.", uid)
    )
    if fault:
        return fault
    task = sb.new_task("runware", item["positivePrompt"], key, item, task_id=uid)
    task.extra["webhook"] = item.get("webhookURL")
    maybe_hang(sb, task)
    return [{"taskType": "videoInference", "taskUUID": uid}]


def _rwr_get(sb: SandboxHost, item: dict[str, Any]) -> Resp | list[dict[str, Any]]:
    uid = item["taskUUID"]
    task = sb.task("runware", uid)
    if task is None:
        return _rwr_error("taskNotFound", "No task with this taskUUID.", uid, 404)
    fault = poll_fault(task)
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


ROUTES: list[tuple[str, str, Any]] = [("POST", r"/v1", runware)]
