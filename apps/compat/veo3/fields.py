"""Veo3's generate body (spec 002) → our job fields. Values the catalog checks (fps,
motion_strength, camera_motion, the model's durations) are passed on for it to judge."""

import re
from typing import Any

from apps.core.errors import ValidationError

FIELDS = (
    "image",
    "prompt",
    "duration",
    "fps",
    "resolution",
    "motion_strength",
    "camera_motion",
    "optimize_prompt",
    "model",
)
DEFAULT_RESOLUTION = "1920x1080"  # the spec's default
# Veo3's WxH sizes → our resolution and aspect ratio (the spec's maximum is 1920x1080).
RESOLUTIONS = {
    "1920x1080": ("1080p", "16:9"),
    "1080x1920": ("1080p", "9:16"),
    "1080x1080": ("1080p", "1:1"),
    "1280x720": ("720p", "16:9"),
    "720x1280": ("720p", "9:16"),
    "720x720": ("720p", "1:1"),
    "854x480": ("480p", "16:9"),
    "480x854": ("480p", "9:16"),
}
# The spec's VEO3_MODEL names → our catalog ids; any catalog id is accepted as well.
MODELS = {"veo_3_1": "veo3.1-quality", "veo_3_1-fast": "veo3.1-fast"}
MIN_DURATION, MAX_DURATION = 1, 10  # seconds, the spec's range


def _bad(field: str, message: str, **details: Any) -> ValidationError:
    return ValidationError(message, details={"field": field, **details})


def _integer(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _bad(name, f"{name} must be a whole number.")
    return value


def _image(value: Any) -> dict[str, Any]:
    """A URL is fetched by the SSRF-guarded client at submit; base64 (or a data: URL) goes
    to the shared `source_data` input (apps/jobs/inputs.py), so its size limit, decoding
    and media checks are the ones every other front has."""
    if not isinstance(value, str) or not value.strip():
        raise _bad("image", "image is required: a base64-encoded image or an http(s) URL.")
    value = value.strip()
    if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE):
        return {"source_url": value}
    return {"source_data": value}


def generate_fields(data: Any) -> dict[str, Any]:
    """The job fields for a Veo3 generate body; a 400 naming the field otherwise."""
    if not isinstance(data, dict):
        raise ValidationError("Send a JSON object.")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationError(
            f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"Allowed: {', '.join(FIELDS)}.",
            details={"unknown": unknown, "allowed": list(FIELDS)},
        )
    fields: dict[str, Any] = {"method": "image-to-video", **_image(data.get("image"))}

    prompt = data.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise _bad("prompt", "prompt must be a string.")
    if prompt:
        fields["prompt"] = prompt

    duration = _integer(data, "duration")
    if duration is not None:
        if not MIN_DURATION <= duration <= MAX_DURATION:
            raise _bad(
                "duration",
                f"duration must be {MIN_DURATION}-{MAX_DURATION} seconds.",
                allowed={"min": MIN_DURATION, "max": MAX_DURATION},
            )
        fields["duration"] = duration
    fps = _integer(data, "fps")
    if fps is not None:
        # Left out, the model's own default applies (30 on the local engine, the spec's
        # default): a model without an fps control would refuse an fps it was never sent.
        fields["fps"] = fps

    resolution = data.get("resolution")
    if resolution is None:
        resolution = DEFAULT_RESOLUTION
    if not isinstance(resolution, str) or resolution.lower() not in RESOLUTIONS:
        raise _bad(
            "resolution",
            f"Unsupported resolution {resolution!r}: use one of {', '.join(RESOLUTIONS)}.",
            allowed=list(RESOLUTIONS),
        )
    fields["resolution"], fields["aspect_ratio"] = RESOLUTIONS[resolution.lower()]

    strength = data.get("motion_strength")
    if strength is not None:
        if isinstance(strength, bool) or not isinstance(strength, int | float):
            raise _bad("motion_strength", "motion_strength must be a number from 0.0 to 1.0.")
        fields["motion_strength"] = strength
    motion = data.get("camera_motion")
    if motion is not None:
        # The catalog judges it against the model's controls (refusals name the models
        # that take it, in details.supported_models).
        fields["camera_motion"] = motion

    optimize = data.get("optimize_prompt")
    if optimize is not None and not isinstance(optimize, bool):
        raise _bad("optimize_prompt", "optimize_prompt must be true or false.")
    if optimize:
        raise _bad(
            "optimize_prompt",
            "optimize_prompt is not supported here: send false or leave it out.",
            allowed=[False],
        )

    model = data.get("model")
    if model is not None:
        if not isinstance(model, str) or not model:
            raise _bad("model", "model must be a non-empty string.")
        fields["model"] = MODELS.get(model, model)
    return fields
