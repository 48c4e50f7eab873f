"""Kuaishou Kling through fal (FAL_KEY), priced with spec 003's credit figures. Kling
takes a negative prompt and a CFG scale; its generated clips are 5 or 10 seconds."""

from functools import partial

from apps.catalog.registry.controls import prompt_camera
from apps.catalog.registry.types import (
    Durations,
    Input,
    Limits,
    Method,
    ModelSpec,
    PriceUnit,
    Processing,
    PromptUse,
    Quality,
    per_second,
    span,
)

CREDITS = PriceUnit.CREDITS
KLING_OPTIONS = frozenset({"negative_prompt", "cfg_scale", "seed"})
Kling = partial(ModelSpec, provider="fal", vendor="Kuaishou", source="003")
# fal's Kling 2.x endpoints take no camera field (`camera_control` is Kling v1 only);
# Kling's prompt guide directs the camera in words.
KLING_CAMERA = prompt_camera("Kling prompt guide: camera language in the prompt.")
Generate = partial(
    Kling,
    durations=Durations.of(5, 10),
    default_duration=5,
    options=KLING_OPTIONS,
    controls=KLING_CAMERA,
)
T2V = partial(
    Generate,
    methods=(Method.TEXT_TO_VIDEO,),
    aspect_ratios=("16:9", "9:16", "1:1"),
    default_aspect_ratio="16:9",
)
I2V = partial(
    Generate,
    methods=(Method.IMAGE_TO_VIDEO,),
    required_inputs=frozenset({Input.IMAGE}),
    optional_inputs=frozenset({Input.END_IMAGE}),
)
Motion = partial(
    Kling,
    methods=(Method.MOTION_CONTROL,),
    processing=Processing(120, 600),
    durations=Durations(3, 30),
    prompt=PromptUse.OPTIONAL,
    required_inputs=frozenset({Input.IMAGE, Input.VIDEO}),
    limits=Limits(video_min_s=3, video_max_s=30),
    duration_from=Input.VIDEO,
)
Avatar = partial(
    Kling,
    methods=(Method.LIP_SYNC,),
    processing=Processing(90, 480),
    durations=Durations(5, 15),
    prompt=PromptUse.OPTIONAL,
    required_inputs=frozenset({Input.IMAGE, Input.AUDIO}),
    duration_from=Input.AUDIO,
)

MODELS = [
    I2V(
        id="kling-2.1-standard",
        name="Kling 2.1 Standard",
        provider_model="fal-ai/kling-video/v2.1/standard/image-to-video",
        quality=Quality.STANDARD,
        pricing=per_second(CREDITS, {"*": 7}),
        processing=Processing(60, 240),
        strengths="Good quality image animation at a budget price.",
        use_cases="Animating product shots and portraits.",
        resolutions=("720p",),
        default_resolution="720p",
    ),
    I2V(
        id="kling-2.1-pro",
        name="Kling 2.1 Pro",
        provider_model="fal-ai/kling-video/v2.1/pro/image-to-video",
        quality=Quality.PREMIUM,
        pricing=per_second(CREDITS, {"*": 14}),
        processing=Processing(90, 360),
        strengths="High quality 1080p image animation.",
        use_cases="Marketing visuals, detailed motion.",
        resolutions=("1080p",),
        default_resolution="1080p",
    ),
    T2V(
        id="kling-2.1-master-t2v",
        name="Kling 2.1 Master",
        provider_model="fal-ai/kling-video/v2.1/master/text-to-video",
        quality=Quality.PREMIUM,
        pricing=per_second(CREDITS, {"*": 32}),
        processing=Processing(120, 480),
        strengths="Kling's best motion and prompt adherence.",
        use_cases="Hero shots, complex action.",
        resolutions=("1080p",),
        default_resolution="1080p",
        i2v_sibling="kling-2.1-master-i2v",
    ),
    I2V(
        id="kling-2.1-master-i2v",
        name="Kling 2.1 Master I2V",
        provider_model="fal-ai/kling-video/v2.1/master/image-to-video",
        quality=Quality.PREMIUM,
        pricing=per_second(CREDITS, {"*": 32}),
        processing=Processing(120, 480),
        strengths="Kling's best motion from a first frame.",
        use_cases="Hero shots from key art.",
        resolutions=("1080p",),
        default_resolution="1080p",
    ),
    T2V(
        id="kling-2.6-t2v",
        name="Kling 2.6",
        provider_model="fal-ai/kling-video/v2.6/pro/text-to-video",
        quality=Quality.PREMIUM,
        # 77 credits for 5 s and 154 for 10 s; native audio doubles it (up to 308).
        pricing=span({"*": (77, 154)}, audio_multiplier=2),
        processing=Processing(120, 480),
        strengths="Top Kling, with an optional native audio track.",
        use_cases="Premium clips with sound effects.",
        resolutions=("1080p",),
        default_resolution="1080p",
        options=KLING_OPTIONS | {"with_audio"},
        i2v_sibling="kling-2.6-i2v",
    ),
    I2V(
        id="kling-2.6-i2v",
        name="Kling 2.6 I2V",
        provider_model="fal-ai/kling-video/v2.6/pro/image-to-video",
        quality=Quality.PREMIUM,
        pricing=span({"*": (77, 154)}, audio_multiplier=2),
        processing=Processing(120, 480),
        strengths="Top Kling image animation, optional native audio.",
        use_cases="Premium animated stills with sound.",
        resolutions=("1080p",),
        default_resolution="1080p",
        options=KLING_OPTIONS | {"with_audio"},
    ),
    Motion(
        id="kling-3.0-motion-720p",
        name="Kling 3.0 Motion",
        provider_model="fal-ai/kling-video/v3/standard/motion-control",
        quality=Quality.STANDARD,
        pricing=per_second(CREDITS, {"*": 17}),
        strengths="Moves your character the way a reference video moves.",
        use_cases="Dance and gesture transfer.",
        resolutions=("720p",),
        default_resolution="720p",
    ),
    Motion(
        id="kling-3.0-motion-1080p",
        name="Kling 3.0 Motion Pro",
        provider_model="fal-ai/kling-video/v3/pro/motion-control",
        quality=Quality.PREMIUM,
        pricing=per_second(CREDITS, {"*": 28}),
        strengths="Motion transfer in 1080p.",
        use_cases="Dance and gesture transfer for HD delivery.",
        resolutions=("1080p",),
        default_resolution="1080p",
    ),
    Avatar(
        id="kling-avatar-standard",
        name="Kling Avatar",
        provider_model="fal-ai/kling-video/v1/standard/ai-avatar",
        quality=Quality.STANDARD,
        pricing=per_second(CREDITS, {"*": 12}),
        strengths="Kling lip sync from a face and a voice track.",
        use_cases="Talking presenters, characters.",
        resolutions=("720p",),
        default_resolution="720p",
    ),
    Avatar(
        id="kling-avatar-pro",
        name="Kling Avatar Pro",
        provider_model="fal-ai/kling-video/v1/pro/ai-avatar",
        quality=Quality.PREMIUM,
        pricing=per_second(CREDITS, {"*": 23}),
        strengths="Kling lip sync in HD.",
        use_cases="Talking presenters for HD delivery.",
        resolutions=("1080p",),
        default_resolution="1080p",
    ),
]
