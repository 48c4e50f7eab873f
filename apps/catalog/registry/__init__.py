"""The model catalogue as data in code: every model Reelsmith can run, keyed by id.

Admin overrides (disable, price, featured) live in the database and are applied by the
selectors; nothing here reads settings or the database."""

from apps.catalog.registry import (
    fal,
    google,
    kling,
    lightricks,
    local,
    openai,
    replicate,
    runware,
    wavespeed,
)
from apps.catalog.registry.types import Method, ModelSpec, Quality

# provider -> (display name, the setting holding its credential; None: needs none)
PROVIDERS: dict[str, tuple[str, str | None]] = {
    "wavespeed": ("WaveSpeed AI", "WAVESPEED_API_KEY"),
    "fal": ("fal", "FAL_KEY"),
    "replicate": ("Replicate", "REPLICATE_API_TOKEN"),
    "runway": ("Runway", "RUNWAYML_API_SECRET"),
    "google": ("Google Gemini API", "GEMINI_API_KEY"),
    "openai": ("OpenAI", "OPENAI_API_KEY"),
    "runware": ("Runware", "RUNWARE_API_KEY"),
    "local": ("Reelsmith local engine", None),
}

_ALL: list[ModelSpec] = [
    *wavespeed.MODELS,
    *lightricks.MODELS,
    *google.MODELS,
    *openai.MODELS,
    *fal.MODELS,
    *kling.MODELS,
    *replicate.MODELS,
    *runware.MODELS,
    *local.MODELS,
]

CATALOG: dict[str, ModelSpec] = {m.id: m for m in _ALL}
ALIASES: dict[str, str] = {alias: m.id for m in _ALL for alias in m.aliases}

if len(CATALOG) != len(_ALL):  # pragma: no cover - a review mistake, caught at import
    raise RuntimeError("Duplicate model id in the catalogue.")


def spec_for(model_id: str) -> ModelSpec | None:
    """The model with this id or alias, or None."""
    return CATALOG.get(model_id) or CATALOG.get(ALIASES.get(model_id, ""))


__all__ = ["ALIASES", "CATALOG", "PROVIDERS", "Method", "ModelSpec", "Quality", "spec_for"]
