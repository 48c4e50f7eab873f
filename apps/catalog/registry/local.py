"""The built-in local engine (apps/media on PyAV): always available, no provider key.

Every local operation is free (0 credits) by default: it runs on our own workers, previews
and conversions should never be the reason someone runs out of credits, and the tier's
concurrency and rate limits already bound how much of it one workspace can use. An
operator who wants to charge for it sets LOCAL_CREDITS_PER_OUTPUT_SECOND (credits per
second of output; apps/catalog/pricing.py `spec_pricing`).

`Processing.work` is each model's cost per output megapixel-frame relative to the text
animatic, measured with bench/local_rate.py (rounded up); the expected time and the
deadline follow from it (apps/catalog/timing.py)."""

from functools import partial

from apps.catalog.registry.controls import local_controls
from apps.catalog.registry.types import (
    Durations,
    FpsRange,
    Input,
    Method,
    ModelSpec,
    PriceSource,
    PriceUnit,
    Processing,
    PromptUse,
    Quality,
    per_run,
)

FREE = per_run(PriceUnit.CREDITS, {"*": 0}, source=PriceSource.REELSMITH)
ASPECTS = ("16:9", "9:16", "1:1", "4:5", "4:3", "3:4", "21:9")
FPS = (24, 60)  # what the engine renders
Local = partial(
    ModelSpec,
    provider="local",
    vendor="Reelsmith",
    quality=Quality.DRAFT,
    pricing=FREE,
    source="000, 002 (engine features)",
)
Generate = partial(
    Local,
    resolutions=("480p", "720p", "1080p"),
    default_resolution="720p",
    aspect_ratios=ASPECTS,
    default_aspect_ratio="16:9",
    fps=FpsRange(*FPS),
    default_fps=30,
    controls=local_controls(FPS, camera=False),
)
Process = partial(
    Local,
    prompt=PromptUse.NONE,
    required_inputs=frozenset({Input.VIDEO}),
    duration_from=Input.VIDEO,
)

MODELS = [
    Generate(
        id="local/text-to-video",
        name="Local animatic",
        provider_model="text-to-video",
        methods=(Method.TEXT_TO_VIDEO,),
        processing=Processing(2, 30, work=1.0),
        strengths="Instant, free animatic preview: the prompt as timed title cards.",
        use_cases="Checking pacing and timing before paying for a render.",
        limitations="A preview, not AI footage.",
        durations=Durations(1, 60),
        default_duration=5,
        i2v_sibling="local/image-to-video",
    ),
    Generate(
        id="local/image-to-video",
        name="Local Ken Burns",
        provider_model="image-to-video",
        methods=(Method.IMAGE_TO_VIDEO,),
        processing=Processing(2, 30, work=0.35),
        strengths="Free pan / tilt / zoom over a still, 24-60 fps.",
        use_cases="Slideshows, album art loops, quick previews.",
        limitations="Camera motion only; nothing in the picture moves.",
        durations=Durations(1, 60),
        default_duration=5,
        prompt=PromptUse.OPTIONAL,
        required_inputs=frozenset({Input.IMAGE}),
        controls=local_controls(FPS, camera=True),
    ),
    Local(
        id="local/extend-video",
        name="Local extend",
        provider_model="extend-video",
        methods=(Method.EXTEND_VIDEO,),
        # Carrying the motion on warps every added frame (numpy): 720p measured at 0.73.
        processing=Processing(2, 60, work=1.2),
        strengths=(
            "Free: carries the camera motion of the clip's last second on (pan, tilt, "
            "zoom), easing out, to lengthen a clip."
        ),
        use_cases="Padding a clip to fit music or a voice-over.",
        limitations=(
            "Only the camera moves on: nothing in the picture moves, and picture a pan "
            "brings in is filled by a gentle zoom and a mirrored edge."
        ),
        durations=Durations(1, 60),
        default_duration=5,
        prompt=PromptUse.OPTIONAL,
        required_inputs=frozenset({Input.VIDEO}),
    ),
    Generate(
        id="local/lip-sync",
        name="Local talking still",
        provider_model="lip-sync",
        methods=(Method.LIP_SYNC,),
        processing=Processing(2, 60, work=0.6),
        strengths="Free preview: the portrait with the voice track and a gentle zoom.",
        use_cases="Checking a voice-over against a face before a paid lip sync.",
        limitations="The mouth does not move.",
        durations=Durations(1, 120),
        prompt=PromptUse.NONE,
        required_inputs=frozenset({Input.IMAGE, Input.AUDIO}),
        controls=local_controls(FPS, camera=True),
        duration_from=Input.AUDIO,
    ),
    Generate(
        id="local/storyboard",
        name="Local storyboard animatic",
        provider_model="storyboard",
        methods=(Method.STORYBOARD,),
        # The shots are text animatics, then one more pass joins them.
        processing=Processing(2, 60, work=1.3),
        strengths="Free multi-shot animatic: one timed card per scene.",
        use_cases="Planning a multi-shot video before rendering it.",
        limitations="A preview, not AI footage.",
        durations=Durations(1, 120),
        default_duration=10,
        prompt=PromptUse.NONE,
        storyboard=True,
    ),
    Process(
        id="local/edit",
        name="Local edit",
        provider_model="edit",
        methods=(Method.EDIT,),
        # Up to four stages (trim, reframe, speed, mute); trim and mute copy the H.264
        # stream of an MP4/MOV instead of re-encoding it (apps/media/ops/remux.py).
        processing=Processing(2, 60, work=1.2),
        strengths="Trim, crop or pad to a new aspect ratio, change speed, mute.",
        use_cases="Re-cutting for 9:16, 1:1, 4:5 and friends.",
        aspect_ratios=ASPECTS,
        options=frozenset({"trim_start", "trim_end", "speed", "mute", "fit", "trim_mode"}),
        needs_a_change=True,
    ),
    Process(
        id="local/enhance",
        name="Local upscale",
        provider_model="enhance",
        methods=(Method.UPSCALE,),
        processing=Processing(2, 60, work=0.5),
        strengths="Free resize to 480p-2160p.",
        use_cases="Meeting a platform's resolution requirement.",
        limitations="Plain resampling: no detail is invented.",
        resolutions=("480p", "720p", "1080p", "1440p", "2160p"),
        default_resolution="1080p",
    ),
    Process(
        id="local/transform",
        name="Local convert",
        provider_model="transform",
        methods=(Method.TRANSFORM,),
        # Up to three stages (reframe, resize, convert).
        processing=Processing(2, 60, work=1.0),
        strengths="Transcode to MP4, WebM or MOV, optionally reframed and resized.",
        use_cases="Delivering the format a platform wants.",
        aspect_ratios=ASPECTS,
        resolutions=("480p", "720p", "1080p", "1440p", "2160p"),
        options=frozenset({"output_format"}),
        option_defaults=(("output_format", "mp4"),),
    ),
    Process(
        id="local/optimize",
        name="Local optimize",
        provider_model="optimize",
        methods=(Method.OPTIMIZE,),
        processing=Processing(2, 60, work=0.7),
        strengths="Shrink a video: low / medium / high, or to a target size in MB.",
        use_cases="Email attachments, upload limits.",
        options=frozenset({"optimize_level", "target_size_mb"}),
        option_defaults=(("optimize_level", "medium"),),
    ),
    Process(
        id="local/remove-background",
        name="Local background remover",
        provider_model="remove-background",
        methods=(Method.REMOVE_BACKGROUND,),
        # A segmentation network on every frame plus a VP9 encode with alpha: measured
        # 0.4-1.8 on a busy machine (the first run also loads the network).
        processing=Processing(5, 120, work=1.8),
        strengths=(
            "Free: cuts people out of a clip with a segmentation network that runs on our "
            "workers (MediaPipe selfie segmentation), smoothed over time so edges do not "
            "shimmer. A WebM with alpha, or an MP4 on a background colour."
        ),
        use_cases="Talking heads, presenters and dancers over a new background; overlays.",
        limitations=(
            "Trained on people: other subjects (products, animals) are not cut out. "
            "Edges are soft; fine hair and fast motion blur are approximate."
        ),
        options=frozenset({"background_color"}),
    ),
]
