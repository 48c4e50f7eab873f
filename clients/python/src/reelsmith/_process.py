"""The builder of ``POST /api/v1/process``: an operation on an existing video. Like the
other builders, every ``with_*`` returns a new object and leaves the original alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reelsmith._request import InputRef, InputValue, input_ref


def _text(value: str | None) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"prompt must be a string, not {type(value).__name__}.")
    return value


@dataclass(frozen=True)
class ProcessRequest:
    """An operation on a video: ``ProcessRequest("edit", source="in.mp4",
    settings={"trim_start": 1})``. Operations: edit, enhance, transform, optimize,
    remove-background, retake; their settings are listed in the API docs.

    ``retake`` (and ``edit`` with an AI edit model such as
    ``lightricks/ltx-2-retake``) regenerates a stretch of the video from ``prompt``:
    ``ProcessRequest("retake", source="take.mp4", prompt="She turns and smiles",
    settings={"start_time": 1.5, "duration": 4})``. The prompt is sent only when given;
    the local operations take none (the server refuses one)."""

    operation: str
    source: InputRef | None = None
    settings: tuple[tuple[str, Any], ...] = ()
    model: str | None = None
    webhook_url: str | None = None
    prompt: str | None = None

    def __init__(
        self,
        operation: str,
        source: InputValue | InputRef | None = None,
        settings: Mapping[str, Any] | None = None,
        *,
        model: str | None = None,
        webhook_url: str | None = None,
        prompt: str | None = None,
    ) -> None:
        object.__setattr__(self, "operation", operation)
        ref = None if source is None else input_ref(source, role="source")
        object.__setattr__(self, "source", ref)
        object.__setattr__(self, "settings", tuple((settings or {}).items()))
        object.__setattr__(self, "model", model)
        object.__setattr__(self, "webhook_url", webhook_url)
        object.__setattr__(self, "prompt", _text(prompt))

    def _with(self, **changes: Any) -> ProcessRequest:
        return ProcessRequest(
            changes.get("operation", self.operation),
            changes.get("source", self.source),
            changes.get("settings", dict(self.settings)),
            model=changes.get("model", self.model),
            webhook_url=changes.get("webhook_url", self.webhook_url),
            prompt=changes.get("prompt", self.prompt),
        )

    def with_source(self, source: InputValue | InputRef) -> ProcessRequest:
        """The video to process: a path, bytes, an http(s) URL or an asset id."""
        return self._with(source=input_ref(source, role="source"))

    def with_setting(self, name: str, value: Any) -> ProcessRequest:
        return self._with(settings={**dict(self.settings), name: value})

    def with_settings(self, settings: Mapping[str, Any]) -> ProcessRequest:
        return self._with(settings={**dict(self.settings), **settings})

    def with_model(self, model: str) -> ProcessRequest:
        return self._with(model=model)

    def with_webhook_url(self, url: str) -> ProcessRequest:
        return self._with(webhook_url=url)

    def with_prompt(self, prompt: str) -> ProcessRequest:
        """What the regenerated stretch shows (``retake``, AI edit models; required
        there, at most 2000 characters)."""
        return self._with(prompt=_text(prompt))

    def inputs(self) -> dict[str, InputRef]:
        return {"source": self.source} if self.source is not None else {}

    def estimate_fields(self) -> dict[str, Any]:
        """The fields of ``POST /api/v1/estimate-cost`` (whose method for enhance is
        ``upscale``); the source is only marked present."""
        out: dict[str, Any] = {
            "method": "upscale" if self.operation == "enhance" else self.operation,
            "video": "given",
        }
        if self.model:
            out["model"] = self.model
        return out

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"operation": self.operation, "settings": dict(self.settings)}
        if self.model:
            out["model"] = self.model
        if self.prompt is not None:
            out["prompt"] = self.prompt
        if self.webhook_url:
            out["webhook_url"] = self.webhook_url
        return out
