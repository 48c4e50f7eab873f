"""Lightricks LTX-2, served through WaveSpeed AI (WAVESPEED_API_KEY)."""

from functools import partial

from apps.catalog.registry.controls import Controls, Via, Way, camera_prompt
from apps.catalog.registry.types import (
    Durations,
    Input,
    Method,
    ModelSpec,
    PriceSource,
    PriceUnit,
    Processing,
    Quality,
    per_second,
)

USD = PriceUnit.USD
LTX = partial(ModelSpec, provider="wavespeed", vendor="Lightricks")
# LTX-2's API takes `fps` (25 or 50); its prompting guide puts camera movement in words.
LTX_CONTROLS = Controls(
    camera_motion=(camera_prompt("Lightricks LTX-2 prompting guide: camera movement."),),
    fps=(Way(Via.NATIVE, "fps", (25, 50), doc="LTX-2 API: fps 25 or 50."),),
)

MODELS = [
    LTX(
        id="lightricks/ltx-2-pro/text-to-video",
        name="LTX-2 Pro",
        provider_model="lightricks/ltx-2-pro/text-to-video",
        methods=(Method.TEXT_TO_VIDEO,),
        quality=Quality.PREMIUM,
        # "$0.05-0.10/second" over 720p and 1080p.
        pricing=per_second(USD, {"720p": "0.05", "1080p": "0.10"}, source=PriceSource.DERIVED),
        processing=Processing(60, 180),
        source="000",
        strengths="Higher quality, better motion consistency.",
        use_cases="Professional content, marketing videos, commercials.",
        durations=Durations(5, 10),
        default_duration=5,
        resolutions=("720p", "1080p"),
        default_resolution="1080p",
        aspect_ratios=("16:9", "9:16"),
        default_aspect_ratio="16:9",
        options=frozenset({"seed", "with_audio"}),
        controls=LTX_CONTROLS,
    ),
    LTX(
        id="lightricks/ltx-2-fast/text-to-video",
        name="LTX-2 Fast",
        provider_model="lightricks/ltx-2-fast/text-to-video",
        methods=(Method.TEXT_TO_VIDEO,),
        quality=Quality.DRAFT,
        # "$0.01-0.02/second" over 480p and 720p.
        pricing=per_second(USD, {"480p": "0.01", "720p": "0.02"}, source=PriceSource.DERIVED),
        processing=Processing(15, 45),
        source="000, 001",
        strengths="Fast generation, cost-effective iteration.",
        use_cases="Drafts, testing, quick concepts.",
        limitations="5-second clips only.",
        durations=Durations.of(5),
        default_duration=5,
        resolutions=("480p", "720p"),
        default_resolution="480p",
        aspect_ratios=("16:9", "9:16"),
        default_aspect_ratio="16:9",
        options=frozenset({"seed"}),
        controls=LTX_CONTROLS,
    ),
    LTX(
        id="lightricks/ltx-2-retake",
        name="LTX-2 Retake",
        provider_model="lightricks/ltx-2-retake",
        methods=(Method.EDIT,),
        quality=Quality.PREMIUM,
        # The spec has no figure ("likely similar to LTX-2 Pro"): LTX-2 Pro's rates.
        pricing=per_second(USD, {"720p": "0.05", "1080p": "0.10"}, source=PriceSource.REELSMITH),
        processing=Processing(60, 180),
        source="001",
        strengths="Regenerates a stretch of a clip (2-16 s) from a new prompt, keeping the "
        "footage around it, its timing and continuity.",
        use_cases="Fixing a bad take, variations of a moment, new dialogue or sound.",
        limitations="The stretch must lie inside the source video; the output is the whole "
        "source with that stretch regenerated.",
        # `duration` is the length of the regenerated stretch: what the provider bills.
        durations=Durations(2, 16),
        default_duration=5,
        resolutions=("720p", "1080p"),
        default_resolution="1080p",
        required_inputs=frozenset({Input.VIDEO}),
        # start_time: where the stretch starts (s); retake_mode: replace_audio_and_video
        # (the provider's default), replace_video or replace_audio.
        options=frozenset({"seed", "start_time", "retake_mode"}),
        option_defaults=(("start_time", 0),),
    ),
]
