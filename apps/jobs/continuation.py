"""Real continuation (issue 17): `extend-video` with `mode: "continue"` and an
image-to-video model. The job is priced and checked as that model's image-to-video run
from the source video's last frame; the pipeline hands the model that frame, then joins
the source and the model's clip into one video (the source's size, fps and sound; an
optional crossfade), so a workspace can chain it to build long videos."""

import math
from pathlib import Path
from typing import Any

from apps import media
from apps.catalog.registry import Method, spec_for
from apps.core.errors import ApplicationError, ErrorCode, ValidationError
from apps.gallery.objects import media_error

MODE = "continue"
# The dissolve between the source and its continuation, seconds.
MAX_CROSSFADE = 1.0
PARAM = "continuation"  # the job's params key: {"crossfade": seconds}


def continuation_fields(
    fields: dict[str, Any], probes: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], dict[str, Any] | None]:
    """(fields, inputs) to preflight, and the continuation's settings (None when the
    request is not a continuation: then both come back as they were).

    A continuation is preflighted as the model's image-to-video run from an image the
    size of the source video (its last frame); `mode` and `crossfade` are ours."""
    if fields.get("method") != Method.EXTEND_VIDEO or fields.get("mode") != MODE:
        return fields, probes, None
    model_id = fields.get("model")
    spec = spec_for(model_id) if isinstance(model_id, str) and model_id else None
    # A text-to-video model with an image-to-video sibling is switched to it by preflight.
    if spec is None or not (Method.IMAGE_TO_VIDEO in spec.methods or spec.i2v_sibling):
        if spec is not None and spec.id == "local/extend-video":
            # Carrying the motion on is what the local extend does by default.
            return {k: v for k, v in fields.items() if k != "mode"}, probes, None
        raise ValidationError(
            'mode "continue" needs an image-to-video model (the continuation is rendered '
            "from the source's last frame).",
            details={"field": "model"},
        )
    crossfade = _crossfade(fields.get("crossfade"))
    video = probes.get("video")
    if video is None:
        raise ValidationError(
            "A continuation needs the source video (source_file, source_asset, source_url "
            "or source_data).",
            details={"field": "source_file"},
        )
    out = {k: v for k, v in fields.items() if k not in ("mode", "crossfade")}
    out["method"] = Method.IMAGE_TO_VIDEO
    frame = {"format": "png", "width": video.get("width"), "height": video.get("height")}
    rest = {k: v for k, v in probes.items() if k != "video"}
    return out, {**rest, "image": frame}, {"crossfade": crossfade}


def _crossfade(raw: Any) -> float:
    if raw in (None, ""):
        return 0.0
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(raw, bool) or not math.isfinite(value) or not 0 <= value <= MAX_CROSSFADE:
        raise ValidationError(
            f"crossfade must be a number of seconds from 0 to {MAX_CROSSFADE:g}.",
            details={"field": "crossfade"},
        )
    return value


def last_frame(*, video: Path, dst: Path) -> Path:
    """The source's last frame as PNG, the continuation's start image."""
    try:
        media.extract_last_frame(src=video, dst=dst)
    except media.MediaError as exc:
        raise media_error(exc) from None
    return dst


def continuation_join(*, source: Path, clip: Path, dst: Path, crossfade: float) -> Path:
    """The source followed by its continuation, at the source's size and fps (the clip
    is fitted, letterboxed if its shape differs) with the source's sound carried on; a
    model's clip without sound continues in silence."""
    try:
        info = media.probe(source)
        media.concat(
            clips=[source, clip],
            dst=dst,
            crossfade=crossfade,
            width=info.width,
            height=info.height,
            fps=info.fps or None,
        )
    except media.MediaError as exc:
        error = media_error(exc)
        raise ApplicationError(
            f"Could not join the continuation to its source: {error.message}",
            code=ErrorCode.DELIVERY_FAILED,
        ) from None
    return dst
