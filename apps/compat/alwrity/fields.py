"""ALwrity Video Studio's request fields → ours (spec 000). A table, not rules: every
value is checked by the catalog's preflight, which names the allowed values."""

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from rest_framework.exceptions import ParseError
from rest_framework.request import Request

from apps.core.errors import ValidationError
from apps.core.parsers import json_loads
from apps.core.text import MAX_JSON_DEPTH

GENERATE_FIELDS = (
    "method",
    "prompt",
    "duration",
    "resolution",
    "aspect_ratio",
    "quality",
    "model",
    "source_file",
)
GENERATE_METHODS = ("text-to-video", "image-to-video", "extend-video")
PROCESS_FIELDS = ("operation", "source_file", "settings")
PROCESS_OPERATIONS = ("edit", "enhance", "transform", "optimize")
ESTIMATE_FIELDS = ("method", "duration", "resolution", "aspect_ratio", "quality", "model")
WEBHOOK_FIELDS = ("url", "events", "secret")
# ALwrity's resolution names that are not ours.
RESOLUTIONS = {"4k": "2160p", "4K": "2160p"}


def body_read(request: Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """The fields and files of a JSON or multipart request (`settings` is JSON text in a
    multipart form)."""
    if request.content_type.startswith("multipart/"):
        data: dict[str, Any] = {}
        for name in request.data:
            if name in request.FILES:
                continue
            values = request.data.getlist(name)
            if len(values) > 1:
                raise ValidationError(f"{name} is given more than once.", details={"field": name})
            data[name] = values[0]
        raw = data.get("settings")
        if isinstance(raw, str) and raw.strip():
            try:
                data["settings"] = json_loads(raw, path="settings")
            except ParseError:
                raise ValidationError(
                    f"settings must be a JSON object (at most {MAX_JSON_DEPTH} levels deep).",
                    details={"field": "settings"},
                ) from None
        return data, {name: request.FILES[name] for name in request.FILES}
    if not isinstance(request.data, dict):
        raise ValidationError("Send a JSON object or a multipart form.")
    return dict(request.data), {}


def known_only(data: dict[str, Any], files: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed)) + sorted(set(files) - set(allowed))
    if unknown:
        raise ValidationError(
            f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"Allowed: {', '.join(allowed)}.",
            details={"unknown": unknown, "allowed": list(allowed)},
        )


def _choice(data: dict[str, Any], name: str, allowed: tuple[str, ...]) -> None:
    value = data.get(name)
    if value not in (None, "") and value not in allowed:
        raise ValidationError(
            f"Unknown {name} {value!r}: use one of {', '.join(allowed)}.",
            details={"field": name, "allowed": list(allowed)},
        )


def job_fields(data: dict[str, Any], *, allowed: tuple[str, ...]) -> dict[str, Any]:
    """A generate or estimate request as our job fields."""
    _choice(data, "method", GENERATE_METHODS)
    fields = {k: v for k, v in data.items() if k in allowed and k != "source_file"}
    if isinstance(fields.get("resolution"), str):
        fields["resolution"] = RESOLUTIONS.get(fields["resolution"], fields["resolution"])
    return {k: v for k, v in fields.items() if v not in (None, "")}


def process_request(data: dict[str, Any]) -> tuple[Any, Any]:
    _choice(data, "operation", PROCESS_OPERATIONS)
    if data.get("operation") in (None, ""):
        raise ValidationError(
            f"operation is required: one of {', '.join(PROCESS_OPERATIONS)}.",
            details={"field": "operation", "allowed": list(PROCESS_OPERATIONS)},
        )
    return data["operation"], data.get("settings")
