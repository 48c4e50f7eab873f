"""Spec 004's line-up: Runway Gen-4 (called on Runway's own API, RUNWAYML_API_SECRET) and
the models spec 004 serves through Runware (RUNWARE_API_KEY). Spec 004 states no prices:
these are Reelsmith's list prices in provider USD, marked as such."""

from functools import partial

from apps.catalog.registry.controls import prompt_camera
from apps.catalog.registry.types import (
    Durations,
    Method,
    ModelSpec,
    PriceSource,
    PriceUnit,
    Processing,
    Quality,
    per_second,
)

USD = PriceUnit.USD
OURS = PriceSource.REELSMITH
Text = partial(
    ModelSpec,
    methods=(Method.TEXT_TO_VIDEO,),
    source="004",
    aspect_ratios=("16:9", "9:16", "1:1"),
    default_aspect_ratio="16:9",
    default_duration=5,
    options=frozenset({"seed"}),
)
Runware = partial(Text, provider="runware")

MODELS = [
    Text(
        id="runway-gen-4",
        name="Runway Gen-4",
        provider="runway",
        provider_model="gen4_turbo",
        vendor="Runway",
        quality=Quality.PREMIUM,
        pricing=per_second(USD, {"*": "0.05"}, source=OURS),
        processing=Processing(60, 300),
        strengths="High quality, photorealistic.",
        use_cases="Photorealistic scenes, longer shots (up to 30 s).",
        durations=Durations(1, 30),
        resolutions=("720p", "1080p"),
        default_resolution="720p",
        controls=prompt_camera("Runway Gen-4 prompting guide: camera motion in the prompt."),
    ),
    Runware(
        id="kling-2.0",
        name="Kling 2.0",
        provider_model="klingai:5@3",
        vendor="Kuaishou",
        quality=Quality.STANDARD,
        pricing=per_second(USD, {"*": "0.10"}, source=OURS),
        processing=Processing(60, 240),
        strengths="Fast, detailed.",
        controls=prompt_camera("Kling prompt guide: camera language in the prompt."),
        use_cases="Quick turnaround clips.",
        durations=Durations(1, 10),
        resolutions=("720p", "1080p"),
        default_resolution="720p",
    ),
    Runware(
        id="pika-1.0",
        name="Pika 1.0",
        provider_model="pika:1@0",
        vendor="Pika",
        quality=Quality.STANDARD,
        pricing=per_second(USD, {"*": "0.04"}, source=OURS),
        processing=Processing(30, 180),
        strengths="Smooth animation and movement.",
        use_cases="Animated social clips.",
        durations=Durations(1, 10),
        resolutions=("576p", "720p", "1080p"),
        default_resolution="720p",
    ),
    Runware(
        id="hailuo-mini",
        name="Hailuo Mini",
        provider_model="minimax:1@1",
        vendor="MiniMax",
        quality=Quality.DRAFT,
        pricing=per_second(USD, {"*": "0.03"}, source=OURS),
        processing=Processing(30, 120),
        strengths="Cost-effective.",
        use_cases="Drafts and volume work.",
        durations=Durations(1, 10),
        resolutions=("576p", "720p"),
        default_resolution="720p",
    ),
    Runware(
        id="leonardo-ultra",
        name="Leonardo Ultra",
        provider_model="leonardo:ultra",
        vendor="Leonardo.Ai",
        quality=Quality.PREMIUM,
        pricing=per_second(USD, {"*": "0.12"}, source=OURS),
        processing=Processing(60, 300),
        strengths="Premium quality, the most detailed.",
        use_cases="Premium content, detailed scenes.",
        durations=Durations(1, 15),
        resolutions=("720p", "1080p"),
        default_resolution="1080p",
    ),
]
