"""One representative job per provider, from the catalog."""

from apps.providers.base import JobInput, JobSpec

IMG = "https://media.example.com/signed/img.png?sig=abc"
VID = "https://media.example.com/signed/clip.mp4?sig=abc"


def spec(provider: str, prompt: str = "A red fox at dawn", **extra) -> JobSpec:
    base = {
        "wavespeed": dict(
            model_id="wan-2.5-t2v",
            provider_model="alibaba/wan-2.5/text-to-video",
            method="text-to-video",
            params={
                "duration": 5,
                "resolution": "720p",
                "aspect_ratio": "16:9",
                "seed": 7,
                "negative_prompt": "blur",
                "enable_prompt_expansion": True,
            },
        ),
        "fal": dict(
            model_id="kling-2.1-standard",
            provider_model="fal-ai/kling-video/v2.1/standard/image-to-video",
            method="image-to-video",
            params={
                "duration": 5,
                "resolution": "720p",
                "cfg_scale": 0.5,
                "seed": 7,
                "negative_prompt": "blur",
            },
            inputs={"image": JobInput(role="image", url=IMG, content_type="image/png")},
        ),
        "replicate": dict(
            model_id="grok-imagine-t2v",
            provider_model="xai/grok-imagine-video",
            method="text-to-video",
            params={
                "duration": 6,
                "resolution": "720p",
                "aspect_ratio": "16:9",
                "mode": "fun",
                "seed": 7,
            },
        ),
        "runway": dict(
            model_id="runway-gen-4",
            provider_model="gen4_turbo",
            method="text-to-video",
            params={"duration": 5, "resolution": "720p", "aspect_ratio": "9:16", "seed": 7},
        ),
        "google": dict(
            model_id="veo3-fast",
            provider_model="veo-3.0-fast-generate-001",
            method="text-to-video",
            params={
                "duration": 8,
                "resolution": "720p",
                "aspect_ratio": "16:9",
                "negative_prompt": "blur",
                "seed": 7,
            },
        ),
        "openai": dict(
            model_id="sora-2-standard-t2v",
            provider_model="sora-2",
            method="text-to-video",
            params={"duration": 10, "resolution": "720p", "aspect_ratio": "9:16"},
        ),
        "runware": dict(
            model_id="kling-2.0",
            provider_model="klingai:5@3",
            method="text-to-video",
            params={"duration": 5, "resolution": "720p", "aspect_ratio": "16:9", "seed": 7},
        ),
    }[provider]
    base.update(extra)
    return JobSpec(job_id="job_test123", prompt=prompt, **base)
