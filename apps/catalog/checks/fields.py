"""Checks on a job's fields against one model, with defaults filled in."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from apps.catalog.checks.controls import controls_check
from apps.catalog.checks.inputs import input_problems
from apps.catalog.checks.parse import (
    MAX_PROMPT_CHARS,
    OPTIONS,
    RESOLUTION_ALIASES,
    BadValue,
    ProbedInput,
    Problem,
    Resolved,
    as_bool,
    as_int,
    within,
)
from apps.catalog.registry.types import Input, ModelSpec, PromptUse
from apps.core.errors import ErrorCode


def _given(value: Any) -> bool:
    return value is not None and value != ""


def model_check(
    spec: ModelSpec,
    *,
    method: str,
    fields: dict[str, Any],
    inputs: dict[str, ProbedInput],
    for_estimate: bool = False,
) -> tuple[Resolved, list[Problem]]:
    """Everything wrong with running `fields` on `spec`, and the parameters with defaults.
    With `for_estimate`, missing prompts and missing input files are not problems."""
    out = Resolved(method=method)
    problems: list[Problem] = []
    bad = problems.append

    def invalid(name: str, message: str, allowed: Any = None, code: str = "") -> None:
        bad(Problem(name, code or ErrorCode.VALIDATION_ERROR, message, allowed))

    if method not in spec.methods:
        invalid("method", f"{spec.name} does not do {method}.", list(spec.methods))
    problems += input_problems(spec, inputs, require=not for_estimate)

    prompt = fields.get("prompt")
    if _given(prompt) and not isinstance(prompt, str):
        invalid("prompt", "The prompt must be text.")
    elif isinstance(prompt, str) and len(prompt) > MAX_PROMPT_CHARS:
        invalid(
            "prompt",
            f"The prompt is longer than {MAX_PROMPT_CHARS} characters.",
            {"max_length": MAX_PROMPT_CHARS},
            ErrorCode.INVALID_PROMPT,
        )
    elif spec.prompt == PromptUse.REQUIRED and not for_estimate and not (prompt or "").strip():
        invalid("prompt", f"{spec.name} needs a prompt.", None, ErrorCode.INVALID_PROMPT)

    duration: int | None = None
    if _given(fields.get("duration")):
        try:
            duration = as_int(fields["duration"])
            if duration <= 0:
                raise BadValue
        except BadValue:
            invalid(
                "duration",
                "The duration must be a whole number of seconds above 0.",
                spec.durations.describe() if spec.durations else None,
            )
    duration = _storyboard(spec, fields, duration, out, invalid, for_estimate)
    _duration(spec, duration, inputs, out, invalid)

    res = fields.get("resolution")
    res = RESOLUTION_ALIASES.get(str(res).lower(), str(res).lower()) if _given(res) else None
    if spec.resolutions:
        out.resolution = res or spec.default_resolution
        # No resolution and no default: the model keeps the input's (local/transform).
        if out.resolution is not None and out.resolution not in spec.resolutions:
            invalid(
                "resolution",
                f"{spec.name} does not render {res}.",
                list(spec.resolutions),
                ErrorCode.INVALID_RESOLUTION,
            )
    elif res:
        out.notes.append("resolution ignored: this model keeps the input's resolution.")

    aspect = fields.get("aspect_ratio")
    if spec.aspect_ratios:
        out.aspect_ratio = aspect if _given(aspect) else spec.default_aspect_ratio
        if out.aspect_ratio is not None and out.aspect_ratio not in spec.aspect_ratios:
            invalid(
                "aspect_ratio", f"{spec.name} does not render {aspect}.", list(spec.aspect_ratios)
            )
    elif _given(aspect):
        out.notes.append("aspect_ratio ignored: this model keeps the input's shape.")

    def refuse(name: str, message: str, allowed: Any, models: list[str] | None) -> None:
        supported = tuple(models) if models is not None else None
        bad(Problem(name, ErrorCode.VALIDATION_ERROR, message, allowed, supported))

    controls_check(spec, method=method, fields=fields, out=out, refuse=refuse)
    _audio(spec, fields, out, invalid)
    _options(spec, fields, out, invalid)
    _section(spec, inputs, out, invalid)
    # fit and trim_mode only say how to make a change; on their own they change nothing.
    changes = {k for k, v in out.options.items() if k not in HOW and v is not False}
    if spec.needs_a_change and not for_estimate and not changes and not _given(aspect):
        # Refused here, before credits are held, not by the worker after.
        allowed = sorted({*spec.options, "aspect_ratio"} - HOW)
        invalid("settings", f"Nothing to do: {spec.name} needs at least one change.", allowed)
    return out, problems


Invalid = Callable[..., None]
HOW = frozenset({"fit", "trim_mode"})

# Frame-rounding slack when a stretch ends exactly at the end of the video (s).
SECTION_SLACK_S = 0.05


def _section(
    spec: ModelSpec, inputs: dict[str, ProbedInput], out: Resolved, invalid: Invalid
) -> None:
    """A retake's stretch (start_time + duration) must lie inside the source video when
    its length is known: the provider would clamp it, yet bill the stretch asked for."""
    video = inputs.get(Input.VIDEO)
    length = video.duration_s if video else None
    start = out.options.get("start_time")
    if "start_time" not in spec.options or start is None or length is None:
        return
    seconds = out.duration_s or 0
    if start + seconds <= length + SECTION_SLACK_S:
        return
    if seconds > length + SECTION_SLACK_S:
        invalid(
            "duration",
            f"A {seconds} s stretch is longer than the {length:.1f} s video.",
            {"min": spec.durations.min if spec.durations else 1, "max": math.floor(length)},
        )
        return
    invalid(
        "start_time",
        f"The stretch {start:g}-{start + seconds:g} s runs past the end of the "
        f"{length:.1f} s video.",
        {"min": 0, "max": round(length - seconds, 2)},
    )


def _storyboard(
    spec: ModelSpec,
    fields: dict[str, Any],
    duration: int | None,
    out: Resolved,
    invalid: Invalid,
    for_estimate: bool,
) -> int | None:
    scenes = fields.get("storyboard")
    if not spec.storyboard:
        if _given(scenes) and scenes != []:
            invalid("storyboard", f"{spec.name} does not take a storyboard.")
        return duration
    if not _given(scenes):
        if not for_estimate:
            invalid("storyboard", f"{spec.name} needs a storyboard: a list of scenes.")
        return duration
    if not isinstance(scenes, list) or not scenes:
        invalid("storyboard", "The storyboard must be a non-empty list of scenes.")
        return duration
    parsed, total = [], 0
    for i, scene in enumerate(scenes):
        text = scene.get("prompt", scene.get("description")) if isinstance(scene, dict) else None
        try:
            seconds = as_int(scene.get("duration")) if isinstance(scene, dict) else 0
        except BadValue:
            seconds = 0
        if seconds <= 0:
            invalid(f"storyboard[{i}].duration", "Each scene needs a duration in seconds.")
        if not (isinstance(text, str) and text.strip()) and not for_estimate:
            invalid(
                f"storyboard[{i}].prompt",
                "Each scene needs a prompt.",
                None,
                ErrorCode.INVALID_PROMPT,
            )
        elif isinstance(text, str) and len(text) > MAX_PROMPT_CHARS:
            invalid(
                f"storyboard[{i}].prompt",
                "A scene's prompt is too long.",
                {"max_length": MAX_PROMPT_CHARS},
                ErrorCode.INVALID_PROMPT,
            )
        parsed.append({"prompt": text if isinstance(text, str) else "", "duration": seconds})
        total += max(seconds, 0)
    out.storyboard = parsed
    if duration is not None and duration != total:
        invalid("duration", f"The scenes add up to {total} s, not {duration} s.", [total])
    return total


def _duration(
    spec: ModelSpec,
    duration: int | None,
    inputs: dict[str, ProbedInput],
    out: Resolved,
    invalid: Invalid,
) -> None:
    field_name = "duration"
    if spec.duration_from:
        probed = inputs.get(spec.duration_from)
        length = probed.duration_s if probed else None
        # Lip sync follows a chosen duration (the audio loops or is cut); an upscale is
        # as long as its video, whatever the field says.
        if length is not None and (duration is None or spec.duration_from == Input.VIDEO):
            duration, field_name = math.ceil(length), spec.duration_from
    if duration is None:
        duration = spec.default_duration
    if duration is None:
        out.duration_known = False
        duration = spec.durations.min if spec.durations else 5
    out.duration_s = duration
    if spec.durations and out.duration_known and not spec.durations.allows(duration):
        invalid(
            field_name,
            f"{spec.name} makes videos of {spec.durations.text()}, not {duration} s.",
            spec.durations.describe(),
        )


def _audio(spec: ModelSpec, fields: dict[str, Any], out: Resolved, invalid: Invalid) -> None:
    raw = fields.get("with_audio", fields.get("generate_audio"))
    out.with_audio = spec.default_with_audio
    if not _given(raw):
        if spec.default_with_audio and "with_audio" in spec.options:
            # Priced with sound unless the job says otherwise: say so, and how to opt out.
            factor = spec.pricing.audio_multiplier
            priced = f" (x{factor.normalize():f} price)" if factor != 1 else ""
            out.notes.append(
                f"{spec.name} generates audio by default{priced}; send generate_audio: false "
                "for a silent, cheaper run."
            )
        return
    try:
        wanted = as_bool(raw)
    except BadValue:
        invalid("with_audio", "with_audio must be true or false.", [True, False])
        return
    if spec.native_audio:
        if not wanted:
            out.notes.append("with_audio ignored: this model always generates sound.")
        return
    if wanted and "with_audio" not in spec.options:
        invalid("with_audio", f"{spec.name} cannot generate audio.", [False])
        return
    out.with_audio = wanted


def _options(spec: ModelSpec, fields: dict[str, Any], out: Resolved, invalid: Invalid) -> None:
    for name, (parse, allowed) in OPTIONS.items():
        raw = fields.get(name)
        if not _given(raw):
            continue
        try:
            value = parse(raw)
            if not within(value, allowed):
                raise BadValue
        except BadValue:
            invalid(name, f"Invalid {name.replace('_', ' ')}.", allowed)
            continue
        if name not in spec.options:
            if value is False:
                continue  # asking for nothing is fine anywhere
            invalid(name, f"{spec.name} does not support {name}.", sorted(spec.options))
            continue
        out.options[name] = value
    opts = out.options
    if "trim_start" in opts and "trim_end" in opts and opts["trim_end"] <= opts["trim_start"]:
        invalid("trim_end", "trim_end must be after trim_start.")
    if "optimize_level" in opts and "target_size_mb" in opts:
        invalid("target_size_mb", "Give optimize_level or target_size_mb, not both.")
    for name, value in spec.option_defaults:
        if name not in opts and not (name == "optimize_level" and "target_size_mb" in opts):
            opts[name] = value
