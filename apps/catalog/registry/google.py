"""Google Veo through the Gemini API (GEMINI_API_KEY). Prices are spec 003's fixed
credit figures; Veo always generates sound."""

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
    per_run,
)

CREDITS = PriceUnit.CREDITS
Veo = partial(
    ModelSpec,
    provider="google",
    vendor="Google DeepMind",
    methods=(Method.TEXT_TO_VIDEO, Method.IMAGE_TO_VIDEO),
    prompt=PromptUse.REQUIRED,
    resolutions=("720p", "1080p"),
    default_resolution="720p",
    aspect_ratios=("16:9", "9:16"),
    default_aspect_ratio="16:9",
    optional_inputs=frozenset({Input.IMAGE}),
    options=frozenset({"negative_prompt", "seed"}),
    native_audio=True,
    default_with_audio=True,
    source="003",
    # The Gemini API has no camera field; Google's Veo prompt guide steers the camera in
    # words (pan, tilt, dolly, zoom, static shot).
    controls=prompt_camera("Google's Veo prompt guide: camera motion is written in the prompt."),
)

MODELS = [
    Veo(
        id="veo3-fast",
        name="VEO 3 Fast",
        provider_model="veo-3.0-fast-generate-001",
        quality=Quality.STANDARD,
        pricing=per_run(CREDITS, {"*": 84}),
        processing=Processing(40, 120),
        strengths="Google DeepMind video with native sound, quickly.",
        use_cases="Social clips with dialogue or ambience.",
        durations=Durations.of(8),
        default_duration=8,
    ),
    Veo(
        id="veo3-quality",
        name="VEO 3 Quality",
        provider_model="veo-3.0-generate-001",
        quality=Quality.PREMIUM,
        pricing=per_run(CREDITS, {"*": 560}),
        processing=Processing(90, 300),
        strengths="Highest quality, native sound.",
        use_cases="Hero shots, commercials.",
        durations=Durations.of(8),
        default_duration=8,
    ),
    Veo(
        id="veo3.1-fast",
        name="VEO 3.1 Fast",
        provider_model="veo-3.1-fast-generate-preview",
        quality=Quality.STANDARD,
        pricing=per_run(CREDITS, {"*": 84}),
        processing=Processing(40, 120),
        strengths="Latest Veo, fast, native sound.",
        use_cases="Quick high-quality clips.",
        durations=Durations.of(4, 6, 8),
        default_duration=8,
    ),
    Veo(
        id="veo3.1-quality",
        name="VEO 3.1 Quality",
        provider_model="veo-3.1-generate-preview",
        quality=Quality.PREMIUM,
        pricing=per_run(CREDITS, {"*": 350}),
        processing=Processing(90, 300),
        strengths="Latest Veo at its best quality, native sound.",
        use_cases="Premium productions.",
        durations=Durations.of(4, 6, 8),
        default_duration=8,
        # Spec 001 lists Veo 3.1 by its WaveSpeed path.
        aliases=("google/veo3.1/text-to-video",),
    ),
]
