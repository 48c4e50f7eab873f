"""/process: an operation, its settings and (for AI edits) a prompt -> job fields.

The local operations (edit, enhance, transform, optimize, remove-background) have fixed
public settings names mapped to the catalogue's. `retake`, and `edit` with an AI edit
model (a catalogue edit model other than the local engine's, e.g. LTX-2 Retake), take a
top-level `prompt` and exactly the settings the model's data declares (`model_settings`),
under the catalogue's own names, so /process and /generate {"method": "edit"} read alike."""

from typing import Any

from apps.catalog.registry import CATALOG, spec_for
from apps.catalog.registry.types import Method, ModelSpec, PromptUse
from apps.catalog.selectors import model_list
from apps.core.errors import ValidationError

RETAKE = "retake"
PROCESS_METHODS = {
    "edit": Method.EDIT,
    RETAKE: Method.EDIT,
    "enhance": Method.UPSCALE,
    "transform": Method.TRANSFORM,
    "optimize": Method.OPTIMIZE,
    "remove-background": Method.REMOVE_BACKGROUND,
}
# The public settings names of each local operation -> the catalogue's field names.
PROCESS_SETTINGS: dict[str, dict[str, str]] = {
    "edit": {
        "trim_start": "trim_start",
        "trim_end": "trim_end",
        "aspect_ratio": "aspect_ratio",
        "speed": "speed",
        "mute": "mute",
        "fit": "fit",
        "trim_mode": "trim_mode",
    },
    RETAKE: {},  # always an AI edit model: its settings come from its data
    "enhance": {"target_resolution": "resolution"},
    "transform": {
        "format": "output_format",
        "aspect_ratio": "aspect_ratio",
        "resolution": "resolution",
    },
    "optimize": {"quality": "optimize_level", "target_size_mb": "target_size_mb"},
    "remove-background": {"background_color": "background_color"},
}
LOCAL_PROCESS_MODELS = {
    "edit": "local/edit",
    "enhance": "local/enhance",
    "transform": "local/transform",
    "optimize": "local/optimize",
    "remove-background": "local/remove-background",
}


def ai_edit_models() -> list[str]:
    """Ids of the catalogue's AI edit models (what `retake` runs), in catalogue order."""
    return [s.id for s in CATALOG.values() if Method.EDIT in s.methods and not s.is_local]


def model_settings(spec: ModelSpec) -> dict[str, str]:
    """The settings a model's data declares, public name -> catalogue field (the same
    names): its duration range, resolutions, aspect ratios and options."""
    names = []
    if spec.durations and not spec.duration_from and not spec.storyboard:
        names.append("duration")
    if spec.resolutions:
        names.append("resolution")
    if spec.aspect_ratios:
        names.append("aspect_ratio")
    names += sorted(spec.options)
    return {name: name for name in names}


def _ai_edit_model(operation: str, model: Any) -> ModelSpec | None:
    """The AI edit model the request runs: for `retake` the one named (400 if it is not
    an AI edit model) or the first available; for `edit` the one named, if it is one."""
    retake_models = ai_edit_models()
    spec = spec_for(model) if isinstance(model, str) and model else None
    if spec is not None and spec.id in retake_models:
        return spec
    if operation != RETAKE:
        return None
    if model not in (None, ""):
        raise ValidationError(
            f"{model!r} does not do retake: use one of {', '.join(retake_models)}.",
            details={"field": "model", "allowed": retake_models},
        )
    if not retake_models:
        raise ValidationError("No model in the catalogue does retake.", details={"field": "model"})
    available = {e.id for e in model_list(method=Method.EDIT, available=True)}
    # None available: the first anyway, and preflight says why it cannot run now.
    chosen = next((m for m in retake_models if m in available), retake_models[0])
    return CATALOG[chosen]


def process_fields(
    *, operation: Any, settings: Any, model: Any = None, prompt: Any = None
) -> dict[str, Any]:
    """Translates a /process request into job fields, refusing unknown names at once;
    the values are the catalogue's to check (preflight)."""
    if not isinstance(operation, str) or operation not in PROCESS_METHODS:
        raise ValidationError(
            f"Unknown operation {operation!r}.",
            details={"field": "operation", "allowed": list(PROCESS_METHODS)},
        )
    settings = settings or {}
    if not isinstance(settings, dict):
        raise ValidationError("settings must be an object.", details={"field": "settings"})
    ai_model = _ai_edit_model(operation, model)
    names = model_settings(ai_model) if ai_model else PROCESS_SETTINGS[operation]
    unknown = sorted(set(settings) - set(names))
    if unknown:
        whose = f"{ai_model.name} settings" if ai_model else f"{operation} settings"
        raise ValidationError(
            f"Unknown {whose}: {', '.join(unknown)}.",
            details={"field": "settings", "unknown": unknown, "allowed": sorted(names)},
        )
    fields = {names[key]: value for key, value in settings.items()}
    fields["method"] = PROCESS_METHODS[operation]
    fields["model"] = ai_model.id if ai_model else model or LOCAL_PROCESS_MODELS.get(operation)
    if prompt not in (None, ""):
        spec = spec_for(fields["model"]) if isinstance(fields["model"], str) else None
        if spec is not None and spec.prompt == PromptUse.NONE:
            raise ValidationError(
                f"{spec.name} takes no prompt: only `retake` and AI edit models "
                f"({', '.join(ai_edit_models())}) do.",
                details={"field": "prompt"},
            )
        fields["prompt"] = prompt
    return fields
