"""Checks on the creative controls (camera_motion, motion_strength, fps) against the ways
a model takes them (registry/controls.py). A control a model does not take is refused,
naming the models that take that value for the same method."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apps.catalog.checks.parse import BadValue, Resolved, as_int, as_number, as_text
from apps.catalog.registry import CATALOG
from apps.catalog.registry.controls import CAMERA_MOTIONS, CONTROL_NAMES, Via
from apps.catalog.registry.types import ModelSpec

# name -> (parser, every value any model could take)
CONTROL_VALUES: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "camera_motion": (lambda v: as_text(v).strip().lower(), list(CAMERA_MOTIONS)),
    "motion_strength": (as_number, {"min": 0, "max": 1}),
    "fps": (as_int, {"min": 1, "max": 240}),
}
SHOWN = 5  # supporting models named in a message; details list them all


def _in_vocabulary(value: Any, allowed: Any) -> bool:
    if isinstance(allowed, list):
        return value in allowed
    return bool(allowed["min"] <= value <= allowed["max"])


def supporting_models(name: str, value: Any, method: str) -> list[str]:
    """Ids of the models doing `method` that take `value` for control `name`."""
    return [
        spec.id
        for spec in CATALOG.values()
        if method in spec.methods and spec.controls.takes(name, value)
    ]


def _allowed(spec: ModelSpec, name: str) -> Any:
    described = spec.controls.describe()[name]
    if described is None:
        return None
    return described["values"] or described["range"]


def controls_check(
    spec: ModelSpec,
    *,
    method: str,
    fields: dict[str, Any],
    out: Resolved,
    refuse: Callable[..., None],
) -> None:
    """Fills `out.fps` and `out.options[camera_motion | motion_strength]`; refuses what
    the model does not take. `refuse(field, message, allowed, supported_models)`."""
    if spec.controls.fps:
        out.fps = spec.default_fps
    for name in CONTROL_NAMES:
        raw = fields.get(name)
        if raw is None or raw == "":
            continue
        parse, vocabulary = CONTROL_VALUES[name]
        try:
            value = parse(raw)
            if not _in_vocabulary(value, vocabulary):
                raise BadValue
        except BadValue:
            refuse(name, f"Invalid {name.replace('_', ' ')}.", vocabulary, None)
            continue
        way = spec.controls.way_for(name, value)
        if way is None:
            others = supporting_models(name, value, method)
            named = ", ".join(others[:SHOWN]) + (" …" if len(others) > SHOWN else "")
            where = f" Models that do: {named}." if others else " No model does for this method."
            if spec.controls.takes(name):
                message = f"{spec.name} does not take {name} {value!r}.{where}"
            else:
                message = f"{spec.name} does not take {name}.{where}"
            refuse(name, message, _allowed(spec, name), others)
            continue
        if name == "fps":
            out.fps = value
        else:
            out.options[name] = value
        if way.via == Via.PROMPT:
            out.notes.append(
                f"{name} {value}: prompt guidance, {way.sent(value)!r} is added to the prompt."
            )
