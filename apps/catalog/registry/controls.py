"""How a model takes the creative controls `camera_motion`, `motion_strength` and `fps`.

Each model declares, per control, one or more *ways* (data, reviewed like the rest of
the catalogue):

- `native`: the provider's own mechanism. Either a request field (Seedance's
  `camera_fixed`, LTX-2's `fps`, the local engine's `camera_motion`), or a syntax the
  provider documents *inside the prompt* (Hailuo's bracketed camera commands such as
  `[Pan left]`, Midjourney's `--motion low|high`): `field` is then "prompt".
- `prompt`: prompt guidance, only where the model's documentation describes steering the
  camera in words (Veo, Sora 2, Kling, Wan, ...): a fixed phrase is appended to the prompt.

A control with no way is not taken: preflight refuses it, listing the models that do.
`Controls.apply` is the one place request values become provider fields or prompt text;
the provider submit path calls it (apps/providers/adapters/_base.py)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.db import models


class Via(models.TextChoices):
    NATIVE = "native", "The provider's own field or documented syntax"
    PROMPT = "prompt", "Prompt guidance: a documented phrase appended to the prompt"


CONTROL_NAMES = ("camera_motion", "motion_strength", "fps")
PROMPT_FIELD = "prompt"  # a way whose text goes into the prompt

# Every camera_motion value any model may take. A bare pan / tilt / zoom means the
# local engine's default direction (apps/media: pan right, tilt up, zoom in) everywhere.
CAMERA_MOTIONS = (
    "static",
    "pan",
    "pan_left",
    "pan_right",
    "tilt",
    "tilt_up",
    "tilt_down",
    "zoom",
    "zoom_in",
    "zoom_out",
)
DEFAULT_DIRECTION = {"pan": "pan_right", "tilt": "tilt_up", "zoom": "zoom_in"}
MOVES = tuple(m for m in CAMERA_MOTIONS if m != "static")


def _per_direction(texts: dict[str, str]) -> dict[str, str]:
    """`texts` keyed by directed motion (and static), with the bare names added."""
    out = dict(texts)
    for bare, directed in DEFAULT_DIRECTION.items():
        if directed in texts:
            out[bare] = texts[directed]
    return out


# Prompt guidance: plain camera language, as the models' prompt guides phrase it.
CAMERA_PHRASES = _per_direction(
    {
        "static": "Static shot: the camera stays still.",
        "pan_left": "The camera pans slowly to the left.",
        "pan_right": "The camera pans slowly to the right.",
        "tilt_up": "The camera tilts slowly upward.",
        "tilt_down": "The camera tilts slowly downward.",
        "zoom_in": "The camera slowly zooms in.",
        "zoom_out": "The camera slowly zooms out.",
    }
)
# MiniMax Hailuo's documented camera commands, written in the prompt in brackets.
HAILUO_COMMANDS = _per_direction(
    {
        "static": "[Static shot]",
        "pan_left": "[Pan left]",
        "pan_right": "[Pan right]",
        "tilt_up": "[Tilt up]",
        "tilt_down": "[Tilt down]",
        "zoom_in": "[Zoom in]",
        "zoom_out": "[Zoom out]",
    }
)


@dataclass(frozen=True)
class Way:
    """One way a model takes (some values of) a control.

    values: the accepted values of a choice control; `span`: (min, max) of a number.
    sends: value -> what goes to the provider (the field's value, or the prompt text);
        without it the value is sent as it is.
    steps: a number mapped in bands: ((below, sent), ...), the last band catching the rest.
    doc: where the provider documents it."""

    via: str
    field: str
    values: tuple[Any, ...] = ()
    span: tuple[float, float] | None = None
    sends: dict[Any, Any] = dataclass_field(default_factory=dict)
    steps: tuple[tuple[float, Any], ...] = ()
    doc: str = ""

    def takes(self, value: Any) -> bool:
        if self.span is not None:
            return self.span[0] <= value <= self.span[1]
        return value in self.values

    def sent(self, value: Any) -> Any:
        if self.steps:
            return next((s for bound, s in self.steps if value < bound), self.steps[-1][1])
        return self.sends.get(value, value)

    @property
    def in_prompt(self) -> bool:
        return self.field == PROMPT_FIELD

    def describe(self) -> dict[str, Any]:
        return {
            "via": self.via,
            "field": self.field,
            "values": list(self.values) if self.span is None else None,
            "range": {"min": self.span[0], "max": self.span[1]} if self.span else None,
            "sends": (
                {str(k): v for k, v in self.sends.items()}
                if self.sends
                else ({f"<{b}": s for b, s in self.steps} if self.steps else None)
            ),
            "doc": self.doc,
        }

    def hint(self) -> str:
        if self.via == Via.PROMPT:
            return "prompt guidance: a camera phrase is appended to your prompt"
        if self.in_prompt:
            example = next(iter(self.sends.values()), None) or (
                self.steps[0][1] if self.steps else ""
            )
            return f"native: the model's own prompt syntax ({example} …) is added to the prompt"
        return f"native: sent as the provider's `{self.field}` field"


Support = tuple[Way, ...]


@dataclass(frozen=True)
class Applied:
    """What the controls of one request turn into for the provider."""

    prompt: str
    fields: dict[str, Any]
    added_text: tuple[str, ...] = ()


@dataclass(frozen=True)
class Controls:
    camera_motion: Support = ()
    motion_strength: Support = ()
    fps: Support = ()

    def ways(self, name: str) -> Support:
        return getattr(self, name)

    def way_for(self, name: str, value: Any) -> Way | None:
        return next((w for w in self.ways(name) if w.takes(value)), None)

    def takes(self, name: str, value: Any = None) -> bool:
        if value is None:
            return bool(self.ways(name))
        return self.way_for(name, value) is not None

    def apply(self, params: dict[str, Any], prompt: str) -> Applied:
        """The provider fields and the prompt for a job's control values (`params`, the
        job's stored fields). Values no way takes were refused at preflight; they are
        left out here rather than sent."""
        fields: dict[str, Any] = {}
        texts: list[str] = []
        for name in CONTROL_NAMES:
            value = params.get(name)
            if value is None or value == "":
                continue
            way = self.way_for(name, value)
            if way is None:
                continue
            if way.in_prompt:
                texts.append(str(way.sent(value)))
            else:
                fields[way.field] = way.sent(value)
        text = " ".join(texts)
        amended = f"{prompt.rstrip()} {text}".strip() if text else prompt
        return Applied(prompt=amended, fields=fields, added_text=tuple(texts))

    def describe(self) -> dict[str, Any]:
        return {name: _describe_support(self.ways(name)) for name in CONTROL_NAMES}


def _describe_support(ways: Support) -> dict[str, Any] | None:
    if not ways:
        return None
    vias = sorted({w.via for w in ways}, key=lambda v: v != Via.NATIVE)
    values: list[Any] = []
    for way in ways:
        values += [v for v in way.values if v not in values]
    ranged = [w.span for w in ways if w.span is not None]
    native = [w.field for w in ways if w.via == Via.NATIVE]
    if len(ways) == 1:
        hint = ways[0].hint()
    else:
        hint = "; ".join(f"{', '.join(map(str, w.values)) or 'any'}: {w.hint()}" for w in ways)
    return {
        "via": "+".join(vias),
        "field": native[0] if native else None,
        "values": values or None,
        "range": {"min": ranged[0][0], "max": ranged[0][1]} if ranged else None,
        "hint": hint,
        "ways": [w.describe() for w in ways],
    }


# --- the ways models use, by name -------------------------------------------------------


def camera_prompt(doc: str) -> Way:
    return Way(Via.PROMPT, PROMPT_FIELD, CAMERA_MOTIONS, sends=CAMERA_PHRASES, doc=doc)


def camera_moves_prompt(doc: str) -> Way:
    return Way(Via.PROMPT, PROMPT_FIELD, MOVES, sends=CAMERA_PHRASES, doc=doc)


SEEDANCE_DOC = (
    "ByteDance Seedance: `camera_fixed` (boolean) locks the camera; other camera "
    "moves are described in the prompt (Seedance prompt guide)."
)
SEEDANCE_CAMERA: Support = (
    Way(Via.NATIVE, "camera_fixed", ("static",), sends={"static": True}, doc=SEEDANCE_DOC),
    camera_moves_prompt(SEEDANCE_DOC),
)
HAILUO_CAMERA: Support = (
    Way(
        Via.NATIVE,
        PROMPT_FIELD,
        CAMERA_MOTIONS,
        sends=HAILUO_COMMANDS,
        doc="MiniMax Hailuo: bracketed camera commands in the prompt, e.g. [Pan left].",
    ),
)
MIDJOURNEY_MOTION: Support = (
    Way(
        Via.NATIVE,
        PROMPT_FIELD,
        span=(0.0, 1.0),
        steps=((0.5, "--motion low"), (1.0, "--motion high")),
        doc="Midjourney video: the --motion low | high parameter (below 0.5 is low).",
    ),
)


def local_controls(fps: tuple[int, int], *, camera: bool) -> Controls:
    """The local engine renders every value itself (apps/media)."""
    doc = "Reelsmith's local engine (apps/media)."
    moves: Support = ()
    if camera:
        moves = (Way(Via.NATIVE, "camera_motion", CAMERA_MOTIONS, doc=doc),)
    return Controls(
        camera_motion=moves,
        motion_strength=(Way(Via.NATIVE, "motion_strength", span=(0.0, 1.0), doc=doc),)
        if camera
        else (),
        fps=(Way(Via.NATIVE, "fps", span=fps, doc=doc),),
    )


def prompt_camera(doc: str) -> Controls:
    return Controls(camera_motion=(camera_prompt(doc),))
