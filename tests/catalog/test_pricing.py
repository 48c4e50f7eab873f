"""Spec prices computed exactly, the credit rules, and price properties."""

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.catalog.models import ModelOverride, OverrideUnit
from apps.catalog.pricing import price_quote, pricing_describe
from apps.catalog.registry import CATALOG

# (model, resolution, seconds, with_audio, provider USD or None, credits) — from the spec.
SPEC_PRICES = [
    # spec 001: video extend, per second by resolution
    ("alibaba/wan-2.5/video-extend", "480p", 5, False, "0.25", 25),
    ("alibaba/wan-2.5/video-extend", "720p", 5, False, "0.50", 50),
    ("alibaba/wan-2.5/video-extend", "1080p", 5, False, "0.75", 75),
    ("alibaba/wan-2.5/video-extend", "720p", 10, False, "1.00", 100),
    ("alibaba/wan-2.5/video-extend", "1080p", 3, False, "0.45", 45),
    ("wavespeed-ai/wan-2.2-spicy/video-extend", "480p", 5, False, "0.15", 15),
    ("wavespeed-ai/wan-2.2-spicy/video-extend", "720p", 8, False, "0.48", 48),
    ("bytedance/seedance-v1.5-pro/video-extend", "480p", 1, True, "0.024", 3),
    ("bytedance/seedance-v1.5-pro/video-extend", "480p", 5, True, "0.120", 12),
    ("bytedance/seedance-v1.5-pro/video-extend", "480p", 5, False, "0.060", 6),
    ("bytedance/seedance-v1.5-pro/video-extend", "720p", 10, True, "0.52", 52),
    ("bytedance/seedance-v1.5-pro/video-extend", "720p", 10, False, "0.26", 26),
    ("bytedance/seedance-v1.5-pro/video-extend", "480p", 12, True, "0.288", 29),
    # spec 001: FlashVSR, per started 5 s
    ("wavespeed-ai/flashvsr", "720p", 5, False, "0.06", 6),
    ("wavespeed-ai/flashvsr", "720p", 6, False, "0.12", 12),
    ("wavespeed-ai/flashvsr", "2160p", 5, False, "0.16", 16),
    # spec 000
    ("wavespeed-ai/hunyuan-video-1.5/text-to-video", "480p", 5, False, "0.10", 10),
    ("wavespeed-ai/hunyuan-video-1.5/text-to-video", "720p", 10, False, "0.40", 40),
    ("lightricks/ltx-2-pro/text-to-video", "720p", 5, False, "0.25", 25),
    ("lightricks/ltx-2-pro/text-to-video", "1080p", 10, False, "1.00", 100),
    ("lightricks/ltx-2-fast/text-to-video", "480p", 5, False, "0.05", 5),
    ("lightricks/ltx-2-fast/text-to-video", "720p", 5, False, "0.10", 10),
    ("wavespeed-ai/kandinsky5-pro/image-to-video", "512p", 5, False, "0.20", 20),
    ("wavespeed-ai/kandinsky5-pro/image-to-video", "1024p", 5, False, "0.60", 60),
    ("wavespeed-ai/video-outpainter", "1080p", 10, False, "0.05", 5),
    ("wavespeed-ai/video-outpainter", "480p", 6, False, "0.01", 1),
    # spec 003: credits as stated
    ("seedance-lite-t2v", "720p", 5, False, None, 15),
    ("seedance-lite-t2v", "1080p", 12, False, None, 36),
    ("seedance-lite-i2v", "480p", 5, False, None, 0),  # the free perk
    ("seedance-lite-i2v", "480p", 2, False, None, 0),
    ("seedance-lite-i2v", "480p", 6, False, None, 18),
    ("seedance-lite-i2v", "720p", 5, False, None, 15),
    ("seedance-pro-t2v", "480p", 5, False, None, 15),
    ("seedance-pro-i2v", "1080p", 12, False, None, 120),
    ("kling-2.1-standard", "720p", 5, False, None, 35),
    ("kling-2.1-standard", "720p", 10, False, None, 70),
    ("kling-2.1-pro", "1080p", 10, False, None, 140),
    ("kling-2.1-master-t2v", "1080p", 5, False, None, 160),
    ("kling-2.1-master-i2v", "1080p", 10, False, None, 320),
    ("kling-2.6-t2v", "1080p", 5, False, None, 77),
    ("kling-2.6-t2v", "1080p", 5, True, None, 154),
    ("kling-2.6-i2v", "1080p", 10, True, None, 308),
    ("kling-3.0-motion-720p", "720p", 10, False, None, 170),
    ("kling-3.0-motion-1080p", "1080p", 3, False, None, 84),
    ("kling-avatar-standard", "720p", 10, False, None, 120),
    ("kling-avatar-pro", "1080p", 5, False, None, 115),
    ("wavespeed-ai/infinitetalk", "480p", 5, False, None, 25),
    ("wavespeed-ai/infinitetalk", "720p", 15, False, None, 255),
    ("wan-2.5-t2v", "480p", 5, False, None, 60),
    ("wan-2.5-i2v", "1080p", 10, False, None, 200),
    ("wan-speech-to-video", "480p", 5, False, None, 85),
    ("wan-speech-to-video", "720p", 60, False, None, 2040),
    ("grok-imagine-t2v", "720p", 6, False, None, 14),
    ("grok-imagine-i2v", "480p", 15, False, None, 56),
    ("grok-upscale", None, 30, False, None, 14),
    ("topaz-video-upscale", "2160p", 10, False, None, 120),
    ("midjourney-i2v", None, 5, False, None, 40),
    ("hailuo-2.0-standard", "512p", 6, False, None, 18),
    ("hailuo-2.0-standard", "768p", 10, False, None, 70),
    ("hailuo-2.0-pro", "1080p", 6, False, None, 84),
    ("hailuo-2.3-standard", "768p", 6, False, None, 42),
    ("hailuo-2.3-standard", "768p", 10, False, None, 70),
    ("hailuo-2.3-pro", "1080p", 6, False, None, 63),
    ("hailuo-2.3-pro", "1080p", 10, False, None, 126),
    ("sora-2-standard-t2v", "720p", 10, True, None, 42),
    ("sora-2-standard-i2v", "720p", 15, True, None, 63),
    ("sora-2-pro-storyboard", "720p", 10, True, None, 210),
    ("sora-2-pro-storyboard", "720p", 25, True, None, 378),
    ("veo3-fast", "720p", 8, True, None, 84),
    ("veo3-quality", "1080p", 8, True, None, 560),
    ("veo3.1-fast", "720p", 4, True, None, 84),
    ("veo3.1-quality", "1080p", 6, True, None, 350),
    ("wavespeed-ai/video-background-remover", None, 30, False, None, 20),
    ("local/image-to-video", "1080p", 60, False, None, 0),
]


@pytest.mark.parametrize(
    ("model_id", "resolution", "seconds", "with_audio", "usd", "credits"), SPEC_PRICES
)
def test_spec_price(model_id, resolution, seconds, with_audio, usd, credits):
    quote = price_quote(
        spec=CATALOG[model_id], seconds=seconds, resolution=resolution, with_audio=with_audio
    )
    assert quote.credits == credits
    if usd is not None:
        assert quote.provider_cost_usd == Decimal(usd)
    assert quote.cost_usd == Decimal(credits) * Decimal("0.01")


def test_a_storyboard_between_the_spec_endpoints_is_priced_linearly():
    spec = CATALOG["sora-2-pro-storyboard"]
    # 210 + (378 - 210) * 5/15 = 266
    assert price_quote(spec=spec, seconds=15, resolution="720p").credits == 266


def test_the_margin_and_credit_value_come_from_settings(settings):
    spec = CATALOG["alibaba/wan-2.5/video-extend"]
    settings.CREDIT_MARGIN_PERCENT = 30
    assert price_quote(spec=spec, seconds=5, resolution="720p").credits == 65
    settings.CREDIT_USD_VALUE = "0.05"
    quote = price_quote(spec=spec, seconds=5, resolution="720p")
    assert quote.credits == 13  # 0.65 / 0.05
    assert quote.cost_usd == Decimal("0.65")


def test_a_spec_credit_price_ignores_the_margin(settings):
    settings.CREDIT_MARGIN_PERCENT = 30
    assert price_quote(spec=CATALOG["veo3-fast"], seconds=8, resolution="720p").credits == 84


def test_usd_prices_round_up_to_whole_credits(settings):
    settings.CREDIT_MARGIN_PERCENT = 10  # $0.012/s x 1 s x 1.1 = 1.32 credits
    spec = CATALOG["bytedance/seedance-v1.5-pro/video-extend"]
    assert price_quote(spec=spec, seconds=1, resolution="480p").credits == 2


@pytest.mark.parametrize(("percent", "credits"), [(0, 50), (10, 45), (20, 40), (100, 0)])
def test_the_tier_discount_comes_off(percent, credits):
    spec = CATALOG["alibaba/wan-2.5/video-extend"]
    quote = price_quote(spec=spec, seconds=5, resolution="720p", discount_percent=percent)
    assert quote.credits == credits
    assert quote.list_credits == 50
    assert quote.breakdown["discount_credits"] == 50 - credits


@pytest.mark.django_db
def test_a_price_override_replaces_the_rule_but_keeps_the_audio_multiplier():
    spec = CATALOG["kling-2.6-t2v"]
    per_run = ModelOverride(model_id=spec.id, price_credits=100)
    assert price_quote(spec=spec, seconds=10, resolution="1080p", override=per_run).credits == 100
    doubled = price_quote(
        spec=spec, seconds=10, resolution="1080p", with_audio=True, override=per_run
    )
    assert doubled.credits == 200
    per_second = ModelOverride(
        model_id=spec.id, price_credits=3, price_unit=OverrideUnit.PER_SECOND
    )
    assert price_quote(spec=spec, seconds=10, resolution="1080p", override=per_second).credits == 30
    assert pricing_describe(spec=spec, override=per_second)["summary"] == "3 credits per second"


@pytest.mark.parametrize(
    ("model_id", "summary"),
    [
        ("seedance-lite-t2v", "3 credits/s"),
        ("alibaba/wan-2.5/video-extend", "5-15 credits/s ($0.05-0.15/s)"),
        ("veo3-quality", "560 credits per run"),
        ("kling-2.6-t2v", "77-154 credits per run (5 s or 10 s); x2 with audio"),
        ("seedance-lite-i2v", "3 credits/s; free at 480p up to 5 s"),
        ("wavespeed-ai/flashvsr", "6-16 credits per 5 s ($0.06-0.16/5 s)"),
    ],
)
def test_pricing_is_described_for_a_picker(model_id, summary):
    assert pricing_describe(spec=CATALOG[model_id])["summary"] == summary


# --- Properties ------------------------------------------------------------------------

MODELS = list(CATALOG.values())


@st.composite
def priced_runs(draw):
    spec = draw(st.sampled_from(MODELS))
    resolution = draw(st.sampled_from(spec.resolutions or (None,)))
    if spec.durations is None:
        durations = st.integers(1, 600)
    elif spec.durations.choices:
        durations = st.sampled_from(spec.durations.choices)
    else:
        durations = st.integers(spec.durations.min, spec.durations.max)
    a, b = sorted((draw(durations), draw(durations)))
    with_audio = draw(st.booleans())
    return spec, resolution, a, b, with_audio


@given(priced_runs())
def test_price_never_falls_as_a_clip_gets_longer(run):
    spec, resolution, shorter, longer, audio = run
    short = price_quote(spec=spec, seconds=shorter, resolution=resolution, with_audio=audio)
    long = price_quote(spec=spec, seconds=longer, resolution=resolution, with_audio=audio)
    assert 0 <= short.credits <= long.credits


@given(priced_runs(), st.integers(0, 100), st.integers(0, 100))
def test_a_discount_never_raises_a_price(run, low, high):
    spec, resolution, seconds, _, audio = run
    low, high = sorted((low, high))

    def credits(discount):
        return price_quote(
            spec=spec,
            seconds=seconds,
            resolution=resolution,
            with_audio=audio,
            discount_percent=discount,
        ).credits

    assert credits(high) <= credits(low) <= credits(0)
    assert credits(low) >= 0


@given(priced_runs())
def test_a_price_is_whole_credits_and_never_negative(run):
    spec, resolution, seconds, _, audio = run
    quote = price_quote(spec=spec, seconds=seconds, resolution=resolution, with_audio=audio)
    assert isinstance(quote.credits, int) and quote.credits >= 0
    if quote.provider_cost_usd is not None:
        assert quote.credits == math.ceil(quote.provider_cost_usd / Decimal("0.01"))
