"""The catalogue's operations: preflight (re-exported), cost estimates and admin
overrides. Estimates are pure reads; `model_override_set` is the one write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.accounts.models import Workspace
from apps.catalog.models import ModelOverride, OverrideUnit
from apps.catalog.preflight import Preflight, job_preflight, model_auto_select
from apps.catalog.pricing import Quote, price_quote
from apps.catalog.registry import CATALOG
from apps.catalog.registry.types import PriceSource
from apps.catalog.timing import processing_time_expected_s
from apps.core.errors import NotFound

__all__ = ["Estimate", "cost_estimate", "job_preflight", "model_auto_select", "model_override_set"]


@dataclass(frozen=True)
class Estimate:
    preflight: Preflight
    quote: Quote
    processing_time_estimate_s: int
    confidence: str  # high | medium | low

    @property
    def credits(self) -> int:  # credits, after the tier discount
        return self.quote.credits

    def as_dict(self) -> dict[str, Any]:
        pre = self.preflight
        return {
            "model": pre.model_id,
            "method": pre.method,
            "estimated_credits": self.quote.credits,
            "estimated_cost_usd": float(self.quote.cost_usd),
            "processing_time_estimate_s": self.processing_time_estimate_s,
            "confidence": self.confidence,
            "breakdown": self.quote.breakdown,
            "available": pre.entry.available,
            "auto_selected": pre.auto_selected,
            "switched_from": pre.switched_from,
            "parameters": pre.job_fields(),
            "notes": pre.notes,
        }


def job_quote(*, preflight: Preflight, workspace: Workspace | None = None) -> Quote:
    """The price of a preflighted job for a workspace (its tier's discount applied)."""
    return price_quote(
        spec=preflight.entry.spec,
        seconds=preflight.duration_s,
        resolution=preflight.resolution,
        with_audio=preflight.with_audio,
        override=preflight.entry.override,
        discount_percent=workspace.tier.credit_discount_percent if workspace else 0,
    )


def cost_estimate(
    *,
    fields: dict[str, Any],
    inputs: dict[str, Any] | None = None,
    workspace: Workspace | None = None,
) -> Estimate:
    """What a job would cost, in credits and dollars, and how long it would take.
    Same fields as a job (see job_preflight); prompts and files are optional here."""
    preflight = job_preflight(fields=fields, inputs=inputs, for_estimate=True)
    quote = job_quote(preflight=preflight, workspace=workspace)
    spec = preflight.entry.spec
    if not preflight.duration_known:
        confidence = "low"
    elif spec.pricing.source == PriceSource.SPEC or quote.breakdown["price_override"]:
        confidence = "high"
    else:
        confidence = "medium"
    return Estimate(
        preflight=preflight,
        quote=quote,
        processing_time_estimate_s=processing_time_expected_s(preflight),
        confidence=confidence,
    )


def model_override_set(
    *,
    model_id: str,
    enabled: bool | None = None,
    featured: bool | None = None,
    price_credits: int | None = None,
    price_unit: str | None = None,
    clear_price: bool = False,
    note: str | None = None,
) -> ModelOverride:
    """Create or change a model's override; only the given fields change."""
    if model_id not in CATALOG:
        raise NotFound(f"No model {model_id!r} in the catalogue.")
    override, _ = ModelOverride.objects.get_or_create(model_id=model_id)
    if enabled is not None:
        override.enabled = enabled
    if featured is not None:
        override.featured = featured
    if price_credits is not None:
        override.price_credits = price_credits
        override.price_unit = price_unit or OverrideUnit.PER_RUN
    if clear_price:
        override.price_credits = None
    if note is not None:
        override.note = note
    override.full_clean()
    override.save()
    return override
