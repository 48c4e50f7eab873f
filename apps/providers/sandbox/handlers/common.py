"""What every fake provider's handlers share: field checks and the magic-prompt faults."""

from __future__ import annotations

from typing import Any

from apps.providers.sandbox.base import Resp, SandboxHost, Task, magic

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


def is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def submit_fault(sb: SandboxHost, prompt: str | None, invalid: Resp) -> Resp | None:
    if magic(prompt, "429"):
        return Resp(429, {"error": "Too many requests"})
    if magic(prompt, "500"):
        return Resp(500, {"error": "Internal server error"})
    if magic(prompt, "invalid"):
        return invalid
    return None


def maybe_hang(sb: SandboxHost, task: Task) -> None:
    if task.magic("timeout"):
        sb.hang()  # the task exists, but the answer comes after the client gave up


def poll_fault(task: Task) -> Resp | None:
    if task.first_poll_error is not None:
        status, task.first_poll_error = task.first_poll_error, None
        return Resp(status, {"error": "Too many requests" if status == 429 else "Server error"})
    return None


def check_common(body: dict[str, Any]) -> str | None:
    """Type checks every provider applies to the shared fields."""
    if not isinstance(body, dict):
        return "The body must be a JSON object."
    for name in ("seed",):
        if name in body and not isinstance(body[name], int):
            return f"{name} must be an integer."
    for name, value in body.items():
        media = name in URL_FIELDS
        if media and value is not None and not is_url(value):
            return f"{name} must be an http(s) URL."
    return None
