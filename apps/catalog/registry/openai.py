"""OpenAI Sora 2 (OPENAI_API_KEY), priced with spec 003's credit figures."""

from functools import partial

from apps.catalog.registry.controls import prompt_camera
from apps.catalog.registry.types import (
    Durations,
    Input,
    Method,
    ModelSpec,
    PriceUnit,
    Processing,
    PromptUse,
    Quality,
    span,
)

Sora = partial(
    ModelSpec,
    provider="openai",
    vendor="OpenAI",
    aspect_ratios=("16:9", "9:16"),
    default_aspect_ratio="16:9",
    resolutions=("720p",),
    default_resolution="720p",
    native_audio=True,
    default_with_audio=True,
    source="003",
)
# /v1/videos has no camera field; OpenAI's Sora 2 prompting guide directs the camera in
# the prompt.
SORA_CAMERA = prompt_camera("OpenAI's Sora 2 prompting guide: describe the camera move.")
_ = PriceUnit  # prices below are credits (span() is always credits)

MODELS = [
    Sora(
        id="sora-2-standard-t2v",
        name="SORA 2 Standard",
        provider_model="sora-2",
        methods=(Method.TEXT_TO_VIDEO,),
        quality=Quality.PREMIUM,
        pricing=span({"*": (42, 63)}),
        processing=Processing(60, 300),
        strengths="OpenAI quality with synchronised sound.",
        use_cases="Cinematic shots, dialogue scenes.",
        durations=Durations.of(10, 15),
        default_duration=10,
        controls=SORA_CAMERA,
        i2v_sibling="sora-2-standard-i2v",
        # OpenAI's own model names (the /v1/videos front): an image switches to the I2V.
        aliases=("sora-2", "sora-2-2025-10-06", "sora-2-2025-12-08"),
    ),
    Sora(
        id="sora-2-standard-i2v",
        name="SORA 2 Standard I2V",
        provider_model="sora-2",
        methods=(Method.IMAGE_TO_VIDEO,),
        quality=Quality.PREMIUM,
        pricing=span({"*": (42, 63)}),
        processing=Processing(60, 300),
        strengths="OpenAI quality from a first frame.",
        use_cases="Bringing a still to life with sound.",
        durations=Durations.of(10, 15),
        default_duration=10,
        required_inputs=frozenset({Input.IMAGE}),
        controls=SORA_CAMERA,
    ),
    Sora(
        id="sora-2-pro-storyboard",
        name="SORA 2 Pro Storyboard",
        provider_model="sora-2-pro",
        methods=(Method.STORYBOARD,),
        quality=Quality.PREMIUM,
        pricing=span({"*": (210, 378)}),
        processing=Processing(180, 900),
        strengths="Multi-scene videos from a list of shots.",
        use_cases="Short stories, ads with several scenes.",
        limitations="Takes `storyboard` scenes instead of one prompt; 10-25 s in total.",
        durations=Durations(10, 25),
        default_duration=10,
        prompt=PromptUse.NONE,
        storyboard=True,
        aliases=("sora-2-pro", "sora-2-pro-2025-10-06"),
    ),
]
