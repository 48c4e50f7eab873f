"""The shapes of the catalogue. A model is plain, frozen data reviewed like code; the
database only holds admin overrides on top of it (see models.ModelOverride)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models

from apps.catalog.registry.controls import Controls


class Method(models.TextChoices):
    TEXT_TO_VIDEO = "text-to-video", "Text to video"
    IMAGE_TO_VIDEO = "image-to-video", "Image to video"
    EXTEND_VIDEO = "extend-video", "Extend video"
    UPSCALE = "upscale", "Upscale / enhance"
    LIP_SYNC = "lip-sync", "Lip sync / avatar"
    STORYBOARD = "storyboard", "Multi-shot storyboard"
    MOTION_CONTROL = "motion-control", "Motion control"
    REMOVE_BACKGROUND = "remove-background", "Remove background"
    EDIT = "edit", "Edit (trim, crop, speed, mute)"
    TRANSFORM = "transform", "Transform (convert format)"
    OPTIMIZE = "optimize", "Optimize (compress)"


class Quality(models.TextChoices):
    DRAFT = "draft", "Draft"
    STANDARD = "standard", "Standard"
    PREMIUM = "premium", "Premium"


QUALITY_RANK = {Quality.DRAFT: 0, Quality.STANDARD: 1, Quality.PREMIUM: 2}


class Input(models.TextChoices):
    IMAGE = "image", "Image (first frame / face)"
    END_IMAGE = "end_image", "End image (last frame)"
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"


class PromptUse(models.TextChoices):
    REQUIRED = "required"
    OPTIONAL = "optional"
    NONE = "none"


class PriceUnit(models.TextChoices):
    USD = "usd", "US dollars (provider cost, converted to credits)"
    CREDITS = "credits", "Credits (list price, used as is)"


class PriceSource(models.TextChoices):
    SPEC = "spec", "Stated in the product spec"
    DERIVED = "derived", "Read from a range the spec states"
    REELSMITH = "reelsmith", "Reelsmith's own list price (the spec gives none)"


ANY = "*"  # a rate that applies to every resolution


@dataclass(frozen=True)
class Durations:
    """Allowed durations in whole seconds: a closed range, or an explicit set."""

    min: int
    max: int
    choices: tuple[int, ...] = ()

    @classmethod
    def of(cls, *choices: int) -> Durations:
        return cls(min=min(choices), max=max(choices), choices=tuple(sorted(choices)))

    def allows(self, seconds: int) -> bool:
        if self.choices:
            return seconds in self.choices
        return self.min <= seconds <= self.max

    def describe(self) -> dict[str, object]:
        if self.choices:
            return {"choices": list(self.choices)}
        return {"min": self.min, "max": self.max}

    def text(self) -> str:
        if self.choices:
            return " or ".join(f"{c} s" for c in self.choices)
        return f"{self.min}-{self.max} s" if self.min != self.max else f"{self.min} s"


@dataclass(frozen=True)
class FpsRange:
    min: int
    max: int

    def describe(self) -> dict[str, int]:
        return {"min": self.min, "max": self.max}


@dataclass(frozen=True)
class Limits:
    """What a model accepts as input files (checked against probed properties)."""

    image_min_px: int | None = None
    image_max_px: int | None = 4096
    image_formats: tuple[str, ...] = ("jpeg", "png", "webp")
    audio_max_bytes: int | None = None
    audio_min_s: float | None = None
    audio_max_s: float | None = None
    audio_formats: tuple[str, ...] = ("mp3", "wav", "m4a")
    video_min_s: float | None = None
    video_max_s: float | None = None
    video_formats: tuple[str, ...] = ("mp4", "mov", "webm", "avi")

    def describe(self) -> dict[str, object]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class FreePerk:
    """A combination priced 0: at `resolution`, up to `max_duration` seconds."""

    resolution: str
    max_duration: int


@dataclass(frozen=True)
class Pricing:
    """How a run is priced.

    kind = "per_second": `rates[res]` buys `per` seconds of output. With `blocks` the
        billed time is rounded up to whole `per`-second blocks (FlashVSR bills per 5 s).
    kind = "per_run": `rates[res]` per run, whatever the duration.
    kind = "span": the spec states a total from X (shortest duration) to Y (longest);
        `span[res]` = (X, Y) and the price is linear in between.
    `audio_multiplier` applies when audio is generated (Seedance 1.5 Pro, Kling 2.6).
    """

    kind: str
    unit: str
    rates: dict[str, Decimal] = field(default_factory=dict)
    span: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    per: int = 1
    blocks: bool = False
    audio_multiplier: Decimal = Decimal(1)
    free: tuple[FreePerk, ...] = ()
    source: str = PriceSource.SPEC

    def rate_for(self, resolution: str | None) -> Decimal | tuple[Decimal, Decimal]:
        table: dict = self.span if self.kind == "span" else self.rates
        if resolution in table:
            return table[resolution]
        return table[ANY]

    def amount(
        self, *, seconds: int, resolution: str | None, durations: Durations | None
    ) -> Decimal:
        """The price in `unit` before audio, margin, overrides and discounts."""
        if self.kind == "per_run":
            return Decimal(self.rate_for(resolution))  # type: ignore[arg-type]
        if self.kind == "per_second":
            rate = Decimal(self.rate_for(resolution))  # type: ignore[arg-type]
            if self.blocks:
                return rate * math.ceil(seconds / self.per)
            return rate * seconds / self.per
        low, high = self.rate_for(resolution)  # type: ignore[misc]
        if durations is None or durations.max == durations.min:
            return Decimal(low)
        clamped = min(max(seconds, durations.min), durations.max)
        fraction = Decimal(clamped - durations.min) / Decimal(durations.max - durations.min)
        return Decimal(low) + (Decimal(high) - Decimal(low)) * fraction

    def is_free(self, *, seconds: int, resolution: str | None) -> bool:
        return any(p.resolution == resolution and seconds <= p.max_duration for p in self.free)


def per_second(
    unit: str,
    rates: dict[str, str | int],
    *,
    per: int = 1,
    blocks: bool = False,
    audio_multiplier: int = 1,
    free: tuple[FreePerk, ...] = (),
    source: str = PriceSource.SPEC,
) -> Pricing:
    return Pricing(
        kind="per_second",
        unit=unit,
        rates={k: Decimal(str(v)) for k, v in rates.items()},
        per=per,
        blocks=blocks,
        audio_multiplier=Decimal(audio_multiplier),
        free=free,
        source=source,
    )


def per_run(unit: str, rates: dict[str, str | int], *, source: str = PriceSource.SPEC) -> Pricing:
    return Pricing(
        kind="per_run",
        unit=unit,
        rates={k: Decimal(str(v)) for k, v in rates.items()},
        source=source,
    )


def span(
    ranges: dict[str, tuple[int, int]],
    *,
    audio_multiplier: int = 1,
    source: str = PriceSource.SPEC,
) -> Pricing:
    return Pricing(
        kind="span",
        unit=PriceUnit.CREDITS,
        span={k: (Decimal(lo), Decimal(hi)) for k, (lo, hi) in ranges.items()},
        audio_multiplier=Decimal(audio_multiplier),
        source=source,
    )


@dataclass(frozen=True)
class Processing:
    """Wall-clock time a run takes, in seconds. With `per_output_second` the range is per
    second of video (FlashVSR: 3-20 s of work per second of footage).

    `work` (local models only): the model's cost per output megapixel-frame relative to
    the text animatic (1.0), measured with bench/local_rate.py. With it, the expected time
    follows the job's frames x pixels (apps/catalog/timing.py) and the range is only the
    typical figure shown in the catalogue."""

    min_s: int
    max_s: int
    per_output_second: bool = False
    work: float | None = None

    def estimate(self, seconds: int | None) -> int:
        mid = (self.min_s + self.max_s) / 2
        if self.per_output_second:
            mid *= max(seconds or 1, 1)
        return math.ceil(mid)


@dataclass(frozen=True)
class ModelSpec:
    id: str
    name: str
    provider: str
    provider_model: str
    vendor: str
    methods: tuple[str, ...]
    quality: str
    pricing: Pricing
    processing: Processing
    source: str  # which spec file(s) the figures come from, e.g. "001"
    strengths: str
    use_cases: str
    limitations: str = ""
    durations: Durations | None = None  # None: the output is as long as the input
    default_duration: int | None = None
    resolutions: tuple[str, ...] = ()  # empty: the output keeps the input's resolution
    default_resolution: str | None = None
    aspect_ratios: tuple[str, ...] = ()  # empty: the output keeps the input's shape
    default_aspect_ratio: str | None = None
    fps: FpsRange | None = None  # None: set by the provider, not adjustable
    default_fps: int | None = None
    prompt: str = PromptUse.REQUIRED
    required_inputs: frozenset[str] = frozenset()
    optional_inputs: frozenset[str] = frozenset()
    options: frozenset[str] = frozenset()
    limits: Limits = Limits()
    default_with_audio: bool = False
    native_audio: bool = False  # the output always has sound (Veo 3)
    duration_from: str | None = None  # "video" / "audio": billed on that input's length
    i2v_sibling: str | None = None
    aliases: tuple[str, ...] = ()
    storyboard: bool = False
    option_defaults: tuple[tuple[str, object], ...] = ()
    # The model does nothing unless an option or an aspect ratio asks for a change.
    needs_a_change: bool = False
    # How it takes camera_motion / motion_strength / fps (registry/controls.py); none by
    # default: a model takes a control only where its provider documents a way.
    controls: Controls = field(default_factory=Controls)

    @property
    def is_local(self) -> bool:
        return self.provider == "local"

    def accepts(self, name: str) -> bool:
        return name in self.required_inputs or name in self.optional_inputs
