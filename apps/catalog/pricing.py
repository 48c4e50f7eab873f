"""Credits from a model's pricing rule.

credits = ceil(provider USD x (100 + CREDIT_MARGIN_PERCENT)/100 / CREDIT_USD_VALUE), or the
spec's own credit figure for models priced in credits; a free perk makes it 0; an admin
price override replaces the rule; the tier discount comes off before rounding up, so a
discount can never raise a price. The local engine's models cost
LOCAL_CREDITS_PER_OUTPUT_SECOND per second of output (0, the default, = free)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.catalog.models import ModelOverride, OverrideUnit
from apps.catalog.registry.types import (
    ANY,
    ModelSpec,
    PriceSource,
    PriceUnit,
    Pricing,
    per_second,
)

HUNDRED = Decimal(100)


def credit_usd_value() -> Decimal:
    value = Decimal(str(settings.CREDIT_USD_VALUE))
    if value <= 0:
        raise ImproperlyConfigured("CREDIT_USD_VALUE must be above 0.")
    return value


def margin_percent() -> int:
    return int(settings.CREDIT_MARGIN_PERCENT)


def local_credits_per_output_second() -> Decimal:
    """The operator's price of the local engine (credits per output second, >= 0)."""
    raw = str(settings.LOCAL_CREDITS_PER_OUTPUT_SECOND).strip() or "0"
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0:
        raise ImproperlyConfigured(
            f"LOCAL_CREDITS_PER_OUTPUT_SECOND must be a number of credits >= 0, not {raw!r}."
        )
    return value


def spec_pricing(spec: ModelSpec) -> Pricing:
    """The pricing rule in force: the spec's, except for local models when the operator
    prices them per output second."""
    if spec.provider == "local":
        rate = local_credits_per_output_second()
        if rate > 0:
            return per_second(PriceUnit.CREDITS, {ANY: str(rate)}, source=PriceSource.REELSMITH)
    return spec.pricing


def usd_to_credits(amount_usd: Decimal) -> Decimal:
    """Unrounded credits for a provider cost, margin included."""
    return amount_usd * (HUNDRED + margin_percent()) / HUNDRED / credit_usd_value()


@dataclass(frozen=True)
class Quote:
    credits: int  # what the caller is charged (credits), after the tier discount
    list_credits: int  # before the discount (credits)
    cost_usd: Decimal  # `credits` in US dollars at CREDIT_USD_VALUE
    provider_cost_usd: Decimal | None  # what the provider charges us; None if unknown
    breakdown: dict[str, Any] = field(default_factory=dict)


def _num(value: Decimal) -> float | int:
    """JSON-able: an int when whole, else a float rounded to 6 places."""
    if value == value.to_integral_value():
        return int(value)
    return float(round(value, 6))


def price_quote(
    *,
    spec: ModelSpec,
    seconds: int,
    resolution: str | None,
    with_audio: bool = False,
    override: ModelOverride | None = None,
    discount_percent: int = 0,
) -> Quote:
    pricing = spec_pricing(spec)
    free = pricing.is_free(seconds=seconds, resolution=resolution)
    overridden = override is not None and override.price_credits is not None
    multiplier = pricing.audio_multiplier if with_audio else Decimal(1)
    provider_cost: Decimal | None = None
    breakdown: dict[str, Any] = {
        "pricing": pricing.kind,
        "price_unit": pricing.unit,
        "price_source": pricing.source,
        "billed_seconds": seconds,
        "resolution": resolution,
        "with_audio": with_audio,
        "audio_multiplier": _num(multiplier),
        "free_perk": free,
        "price_override": overridden,
    }
    if free:
        raw = Decimal(0)
    elif overridden:
        assert override is not None and override.price_credits is not None
        per = seconds if override.price_unit == OverrideUnit.PER_SECOND else 1
        raw = Decimal(override.price_credits) * per * multiplier
        breakdown["override"] = {"credits": override.price_credits, "unit": override.price_unit}
    else:
        amount = pricing.amount(seconds=seconds, resolution=resolution, durations=spec.durations)
        amount *= multiplier
        if pricing.unit == PriceUnit.USD:
            provider_cost = amount
            raw = usd_to_credits(amount)
            breakdown["margin_percent"] = margin_percent()
        else:
            raw = amount
    breakdown["provider_cost_usd"] = None if provider_cost is None else _num(provider_cost)
    discount = max(0, min(int(discount_percent), 100))
    list_credits = math.ceil(raw)
    credits = math.ceil(raw * (HUNDRED - discount) / HUNDRED)
    cost_usd = Decimal(credits) * credit_usd_value()
    breakdown.update(
        {
            "credit_usd_value": _num(credit_usd_value()),
            "list_credits": list_credits,
            "discount_percent": discount,
            "discount_credits": list_credits - credits,
            "credits": credits,
        }
    )
    return Quote(credits, list_credits, cost_usd, provider_cost, breakdown)


# --- Describing a price so a client can show it ----------------------------------------


def _fmt(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.0001")).normalize(), "f")


def _range(values: list[Decimal]) -> str:
    lo, hi = min(values), max(values)
    return _fmt(lo) if lo == hi else f"{_fmt(lo)}-{_fmt(hi)}"


def pricing_describe(*, spec: ModelSpec, override: ModelOverride | None = None) -> dict[str, Any]:
    """The pricing rule with its rates in credits (margin included, before discounts)."""
    pricing = spec_pricing(spec)
    to_credits = usd_to_credits if pricing.unit == PriceUnit.USD else (lambda x: x)
    rates: list[dict[str, Any]] = []
    if pricing.kind == "span":
        for res, (lo, hi) in pricing.span.items():
            rates.append(
                {
                    "resolution": None if res == ANY else res,
                    "min_credits": _num(lo),
                    "max_credits": _num(hi),
                }
            )
        credit_values = [Decimal(r["min_credits"]) for r in rates] + [
            Decimal(r["max_credits"]) for r in rates
        ]
        summary = f"{_range(credit_values)} credits per run"
        if spec.durations:
            summary += f" ({spec.durations.text()})"
    else:
        for res, amount in pricing.rates.items():
            entry: dict[str, Any] = {"resolution": None if res == ANY else res}
            if pricing.unit == PriceUnit.USD:
                entry["usd"] = _num(amount)
            entry["credits"] = _num(to_credits(amount))
            rates.append(entry)
        credit_values = [Decimal(str(r["credits"])) for r in rates]
        if pricing.kind == "per_run":
            summary = f"{_range(credit_values)} credits per run"
        elif pricing.per == 1:
            summary = f"{_range(credit_values)} credits/s"
        elif pricing.per == 60:
            summary = f"{_range(credit_values)} credits/min"
        else:
            summary = f"{_range(credit_values)} credits per {pricing.per} s"
        if pricing.unit == PriceUnit.USD:
            usd_values = [Decimal(str(r["usd"])) for r in rates]
            unit = {"per_run": "run", "per_second": f"{pricing.per} s"}[pricing.kind]
            unit = {"1 s": "s", "60 s": "min"}.get(unit, unit)
            summary += f" (${_range(usd_values)}/{unit})"
    if pricing.audio_multiplier != 1:
        summary += f"; x{_num(pricing.audio_multiplier)} with audio"
    for perk in pricing.free:
        summary += f"; free at {perk.resolution} up to {perk.max_duration} s"
    described: dict[str, Any] = {
        "kind": pricing.kind,
        "unit": pricing.unit,
        "source": pricing.source,
        "per_seconds": pricing.per,
        "billed_in_blocks": pricing.blocks,
        "rates": rates,
        "audio_multiplier": _num(pricing.audio_multiplier),
        "free_perks": [
            {"resolution": p.resolution, "max_duration": p.max_duration} for p in pricing.free
        ],
        "override": None,
        "summary": summary,
    }
    if override is not None and override.price_credits is not None:
        per = "per second" if override.price_unit == OverrideUnit.PER_SECOND else "per run"
        described["override"] = {"credits": override.price_credits, "unit": override.price_unit}
        described["summary"] = f"{override.price_credits} credits {per}"
    described["from_credits"] = _from_credits(spec=spec, override=override)
    return described


def _from_credits(*, spec: ModelSpec, override: ModelOverride | None) -> int:
    """The cheapest list price over the model's resolutions at its shortest duration."""
    seconds = spec.durations.min if spec.durations else 1
    with_audio = spec.default_with_audio and "with_audio" not in spec.options
    return min(
        price_quote(
            spec=spec, seconds=seconds, resolution=res, with_audio=with_audio, override=override
        ).list_credits
        for res in (spec.resolutions or (None,))
    )
