"""The JSON body of one event in an endpoint's payload format (models.PayloadFormat)."""

import json
from typing import Any

from django.utils import timezone

from apps.webhooks.models import PayloadFormat


def _standard(event: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": event, "timestamp": timezone.now().isoformat(), "data": data}


def _alwrity(event: str, data: dict[str, Any], user_id: str | None) -> dict[str, Any]:
    """ALwrity's `{"event", "task_id", "user_id", "result_url", "metadata"}` (spec 000).
    For a task event `data` is our job object: its id is the task id and its result link
    the `result_url`; everything else of it goes into `metadata`."""
    is_task = event.startswith("task.")
    result = data.get("result") if is_task else None
    metadata = {k: v for k, v in data.items() if k != "id"} if is_task else dict(data)
    return {
        "event": event,
        "task_id": data.get("id") if is_task else None,
        "user_id": user_id,
        "result_url": result.get("video_url") if isinstance(result, dict) else None,
        "metadata": {**metadata, "timestamp": timezone.now().isoformat()},
    }


def body_render(
    *, payload_format: str, event: str, data: dict[str, Any], user_id: str | None = None
) -> str:
    if payload_format == PayloadFormat.ALWRITY:
        payload = _alwrity(event, data, user_id)
    else:
        payload = _standard(event, data)
    return json.dumps(payload, separators=(",", ":"), default=str)
