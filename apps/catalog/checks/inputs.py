"""Checks on the input files a job brings (presence, format, size, pixels, length)."""

from __future__ import annotations

from apps.catalog.checks.parse import (
    INPUT_NAMES,
    VIDEO_MAX_PX,
    VIDEO_MIN_PX,
    ProbedInput,
    Problem,
)
from apps.catalog.registry.types import ModelSpec
from apps.core.errors import ErrorCode

# What each input is called in a sentence ("needs an image", "needs a video").
INPUT_WORDS = {
    "image": "an image",
    "end_image": "an end image",
    "video": "a video",
    "audio": "an audio track",
}


def _a(name: str) -> str:
    return INPUT_WORDS.get(name, f"a {name.replace('_', ' ')}")


def _either(formats: tuple[str, ...] | list[str]) -> str:
    names = [f.upper() for f in formats]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def input_problems(spec: ModelSpec, inputs: dict[str, ProbedInput], require: bool) -> list[Problem]:
    problems: list[Problem] = []
    accepted = sorted(spec.required_inputs | spec.optional_inputs)
    for name in INPUT_NAMES:
        probe = inputs.get(name)
        if probe is None:
            if require and name in spec.required_inputs:
                problems.append(
                    Problem(
                        name,
                        ErrorCode.VALIDATION_ERROR,
                        f"{spec.name} needs {_a(name)}.",
                        accepted,
                    )
                )
            continue
        if not spec.accepts(name):
            problems.append(
                Problem(
                    name,
                    ErrorCode.VALIDATION_ERROR,
                    f"{spec.name} does not take {_a(name)}.",
                    accepted,
                )
            )
            continue
        problems += _probe_problems(spec, name, probe)
    return problems


def _probe_problems(spec: ModelSpec, name: str, probe: ProbedInput) -> list[Problem]:
    limits = spec.limits
    kind = "image" if name in ("image", "end_image") else name
    formats = getattr(limits, f"{kind}_formats")
    problems: list[Problem] = []
    if probe.format is not None and probe.format not in formats:
        problems.append(
            Problem(
                name,
                ErrorCode.UNSUPPORTED_FORMAT,
                f"Received {probe.format.upper()} for the {name.replace('_', ' ')}; "
                f"{spec.name} accepts {_either(formats)}.",
                list(formats),
            )
        )
    if kind == "image" and probe.width and probe.height:
        lo, hi = limits.image_min_px or 1, limits.image_max_px or 10**6
        if not all(lo <= side <= hi for side in (probe.width, probe.height)):
            problems.append(
                Problem(
                    name,
                    ErrorCode.INVALID_RESOLUTION,
                    f"{spec.name} takes images of {lo}-{hi} px per side; this "
                    f"one is {probe.width}x{probe.height}.",
                    {"min_px": limits.image_min_px, "max_px": hi},
                )
            )
    if kind == "video" and probe.width and probe.height:
        long_side, short_side = max(probe.width, probe.height), min(probe.width, probe.height)
        if not (
            VIDEO_MIN_PX[0] <= long_side <= VIDEO_MAX_PX[0]
            and VIDEO_MIN_PX[1] <= short_side <= VIDEO_MAX_PX[1]
        ):
            problems.append(
                Problem(
                    name,
                    ErrorCode.INVALID_RESOLUTION,
                    f"Input videos must be 480x270 to 4096x2160; this one is "
                    f"{probe.width}x{probe.height}.",
                    {"min": "480x270", "max": "4096x2160"},
                )
            )
    max_bytes = limits.audio_max_bytes
    if kind == "audio" and probe.size_bytes and max_bytes and probe.size_bytes > max_bytes:
        mb = max_bytes // (1024 * 1024)
        problems.append(
            Problem(
                name,
                ErrorCode.FILE_TOO_LARGE,
                f"{spec.name} takes audio up to {mb} MB.",
                {"max_bytes": max_bytes},
            )
        )
    if kind in ("audio", "video") and probe.duration_s is not None:
        lo_s, hi_s = getattr(limits, f"{kind}_min_s"), getattr(limits, f"{kind}_max_s")
        if (lo_s is not None and probe.duration_s < lo_s) or (
            hi_s is not None and probe.duration_s > hi_s
        ):
            problems.append(
                Problem(
                    name,
                    ErrorCode.VALIDATION_ERROR,
                    f"{spec.name} takes {kind} of {lo_s or 0}-{hi_s or 'any'} s; "
                    f"this one is {probe.duration_s:g} s.",
                    {"min_s": lo_s, "max_s": hi_s},
                )
            )
    return problems
