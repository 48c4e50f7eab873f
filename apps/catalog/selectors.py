"""Reads of the catalogue: the models in code with the admin overrides and provider
availability applied. The catalogue is public, not tenant data, so nothing here takes a
workspace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from apps.catalog.health import providers_degraded
from apps.catalog.models import ModelOverride
from apps.catalog.pricing import pricing_describe, spec_pricing
from apps.catalog.registry import CATALOG, PROVIDERS, spec_for
from apps.catalog.registry.types import Method, ModelSpec, Quality
from apps.core.errors import NotFound
from apps.core.refcache import ProcessCopy
from apps.media import matte_installed


@dataclass(frozen=True)
class CatalogEntry:
    """One model as callers see it right now."""

    spec: ModelSpec
    override: ModelOverride | None
    available: bool
    unavailable_reason: str | None
    featured: bool
    # Why it is unavailable, as a code: "disabled" | "not_configured" | "degraded" (its
    # provider is failing, apps/catalog/health.py); None when available.
    reason: str | None = None

    @property
    def degraded(self) -> bool:
        """Unavailable only because its provider is degraded: a named model is still
        accepted (the cool-down ends by itself), auto-selection and fallbacks skip it."""
        return self.reason == "degraded"

    @property
    def id(self) -> str:
        return self.spec.id


def provider_configured(*, provider: str) -> bool:
    """Whether the provider's credential is set (the local engine needs none). With
    PROVIDER_SANDBOX on, every provider is (apps/providers/sandbox/inapp.py)."""
    _, setting = PROVIDERS[provider]
    if setting is None or getattr(settings, "PROVIDER_SANDBOX", False):
        return True
    return bool(getattr(settings, setting, ""))


def _overrides_load() -> dict[str, ModelOverride]:
    return {o.model_id: o for o in ModelOverride.objects.all()}


# Every submit prices a model: the overrides are read from a per-process copy that a
# version token in the shared cache keeps exact (apps/core/refcache.py); CatalogConfig
# connects `changed` to every save and delete of a ModelOverride. Treat them as read-only.
OVERRIDES = ProcessCopy("catalog-overrides", _overrides_load)


def overrides_by_model() -> dict[str, ModelOverride]:
    return OVERRIDES.get()


def override_for(*, model_id: str) -> ModelOverride | None:
    return OVERRIDES.get().get(model_id)


def _entry(
    spec: ModelSpec, override: ModelOverride | None, degraded: set[str] | None = None
) -> CatalogEntry:
    reason = code = None
    if override is not None and not override.enabled:
        reason, code = "This model is temporarily disabled.", "disabled"
    elif not provider_configured(provider=spec.provider):
        reason = f"{PROVIDERS[spec.provider][0]} is not configured on this server."
        code = "not_configured"
    elif (
        Method.REMOVE_BACKGROUND in spec.methods
        and spec.provider == "local"
        and not (matte_installed())
    ):
        reason = "Background removal is not installed on this server (the mediapipe package)."
        code = "not_installed"
    elif degraded is not None and spec.provider in degraded:
        reason = f"{PROVIDERS[spec.provider][0]} is failing right now; tried again shortly."
        code = "degraded"
    return CatalogEntry(
        spec=spec,
        override=override,
        available=reason is None,
        unavailable_reason=reason,
        featured=bool(override and override.featured),
        reason=code,
    )


def _degraded() -> set[str]:
    return providers_degraded(providers=[p for p in PROVIDERS if p != "local"])


def model_list(
    *,
    method: str | None = None,
    provider: str | None = None,
    available: bool | None = None,
    quality: str | None = None,
) -> list[CatalogEntry]:
    """Every model matching the filters: featured first, then catalogue order."""
    overrides = overrides_by_model()
    degraded = _degraded()
    entries = [_entry(spec, overrides.get(spec.id), degraded) for spec in CATALOG.values()]
    entries = [
        e
        for e in entries
        if (method is None or method in e.spec.methods)
        and (provider is None or e.spec.provider == provider)
        and (quality is None or e.spec.quality == quality)
        and (available is None or e.available == available)
    ]
    return sorted(entries, key=lambda e: not e.featured)


def model_get(*, model_id: str) -> CatalogEntry:
    """A model by id (or alias). Raises NotFound."""
    spec = spec_for(model_id)
    if spec is None:
        raise NotFound(f"No model {model_id!r} in the catalogue.")
    # Only this model's provider can make it degraded, and the local engine never is
    # (see _degraded): a local model costs no cache round trip.
    degraded = providers_degraded(providers=[spec.provider]) if spec.provider != "local" else set()
    return _entry(spec, override_for(model_id=spec.id), degraded)


def _audio_describe(spec: ModelSpec) -> dict[str, Any]:
    """Whether the model makes sound, whether the job can choose, the default, and what
    sound does to the price (Seedance 1.5 Pro extend: on unless generate_audio is false,
    x2)."""
    optional = "with_audio" in spec.options
    return {
        "generated": spec.native_audio or spec.default_with_audio or optional,
        "optional": optional and not spec.native_audio,
        "default": spec.default_with_audio,
        "price_multiplier": float(spec.pricing.audio_multiplier),
    }


def model_describe(entry: CatalogEntry) -> dict[str, Any]:
    """Everything a model picker shows, JSON-able (the API and the page use this)."""
    spec = entry.spec
    return {
        "id": spec.id,
        "name": spec.name,
        "provider": spec.provider,
        "provider_name": PROVIDERS[spec.provider][0],
        "provider_model": spec.provider_model,
        "vendor": spec.vendor,
        "methods": list(spec.methods),
        "quality": spec.quality,
        "available": entry.available,
        "unavailable_reason": entry.unavailable_reason,
        "reason": entry.reason,
        "featured": entry.featured,
        "durations": spec.durations.describe() if spec.durations else None,
        "default_duration": spec.default_duration,
        "duration_from": spec.duration_from,
        "resolutions": list(spec.resolutions),
        "default_resolution": spec.default_resolution,
        "aspect_ratios": list(spec.aspect_ratios),
        "default_aspect_ratio": spec.default_aspect_ratio,
        "fps": spec.fps.describe() if spec.fps else None,
        "default_fps": spec.default_fps,
        "prompt": spec.prompt,
        "inputs": {
            "required": sorted(spec.required_inputs),
            "optional": sorted(spec.optional_inputs),
        },
        "options": sorted(spec.options),
        # camera_motion / motion_strength / fps: how this model takes each (null: not at
        # all). via "native" = the provider's field or documented prompt syntax; "prompt" =
        # prompt guidance, a documented phrase appended to the prompt.
        "controls": spec.controls.describe(),
        "native_audio": spec.native_audio,
        "default_with_audio": spec.default_with_audio,
        "audio": _audio_describe(spec),
        "limits": spec.limits.describe(),
        "pricing": pricing_describe(spec=spec, override=entry.override),
        # Some combination (pricing.free_perks) is free for everyone, visitors without an
        # account included (POST /api/v1/generate with no key; docs/jobs.md).
        "free_perk": bool(spec_pricing(spec).free),
        "processing_time_s": {
            "min": spec.processing.min_s,
            "max": spec.processing.max_s,
            "per_output_second": spec.processing.per_output_second,
        },
        "strengths": spec.strengths,
        "use_cases": spec.use_cases,
        "limitations": spec.limitations,
        "image_to_video_sibling": spec.i2v_sibling,
        "aliases": list(spec.aliases),
        "storyboard": spec.storyboard,
        "source": spec.source,
    }


def models_for_picker(
    *,
    method: str | None = None,
    provider: str | None = None,
    available: bool | None = None,
    quality: str | None = None,
) -> list[dict[str, Any]]:
    """The picker's data, grouped by method in the catalogue's method order; a model that
    does several things appears under each. JSON-able."""
    entries = model_list(method=method, provider=provider, available=available, quality=quality)
    groups = []
    for value, label in Method.choices:
        if method is not None and value != method:
            continue
        models = [model_describe(e) for e in entries if value in e.spec.methods]
        if models:
            groups.append({"method": value, "label": label, "models": models})
    return groups


def quality_choices() -> list[tuple[str, str]]:
    return list(Quality.choices)


def free_perk_offer() -> dict[str, Any] | None:
    """The free perk a visitor can try without an account (the first available model
    with one, at its free combination), or None when none is available here."""
    for entry in model_list(available=True):
        perks = spec_pricing(entry.spec).free
        if perks:
            perk = perks[0]
            return {
                "model": entry.spec.id,
                "name": entry.spec.name,
                "method": entry.spec.methods[0],
                "resolution": perk.resolution,
                "duration": perk.max_duration,
            }
    return None
