"""The catalogue holds every model the product spec names, and its data is coherent."""

import pathlib

import pytest

from apps.catalog.checks.parse import OPTIONS
from apps.catalog.registry import ALIASES, CATALOG, PROVIDERS, spec_for
from apps.catalog.registry.types import ANY, Input, Method, Quality

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "models.md"

EXPECTED_IDS = [
    # spec 000 / 001 (WaveSpeed and Lightricks paths)
    "wavespeed-ai/hunyuan-video-1.5/text-to-video",
    "wavespeed-ai/kandinsky5-pro/image-to-video",
    "wavespeed-ai/flashvsr",
    "wavespeed-ai/video-outpainter",
    "alibaba/wan-2.5/video-extend",
    "wavespeed-ai/wan-2.2-spicy/video-extend",
    "bytedance/seedance-v1.5-pro/video-extend",
    "wavespeed-ai/hunyuan-avatar",
    "wavespeed-ai/infinitetalk",
    "wavespeed-ai/video-background-remover",
    "lightricks/ltx-2-pro/text-to-video",
    "lightricks/ltx-2-fast/text-to-video",
    "lightricks/ltx-2-retake",
    # spec 003
    "wan-2.5-t2v",
    "wan-2.5-i2v",
    "veo3-fast",
    "veo3-quality",
    "veo3.1-fast",
    "veo3.1-quality",
    "seedance-lite-t2v",
    "seedance-lite-i2v",
    "seedance-pro-t2v",
    "seedance-pro-i2v",
    "kling-2.1-standard",
    "kling-2.1-pro",
    "kling-2.1-master-t2v",
    "kling-2.1-master-i2v",
    "kling-2.6-t2v",
    "kling-2.6-i2v",
    "kling-3.0-motion-720p",
    "kling-3.0-motion-1080p",
    "kling-avatar-standard",
    "kling-avatar-pro",
    "grok-imagine-t2v",
    "grok-imagine-i2v",
    "grok-upscale",
    "topaz-video-upscale",
    "wan-speech-to-video",
    "midjourney-i2v",
    "hailuo-2.0-standard",
    "hailuo-2.0-pro",
    "hailuo-2.3-standard",
    "hailuo-2.3-pro",
    "sora-2-standard-t2v",
    "sora-2-standard-i2v",
    "sora-2-pro-storyboard",
    # spec 004
    "runway-gen-4",
    "kling-2.0",
    "pika-1.0",
    "hailuo-mini",
    "leonardo-ultra",
    # the local engine
    "local/text-to-video",
    "local/image-to-video",
    "local/extend-video",
    "local/lip-sync",
    "local/storyboard",
    "local/edit",
    "local/enhance",
    "local/transform",
    "local/optimize",
]

MODELS = list(CATALOG.values())


def test_every_model_the_spec_names_is_in_the_catalogue():
    missing = sorted(set(EXPECTED_IDS) - set(CATALOG))
    assert not missing


def test_docs_list_every_model_with_its_source():
    text = DOCS.read_text()
    for model_id in CATALOG:
        assert f"`{model_id}`" in text, model_id
    for source in ("000", "001", "003", "004"):
        assert f"`{source}`" in text


@pytest.mark.parametrize(
    ("alias", "model_id"),
    [
        ("infinitalk", "wavespeed-ai/infinitetalk"),
        ("hunyuan-video", "wavespeed-ai/hunyuan-video-1.5/text-to-video"),
        ("google/veo3.1/text-to-video", "veo3.1-quality"),
        ("wavespeed.ai/video-outpainter", "wavespeed-ai/video-outpainter"),
    ],
)
def test_aliases_resolve_to_one_model(alias, model_id):
    assert spec_for(alias).id == model_id


def test_aliases_never_shadow_an_id():
    assert not set(ALIASES) & set(CATALOG)


def test_local_models_are_the_local_provider_and_free():
    for spec in MODELS:
        assert spec.id.startswith("local/") == (spec.provider == "local"), spec.id
        if spec.is_local:
            assert spec.pricing.rates == {ANY: 0}


@pytest.mark.parametrize("spec", MODELS, ids=lambda s: s.id)
def test_model_data_is_coherent(spec):
    assert spec.provider in PROVIDERS
    assert spec.methods and set(spec.methods) <= set(Method.values)
    assert spec.quality in Quality.values
    assert spec.strengths and spec.use_cases and spec.name
    assert set(spec.required_inputs) | set(spec.optional_inputs) <= set(Input.values)
    assert spec.options <= set(OPTIONS) | {"with_audio"}
    if spec.default_resolution is not None:
        assert spec.default_resolution in spec.resolutions
    if spec.default_aspect_ratio is not None:
        assert spec.default_aspect_ratio in spec.aspect_ratios
    if spec.default_duration is not None:
        assert spec.durations.allows(spec.default_duration)
    if spec.durations is None:
        assert spec.duration_from == Input.VIDEO
    table = spec.pricing.span if spec.pricing.kind == "span" else spec.pricing.rates
    for res in spec.resolutions or (None,):
        assert res in table or ANY in table, (spec.id, res)
    assert set(table) <= {*spec.resolutions, ANY}
    if spec.i2v_sibling:
        sibling = CATALOG[spec.i2v_sibling]
        assert Method.IMAGE_TO_VIDEO in sibling.methods
        assert Method.TEXT_TO_VIDEO in spec.methods
    if spec.storyboard:
        assert Method.STORYBOARD in spec.methods
