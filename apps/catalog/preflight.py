"""Preflight: check a job against the catalogue before anything is charged or sent.

Every submit path (API, pages, compat fronts, the job pipeline) calls `job_preflight` with
the job's fields as a plain dict and what it knows about the input files. It returns the
resolved model and parameters, or raises one ApplicationError listing every problem."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from apps.catalog.checks import ProbedInput, Problem, Resolved, inputs_parse, model_check
from apps.catalog.pricing import price_quote
from apps.catalog.registry import spec_for
from apps.catalog.registry.types import QUALITY_RANK, Input, Method, ModelSpec, Quality
from apps.catalog.selectors import CatalogEntry, model_get, model_list
from apps.core.errors import ApplicationError, ErrorCode

# Methods where the local engine only makes a preview: a provider model is preferred.
GENERATIVE = {
    Method.TEXT_TO_VIDEO,
    Method.IMAGE_TO_VIDEO,
    Method.EXTEND_VIDEO,
    Method.LIP_SYNC,
    Method.STORYBOARD,
}


@dataclass
class Preflight:
    """A job that fits its model. `duration_s` is the billed output length (seconds)."""

    entry: CatalogEntry
    method: str
    quality: str
    duration_s: int
    duration_known: bool
    resolution: str | None
    aspect_ratio: str | None
    fps: int | None
    with_audio: bool
    options: dict[str, Any]
    storyboard: list[dict[str, Any]] | None
    inputs: dict[str, ProbedInput]
    auto_selected: bool = False
    switched_from: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def model_id(self) -> str:
        return self.entry.spec.id

    def job_fields(self) -> dict[str, Any]:
        """The normalised, JSON-able parameters to store on the job and send on."""
        return {
            "model": self.model_id,
            "method": self.method,
            "quality": self.quality,
            "duration": self.duration_s,
            "resolution": self.resolution,
            "aspect_ratio": self.aspect_ratio,
            "fps": self.fps,
            "with_audio": self.with_audio,
            "storyboard": self.storyboard,
            **self.options,
        }


def problems_raise(problems: list[Problem]) -> None:
    """One 400 for all problems: the shared code if there is one, else VALIDATION_ERROR."""
    codes = {p.code for p in problems}
    code = codes.pop() if len(codes) == 1 else ErrorCode.VALIDATION_ERROR
    if len(problems) == 1:
        message = problems[0].message
    else:
        message = f"{len(problems)} problems: " + " ".join(p.message for p in problems)
    details: dict[str, Any] = {"problems": [p.as_dict() for p in problems]}
    supported = {
        p.field: list(p.supported_models) for p in problems if p.supported_models is not None
    }
    if supported:
        # A refused control: which models take it, per field (docs/models.md, Controls).
        details["supported_models"] = supported
    raise ApplicationError(message, code=code, status=400, details=details)


def _choice(fields: dict[str, Any], name: str, allowed: list[str], problems: list) -> Any:
    value = fields.get(name)
    if value in (None, ""):
        return None
    if value not in allowed:
        problems.append(
            Problem(name, ErrorCode.VALIDATION_ERROR, f"Unknown {name} {value!r}.", allowed)
        )
        return None
    return value


def job_preflight(
    *,
    fields: dict[str, Any],
    inputs: dict[str, Any] | None = None,
    for_estimate: bool = False,
) -> Preflight:
    """Check a job's fields against the catalogue.

    fields: the job as submitted (method, model, prompt, duration, resolution, aspect_ratio,
        quality, fps, with_audio / generate_audio, storyboard, negative_prompt, cfg_scale,
        seed, camera_fixed, camera_motion, motion_strength, enable_prompt_expansion, mode,
        local-edit settings, and optionally image / end_image / audio / video references
        and audio_duration / video_duration). Unknown keys are ignored.
    inputs: {"image" | "end_image" | "audio" | "video": {"format", "width", "height",
        "duration_s", "size_bytes"} or True} for the files the job has, as probed.
    for_estimate: a price check: a missing prompt or input file is not a problem, and an
        unavailable model is priced anyway (with a note).

    No model: one is picked by method and quality among available models. A
    text-to-video model given an image switches to its image-to-video sibling.
    Raises ApplicationError (400) with details.problems = [{field, code, message, allowed}].
    """
    if not isinstance(fields, dict):
        problems_raise([Problem("body", ErrorCode.VALIDATION_ERROR, "Send a JSON object.")])
    problems: list[Problem] = []
    probes, input_problems = inputs_parse(fields, inputs)
    problems += input_problems
    method = _choice(fields, "method", list(Method.values), problems)
    quality = _choice(fields, "quality", list(Quality.values), problems)
    model_id = fields.get("model")
    if model_id not in (None, "") and not isinstance(model_id, str):
        problems.append(Problem("model", ErrorCode.VALIDATION_ERROR, "model must be a string."))
        model_id = None
    if problems:
        problems_raise(problems)

    notes: list[str] = []
    switched_from = None
    has_image = Input.IMAGE in probes
    if model_id:
        spec, method, switched_from = _named_model(model_id, method, has_image, notes)
        entry = model_get(model_id=spec.id)
        auto = False
    else:
        if method is None:
            method = Method.IMAGE_TO_VIDEO if has_image else Method.TEXT_TO_VIDEO
        entry = model_auto_select(
            method=method, quality=quality, fields=fields, inputs=probes, for_estimate=for_estimate
        )
        notes.append(f"Picked {entry.spec.id} for {method} at {quality or 'standard'} quality.")
        auto = True

    resolved, problems = model_check(
        entry.spec, method=method, fields=fields, inputs=probes, for_estimate=for_estimate
    )
    if entry.degraded:
        notes.append(f"{entry.spec.name}: {entry.unavailable_reason}")
    if not entry.available and not entry.degraded:
        if for_estimate:
            # A price is still worth showing: the picker lists unavailable models too.
            notes.append(f"{entry.spec.name} is unavailable: {entry.unavailable_reason}")
        else:
            problems.insert(0, _unavailable(entry, method))
    if problems:
        problems_raise(problems)
    return _preflight(entry, resolved, quality, probes, auto, switched_from, notes)


def _named_model(
    model_id: str, method: str | None, has_image: bool, notes: list[str]
) -> tuple[ModelSpec, str, str | None]:
    """The model asked for, after the image switch; the method; the id switched from."""
    spec = spec_for(model_id)
    if spec is None:
        allowed = [e.id for e in model_list(method=method)] if method else None
        message = f"No model {model_id!r} in the catalogue."
        problems_raise([Problem("model", ErrorCode.VALIDATION_ERROR, message, allowed)])
    assert spec is not None
    switched_from = None
    wants_i2v = has_image or method == Method.IMAGE_TO_VIDEO
    if wants_i2v and Method.IMAGE_TO_VIDEO not in spec.methods and spec.i2v_sibling:
        switched_from = spec.id
        why = "an image was given" if has_image else "image-to-video was asked for"
        notes.append(f"Switched from {spec.id} to {spec.i2v_sibling}: {why}.")
        spec = spec_for(spec.i2v_sibling)
        assert spec is not None
        method = Method.IMAGE_TO_VIDEO
    if method is None:
        i2v = has_image and Method.IMAGE_TO_VIDEO in spec.methods
        method = Method.IMAGE_TO_VIDEO if i2v else spec.methods[0]
    elif method == Method.TEXT_TO_VIDEO and has_image and Method.IMAGE_TO_VIDEO in spec.methods:
        method = Method.IMAGE_TO_VIDEO
        notes.append("Method set to image-to-video: an image was given.")
    return spec, method, switched_from


def _unavailable(entry: CatalogEntry, method: str) -> Problem:
    alternatives = [e.id for e in model_list(method=method, available=True)]
    return Problem(
        "model",
        ErrorCode.MODEL_UNAVAILABLE,
        f"{entry.spec.name} is unavailable: {entry.unavailable_reason}",
        alternatives,
    )


def _preflight(
    entry: CatalogEntry,
    resolved: Resolved,
    quality: str | None,
    probes: dict[str, ProbedInput],
    auto: bool,
    switched_from: str | None,
    notes: list[str],
) -> Preflight:
    assert resolved.duration_s is not None
    return Preflight(
        entry=entry,
        method=resolved.method,
        quality=quality or entry.spec.quality,
        duration_s=resolved.duration_s,
        duration_known=resolved.duration_known,
        resolution=resolved.resolution,
        aspect_ratio=resolved.aspect_ratio,
        fps=resolved.fps,
        with_audio=resolved.with_audio,
        options=resolved.options,
        storyboard=resolved.storyboard,
        inputs=probes,
        auto_selected=auto,
        switched_from=switched_from,
        notes=notes + resolved.notes,
    )


def model_auto_select(
    *,
    method: str,
    quality: str | None = None,
    fields: dict[str, Any] | None = None,
    inputs: dict[str, ProbedInput] | None = None,
    for_estimate: bool = True,
) -> CatalogEntry:
    """The best available model for a method and quality tier (default standard).

    Prefers, in order: a model that accepts the given fields as they are; the nearest
    quality tier; a provider model over the local engine's preview for generation (and the
    local engine for plain edits); a featured model; the lower price; the id.
    Raises MODEL_UNAVAILABLE when no available model does the method."""
    candidates = model_list(method=method, available=True)
    if not candidates:
        every = [e.id for e in model_list(method=method)]
        problems_raise(
            [
                Problem(
                    "model",
                    ErrorCode.MODEL_UNAVAILABLE,
                    f"No model for {method} is available right now.",
                    every,
                )
            ]
        )
    rank = QUALITY_RANK[Quality(quality or Quality.STANDARD)]

    def score(entry: CatalogEntry) -> tuple:
        resolved, problems = model_check(
            entry.spec,
            method=method,
            fields=fields or {},
            inputs=inputs or {},
            for_estimate=for_estimate,
        )
        price = math.inf
        if not problems:
            price = price_quote(
                spec=entry.spec,
                seconds=resolved.duration_s or 1,
                resolution=resolved.resolution,
                with_audio=resolved.with_audio,
                override=entry.override,
            ).list_credits
        local_last = entry.spec.is_local if method in GENERATIVE else not entry.spec.is_local
        return (
            len(problems),
            abs(QUALITY_RANK[Quality(entry.spec.quality)] - rank),
            local_last,
            not entry.featured,
            price,
            entry.id,
        )

    return min(candidates, key=score)
