"""ByteDance Seedance, MiniMax Hailuo, Wan speech-to-video and Topaz through fal
(FAL_KEY), priced with spec 003's credit figures."""

from functools import partial

from apps.catalog.registry.controls import HAILUO_CAMERA, SEEDANCE_CAMERA, Controls
from apps.catalog.registry.types import (
    Durations,
    FreePerk,
    Input,
    Method,
    ModelSpec,
    PriceSource,
    PriceUnit,
    Processing,
    PromptUse,
    Quality,
    per_second,
    span,
)

CREDITS = PriceUnit.CREDITS
DERIVED = PriceSource.DERIVED
ASPECTS_003 = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21")
Fal = partial(ModelSpec, provider="fal", source="003")
Seedance = partial(
    Fal,
    vendor="ByteDance",
    durations=Durations(2, 12),
    default_duration=5,
    resolutions=("480p", "720p", "1080p"),
    options=frozenset({"seed", "camera_fixed"}),
    processing=Processing(30, 180),
    controls=Controls(camera_motion=SEEDANCE_CAMERA),
)
SeedanceT2V = partial(
    Seedance,
    methods=(Method.TEXT_TO_VIDEO,),
    aspect_ratios=ASPECTS_003,
    default_aspect_ratio="16:9",
)
SeedanceI2V = partial(
    Seedance,
    methods=(Method.IMAGE_TO_VIDEO,),
    required_inputs=frozenset({Input.IMAGE}),
    optional_inputs=frozenset({Input.END_IMAGE}),
)
Hailuo = partial(
    Fal,
    vendor="MiniMax",
    methods=(Method.IMAGE_TO_VIDEO,),
    durations=Durations.of(6, 10),
    default_duration=6,
    required_inputs=frozenset({Input.IMAGE}),
    options=frozenset({"enable_prompt_expansion"}),
    controls=Controls(camera_motion=HAILUO_CAMERA),
)
SEEDANCE_LITE = per_second(CREDITS, {"*": 3})
# Spec 003: "3-10/sec"; 480p at the low end, 1080p at the high end, 720p in between.
SEEDANCE_PRO = per_second(CREDITS, {"480p": 3, "720p": 7, "1080p": 10}, source=DERIVED)

MODELS = [
    SeedanceT2V(
        id="seedance-lite-t2v",
        name="Seedance Lite",
        provider_model="fal-ai/bytedance/seedance/v1/lite/text-to-video",
        quality=Quality.DRAFT,
        pricing=SEEDANCE_LITE,
        strengths="The cheapest generator; fast drafts.",
        use_cases="Fast drafts, album art animation.",
        default_resolution="720p",
        i2v_sibling="seedance-lite-i2v",
    ),
    SeedanceI2V(
        id="seedance-lite-i2v",
        name="Seedance Lite I2V",
        provider_model="fal-ai/bytedance/seedance/v1/lite/image-to-video",
        quality=Quality.DRAFT,
        # Free for everyone at 480p up to 5 s (spec 003's "FREE at 5s/480p" perk; a
        # shorter clip is not charged more than the free one).
        pricing=per_second(CREDITS, {"*": 3}, free=(FreePerk("480p", 5),)),
        strengths="Animates an image cheaply, optionally towards an end frame.",
        use_cases="Album art animation; free at 480p up to 5 s.",
        default_resolution="480p",
    ),
    SeedanceT2V(
        id="seedance-pro-t2v",
        name="Seedance Pro",
        provider_model="fal-ai/bytedance/seedance/v1/pro/text-to-video",
        quality=Quality.STANDARD,
        pricing=SEEDANCE_PRO,
        strengths="Higher quality Seedance.",
        use_cases="Social content, short ads.",
        default_resolution="1080p",
        i2v_sibling="seedance-pro-i2v",
    ),
    SeedanceI2V(
        id="seedance-pro-i2v",
        name="Seedance Pro I2V",
        provider_model="fal-ai/bytedance/seedance/v1/pro/image-to-video",
        quality=Quality.STANDARD,
        pricing=SEEDANCE_PRO,
        strengths="Higher quality image animation, optional end frame.",
        use_cases="Product spins, portrait animation.",
        default_resolution="1080p",
    ),
    Hailuo(
        id="hailuo-2.0-standard",
        name="Hailuo 2.0 Std",
        provider_model="fal-ai/minimax/hailuo-02/standard/image-to-video",
        quality=Quality.STANDARD,
        # "3-7/sec": 512p at the low end, 768p at the high end.
        pricing=per_second(CREDITS, {"512p": 3, "768p": 7}, source=DERIVED),
        processing=Processing(60, 300),
        strengths="MiniMax's standard model, good physics.",
        use_cases="Everyday image animation.",
        resolutions=("512p", "768p"),
        default_resolution="768p",
    ),
    Hailuo(
        id="hailuo-2.0-pro",
        name="Hailuo 2.0 Pro",
        provider_model="fal-ai/minimax/hailuo-02/pro/image-to-video",
        quality=Quality.PREMIUM,
        pricing=per_second(CREDITS, {"*": 14}),
        processing=Processing(90, 420),
        strengths="MiniMax pro, 1080p.",
        use_cases="HD image animation.",
        resolutions=("1080p",),
        default_resolution="1080p",
    ),
    Hailuo(
        id="hailuo-2.3-standard",
        name="Hailuo 2.3 Std",
        provider_model="fal-ai/minimax/hailuo-2.3/standard/image-to-video",
        quality=Quality.PREMIUM,
        # 42 credits for 6 s up to 70 for 10 s.
        pricing=span({"*": (42, 70)}),
        processing=Processing(90, 420),
        strengths="Latest MiniMax, expressive motion.",
        use_cases="Character animation, stylised scenes.",
        resolutions=("768p",),
        default_resolution="768p",
    ),
    Hailuo(
        id="hailuo-2.3-pro",
        name="Hailuo 2.3 Pro",
        provider_model="fal-ai/minimax/hailuo-2.3/pro/image-to-video",
        quality=Quality.PREMIUM,
        pricing=span({"*": (63, 126)}),
        processing=Processing(120, 480),
        strengths="The highest MiniMax quality, 1080p.",
        use_cases="Premium character animation.",
        resolutions=("1080p",),
        default_resolution="1080p",
    ),
    Fal(
        id="wan-speech-to-video",
        name="Wan Speech",
        provider_model="fal-ai/wan/v2.2-14b/speech-to-video",
        vendor="Alibaba",
        methods=(Method.LIP_SYNC,),
        quality=Quality.STANDARD,
        # "17-34/sec": 480p at the low end, 720p at the high end.
        pricing=per_second(CREDITS, {"480p": 17, "720p": 34}, source=DERIVED),
        processing=Processing(120, 900),
        strengths="Long lip sync, up to a minute.",
        use_cases="Long talking-head videos, songs.",
        durations=Durations(5, 60),
        resolutions=("480p", "720p"),
        default_resolution="480p",
        prompt=PromptUse.OPTIONAL,
        required_inputs=frozenset({Input.IMAGE, Input.AUDIO}),
        duration_from=Input.AUDIO,
    ),
    Fal(
        id="topaz-video-upscale",
        name="Topaz Upscale",
        provider_model="fal-ai/topaz/upscale/video",
        vendor="Topaz Labs",
        methods=(Method.UPSCALE,),
        quality=Quality.PREMIUM,
        pricing=per_second(CREDITS, {"*": 12}),
        processing=Processing(5, 30, per_output_second=True),
        strengths="AI video upscaling with detail recovery.",
        use_cases="Restoring and upscaling footage.",
        resolutions=("1080p", "2160p"),
        default_resolution="2160p",
        prompt=PromptUse.NONE,
        required_inputs=frozenset({Input.VIDEO}),
        duration_from=Input.VIDEO,
    ),
]
