"""Parsing job fields and probed inputs; the shapes checks pass around."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from apps.catalog.registry.types import Input
from apps.core.errors import ErrorCode

MAX_PROMPT_CHARS = 2000
RESOLUTION_ALIASES = {"2k": "1440p", "4k": "2160p"}
FORMAT_ALIASES = {"jpg": "jpeg", "quicktime": "mov"}
# Spec 000's input video bounds: 480x270 up to 4096x2160 (either orientation).
VIDEO_MIN_PX = (480, 270)
VIDEO_MAX_PX = (4096, 2160)
INPUT_NAMES = tuple(Input.values)


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str
    allowed: Any = None
    # A refused control (camera_motion, motion_strength, fps): the models that take it.
    supported_models: tuple[str, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {
            "field": self.field,
            "code": self.code,
            "message": self.message,
            "allowed": self.allowed,
        }
        if self.supported_models is not None:
            out["supported_models"] = list(self.supported_models)
        return out


@dataclass(frozen=True)
class ProbedInput:
    """An input file as the pipeline knows it; unknown properties are None."""

    format: str | None = None
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    size_bytes: int | None = None


@dataclass
class Resolved:
    """The job's parameters after defaults, for one model."""

    method: str
    duration_s: int | None = None
    duration_known: bool = True
    resolution: str | None = None
    aspect_ratio: str | None = None
    fps: int | None = None
    with_audio: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    storyboard: list[dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)


# --- Parsing -----------------------------------------------------------------------------


class BadValue(ValueError):
    pass


def as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise BadValue
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise BadValue from None
        if number.is_integer():
            return int(number)
    raise BadValue


def as_number(value: Any) -> float:
    if isinstance(value, bool):
        raise BadValue
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadValue from None
    if not math.isfinite(number):
        raise BadValue
    return number


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise BadValue


def as_text(value: Any) -> str:
    if not isinstance(value, str):
        raise BadValue
    return value


# name -> (parser, allowed (choices list or {"min", "max"}), default meaning "not asked")
OPTIONS: dict[str, tuple[Any, Any]] = {
    "negative_prompt": (as_text, {"max_length": MAX_PROMPT_CHARS}),
    "cfg_scale": (as_number, {"min": 0, "max": 1}),
    "seed": (as_int, {"min": 0, "max": 2**32 - 1}),
    "camera_fixed": (as_bool, [True, False]),
    "enable_prompt_expansion": (as_bool, [True, False]),
    "mode": (as_text, ["fun", "normal", "spicy"]),
    "trim_start": (as_number, {"min": 0, "max": 3600}),
    "trim_end": (as_number, {"min": 0, "max": 3600}),
    # LTX-2 Retake: where the regenerated stretch starts (s) and what it replaces.
    "start_time": (as_number, {"min": 0, "max": 3600}),
    "retake_mode": (as_text, ["replace_audio_and_video", "replace_video", "replace_audio"]),
    "speed": (as_number, {"min": 0.25, "max": 4}),
    "mute": (as_bool, [True, False]),
    "fit": (as_text, ["crop", "pad"]),
    # local/edit: cut exactly at trim_start/trim_end (smart cut), or at the key frames
    # around them (a pure stream copy, the window can only grow).
    "trim_mode": (as_text, ["accurate", "keyframe"]),
    "output_format": (as_text, ["mp4", "webm", "mov"]),
    "optimize_level": (as_text, ["low", "medium", "high"]),
    "target_size_mb": (as_number, {"min": 1, "max": 2048}),
    # remove-background: composite over this colour (MP4) instead of keeping alpha (WebM).
    "background_color": (as_text, {"pattern": "^#[0-9a-fA-F]{6}$"}),
}


def within(value: Any, allowed: Any) -> bool:
    if isinstance(allowed, list):
        return value in allowed
    if "max_length" in allowed:
        return len(value) <= allowed["max_length"]
    if "pattern" in allowed:
        return re.fullmatch(allowed["pattern"], value) is not None
    return allowed["min"] <= value <= allowed["max"]


def inputs_parse(
    fields: dict[str, Any], inputs: dict[str, Any] | None
) -> tuple[dict[str, ProbedInput], list[Problem]]:
    """Which inputs are present, with what properties. An input is present when `inputs`
    has it (a dict of probed properties, or True) or the job fields carry it (a URL or
    asset id); `audio_duration` / `video_duration` fields give (or fill in) their lengths."""
    found: dict[str, ProbedInput] = {}
    problems: list[Problem] = []
    for name in INPUT_NAMES:
        value = (inputs or {}).get(name)
        if value is None or value is False:
            value = True if fields.get(name) not in (None, "", False) else None
        if value is None:
            continue
        if value is True:
            value = {}
        if not isinstance(value, dict):
            problems.append(Problem(name, ErrorCode.VALIDATION_ERROR, f"Bad {name} input."))
            continue
        props: dict[str, Any] = {}
        try:
            if value.get("format") is not None:
                fmt = as_text(value["format"]).lower()
                props["format"] = FORMAT_ALIASES.get(fmt, fmt)
            for key in ("width", "height", "size_bytes"):
                if value.get(key) is not None:
                    props[key] = as_int(value[key])
            if value.get("duration_s") is not None:
                props["duration_s"] = as_number(value["duration_s"])
        except BadValue:
            problems.append(
                Problem(name, ErrorCode.VALIDATION_ERROR, f"Unreadable properties for {name}.")
            )
            continue
        found[name] = ProbedInput(**props)
    for name in ("audio", "video"):
        raw = fields.get(f"{name}_duration")
        if raw is None or (name in found and found[name].duration_s is not None):
            continue
        try:
            seconds = as_number(raw)
        except BadValue:
            problems.append(
                Problem(f"{name}_duration", ErrorCode.VALIDATION_ERROR, "Must be a number.")
            )
            continue
        probe = found.get(name, ProbedInput())
        found[name] = ProbedInput(
            probe.format, probe.width, probe.height, seconds, probe.size_bytes
        )
    return found, problems
