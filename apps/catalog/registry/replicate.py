"""xAI Grok Imagine and Midjourney video through Replicate (REPLICATE_API_TOKEN), priced
with spec 003's credit figures. Which host serves these is a routing choice (spec 003 does
not say); the providers app may move them without changing ids or prices."""

from functools import partial

from apps.catalog.registry.controls import MIDJOURNEY_MOTION, Controls
from apps.catalog.registry.types import (
    Durations,
    Input,
    Method,
    ModelSpec,
    PriceUnit,
    Processing,
    PromptUse,
    Quality,
    per_run,
    span,
)

CREDITS = PriceUnit.CREDITS
Replicate = partial(ModelSpec, provider="replicate", source="003")
Grok = partial(
    Replicate,
    vendor="xAI",
    quality=Quality.STANDARD,
    # 14 credits for 6 s up to 56 for 15 s, linear in between.
    pricing=span({"*": (14, 56)}),
    processing=Processing(30, 180),
    durations=Durations(6, 15),
    default_duration=6,
    resolutions=("480p", "720p"),
    default_resolution="720p",
    options=frozenset({"mode", "seed"}),
    native_audio=True,
    default_with_audio=True,
)

MODELS = [
    Grok(
        id="grok-imagine-t2v",
        name="Grok T2V",
        provider_model="xai/grok-imagine-video",
        methods=(Method.TEXT_TO_VIDEO,),
        strengths="Creative, fun, stylised; fun / normal / spicy modes.",
        use_cases="Memes, stylised shorts.",
        aspect_ratios=("16:9", "9:16", "1:1"),
        default_aspect_ratio="16:9",
        i2v_sibling="grok-imagine-i2v",
    ),
    Grok(
        id="grok-imagine-i2v",
        name="Grok I2V",
        provider_model="xai/grok-imagine-video",
        methods=(Method.IMAGE_TO_VIDEO,),
        strengths="Stylised image animation.",
        use_cases="Animating memes and illustrations.",
        required_inputs=frozenset({Input.IMAGE}),
    ),
    Replicate(
        id="grok-upscale",
        name="Grok Upscale",
        provider_model="xai/grok-imagine-video-upscale",
        vendor="xAI",
        methods=(Method.UPSCALE,),
        quality=Quality.STANDARD,
        pricing=per_run(CREDITS, {"*": 14}),
        processing=Processing(30, 180),
        strengths="Flat-price upscale of an existing video.",
        use_cases="Sharpen a Grok clip for sharing.",
        prompt=PromptUse.NONE,
        required_inputs=frozenset({Input.VIDEO}),
        duration_from=Input.VIDEO,
    ),
    Replicate(
        id="midjourney-i2v",
        name="Midjourney I2V",
        provider_model="midjourney/video",
        vendor="Midjourney",
        methods=(Method.IMAGE_TO_VIDEO,),
        quality=Quality.STANDARD,
        pricing=per_run(CREDITS, {"*": 40}),
        processing=Processing(60, 300),
        strengths="Four video variations of one image in Midjourney's look.",
        use_cases="Exploring motion ideas for key art.",
        limitations="Midjourney has no official API; availability depends on the host.",
        durations=Durations.of(5),
        default_duration=5,
        prompt=PromptUse.OPTIONAL,
        required_inputs=frozenset({Input.IMAGE}),
        controls=Controls(motion_strength=MIDJOURNEY_MOTION),
    ),
]
