"""Width x height → the nearest resolution label and aspect ratio a model makes."""

from __future__ import annotations

import math
from collections.abc import Iterable

from reelsmith._errors import ValidationError

STANDARD_RESOLUTIONS = ("480p", "576p", "720p", "1080p", "1440p", "2160p")
STANDARD_ASPECT_RATIOS = ("16:9", "9:16", "1:1", "4:5", "4:3", "3:4", "21:9")
# How far the nearest allowed size may be from the one asked for before it is an error.
MAX_RATIO_OFF = 0.12
MAX_SIDE_OFF = 0.25


def _side(label: str) -> int | None:
    label = label.strip().lower()
    if label.endswith("p") and label[:-1].isdigit():
        return int(label[:-1])
    return {"4k": 2160, "2k": 1440}.get(label)


def _ratio(label: str) -> float | None:
    a, sep, b = label.partition(":")
    try:
        return float(a) / float(b) if sep and float(b) > 0 else None
    except ValueError:
        return None


def resolve_size(
    *,
    width: int | None,
    height: int | None,
    resolutions: Iterable[str] = STANDARD_RESOLUTIONS,
    aspect_ratios: Iterable[str] = STANDARD_ASPECT_RATIOS,
    default_aspect_ratio: str | None = "16:9",
    model: str | None = None,
) -> tuple[str, str | None]:
    """(resolution, aspect_ratio) nearest to width x height among the allowed ones.

    With one side only, the other follows the model's default aspect ratio (landscape
    16:9 when unknown). The resolution label is the short side (1280x720 → 720p). Raises
    ValidationError listing the allowed values when nothing allowed is close."""
    res_list = [r for r in resolutions if _side(r)]
    ratio_list = [r for r in aspect_ratios if _ratio(r)]
    for name, value in (("width", width), ("height", height)):
        if value is not None and (not isinstance(value, int) or value <= 0):
            raise ValidationError(f"{name} must be a positive whole number of pixels.")
    default = _ratio(default_aspect_ratio or "") or 16 / 9
    if width is None and height is None:
        raise ValidationError("Give a width, a height or both.")
    w = float(width) if width is not None else float(height or 0) * default
    h = float(height) if height is not None else float(width or 0) / default
    what = f"{model} " if model else ""
    if not res_list:
        raise ValidationError(
            f"The model {what}takes its size from its input; width/height cannot be set.",
            details={"fields": {"width": "not settable for this model"}},
        )
    short = min(w, h)
    best_res = min(res_list, key=lambda r: abs((_side(r) or 0) - short))
    if abs((_side(best_res) or 0) - short) / short > MAX_SIDE_OFF:
        raise ValidationError(
            f"{round(w)}x{round(h)} is not a size the model {what}makes; "
            f"resolutions: {', '.join(res_list)}.",
            code="INVALID_RESOLUTION",
            details={"allowed": res_list},
        )
    target = w / h
    best_ratio: str | None = None
    if ratio_list and width is not None and height is not None:
        best_ratio = min(ratio_list, key=lambda r: abs(math.log((_ratio(r) or 1) / target)))
        if abs(math.log((_ratio(best_ratio) or 1) / target)) > math.log(1 + MAX_RATIO_OFF):
            raise ValidationError(
                f"{width}x{height} is not an aspect ratio the model {what}makes; "
                f"aspect ratios: {', '.join(ratio_list)}.",
                code="INVALID_RESOLUTION",
                details={"allowed": ratio_list},
            )
    return best_res, best_ratio
