"""Request builders. Every ``with_*`` returns a new object; the original never changes,
so one base request can be varied freely."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

InputValue = Union[str, "os.PathLike[str]", bytes, bytearray]
"""A file path, raw bytes, an ``http(s)://`` URL, or an asset id (``ast_…``)."""


@dataclass(frozen=True)
class InputRef:
    """One input of a job, in the form it will travel: a file or bytes (a multipart part),
    a URL (fetched by the server) or an asset id (already in the workspace)."""

    kind: Literal["file", "bytes", "url", "asset"]
    value: Any
    filename: str = ""

    def field_suffix(self) -> str:
        return {"file": "file", "bytes": "file", "url": "url", "asset": "asset"}[self.kind]

    @property
    def is_upload(self) -> bool:
        return self.kind in ("file", "bytes")

    def open_part(self) -> tuple[str, Any]:
        """(filename, content) for one multipart send; a file is reopened on every
        attempt, so a retried request sends it whole again."""
        if self.kind == "file":
            path = Path(self.value)
            return path.name, path.open("rb")
        return self.filename, bytes(self.value)


_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG", 0, ".png"),
    (b"\xff\xd8\xff", 0, ".jpg"),
    (b"GIF8", 0, ".gif"),
    (b"ftyp", 4, ".mp4"),
    (b"\x1a\x45\xdf\xa3", 0, ".webm"),
    (b"WAVE", 8, ".wav"),
    (b"ID3", 0, ".mp3"),
    (b"OggS", 0, ".ogg"),
    (b"WEBP", 8, ".webp"),
)


def _guess_name(data: bytes, stem: str) -> str:
    for magic, offset, ext in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return stem + ext
    return stem


def input_ref(value: InputValue | InputRef, *, role: str = "input") -> InputRef:
    """Reads what a ``with_image``/``with_video``/... argument is. A string is a URL when
    it starts with ``http://`` or ``https://``, an asset id when it starts with ``ast_``
    and names no file, and otherwise a path, which must exist."""
    if isinstance(value, InputRef):
        return value
    if isinstance(value, bytes | bytearray):
        if not value:
            raise ValueError(f"The {role} is empty (0 bytes).")
        data = bytes(value)
        return InputRef("bytes", data, _guess_name(data, role))
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return InputRef("url", value)
    if isinstance(value, str) and value.startswith("ast_") and not os.path.exists(value):
        return InputRef("asset", value)
    if isinstance(value, str | os.PathLike):
        path = Path(value)
        if not path.is_file():
            raise FileNotFoundError(
                f"The {role} {str(value)!r} is not a file, an http(s) URL or an asset id (ast_…)."
            )
        return InputRef("file", path, path.name)
    raise TypeError(f"The {role} must be a path, bytes, a URL or an asset id, not {value!r}.")


def _scenes(scenes: Iterable[Any]) -> tuple[tuple[str, int], ...]:
    out: list[tuple[str, int]] = []
    for scene in scenes:
        if isinstance(scene, Mapping):
            prompt, duration = scene.get("prompt"), scene.get("duration")
        elif isinstance(scene, tuple | list) and len(scene) == 2:
            prompt, duration = scene
        else:
            raise TypeError("A storyboard scene is {'prompt', 'duration'} or (prompt, seconds).")
        if not isinstance(prompt, str) or not isinstance(duration, int):
            raise TypeError("A storyboard scene needs a text prompt and whole seconds.")
        out.append((prompt, duration))
    if not out:
        raise ValueError("A storyboard needs at least one scene.")
    return tuple(out)


@dataclass(frozen=True)
class VideoGenerationRequest:
    """A video to generate: ``VideoGenerationRequest("A fox at dawn").with_duration(5)``.

    The method is inferred when not set: a storyboard → ``storyboard``; a video →
    ``extend-video``; an image and an audio file → ``lip-sync``; an image →
    ``image-to-video``; otherwise ``text-to-video``. Without a model the server picks the
    best available one for the method and quality."""

    prompt: str
    model: str | None = None
    method: str | None = None
    duration: int | None = None
    width: int | None = None
    height: int | None = None
    resolution: str | None = None
    aspect_ratio: str | None = None
    fps: int | None = None
    quality: str | None = None
    seed: int | None = None
    negative_prompt: str | None = None
    audio: bool | None = None
    image: InputRef | None = None
    end_image: InputRef | None = None
    video: InputRef | None = None
    audio_file: InputRef | None = None
    camera_motion: str | None = None
    motion_strength: float | None = None
    storyboard: tuple[tuple[str, int], ...] | None = None
    webhook_url: str | None = None
    fallback_models: tuple[str, ...] | None = None
    mode: str | None = None
    crossfade: float | None = None
    output_format: str | None = None
    extra: tuple[tuple[str, Any], ...] = field(default=())

    def __post_init__(self) -> None:
        if not isinstance(self.prompt, str):
            raise TypeError("prompt must be a string.")

    def _with(self, **changes: Any) -> VideoGenerationRequest:
        return dataclasses.replace(self, **changes)

    def with_model(self, model: str) -> VideoGenerationRequest:
        """The catalogue model id (``client.models()`` lists them)."""
        return self._with(model=model)

    def with_method(self, method: str) -> VideoGenerationRequest:
        """text-to-video, image-to-video, extend-video, lip-sync or storyboard."""
        return self._with(method=method)

    def with_duration(self, seconds: int) -> VideoGenerationRequest:
        """Length of the video in whole seconds."""
        return self._with(duration=seconds)

    def with_width(self, pixels: int) -> VideoGenerationRequest:
        """Width in pixels; with the height it is mapped onto the nearest allowed
        resolution and aspect ratio of the model at submit."""
        return self._with(width=pixels)

    def with_height(self, pixels: int) -> VideoGenerationRequest:
        """Height in pixels (see ``with_width``)."""
        return self._with(height=pixels)

    def with_resolution(self, resolution: str) -> VideoGenerationRequest:
        """A resolution label such as ``"720p"`` (wins over width/height)."""
        return self._with(resolution=resolution)

    def with_aspect_ratio(self, ratio: str) -> VideoGenerationRequest:
        """``"16:9"``, ``"9:16"``, ``"1:1"``, ... (wins over width/height)."""
        return self._with(aspect_ratio=ratio)

    def with_fps(self, fps: int) -> VideoGenerationRequest:
        return self._with(fps=fps)

    def with_quality(self, quality: str) -> VideoGenerationRequest:
        """draft, standard or premium: picks the model when none is named."""
        return self._with(quality=quality)

    def with_seed(self, seed: int) -> VideoGenerationRequest:
        return self._with(seed=seed)

    def with_negative_prompt(self, text: str) -> VideoGenerationRequest:
        return self._with(negative_prompt=text)

    def with_audio(self, enabled: bool = True) -> VideoGenerationRequest:
        """Native audio generated with the video (models that have it)."""
        return self._with(audio=enabled)

    def with_image(self, image: InputValue | InputRef) -> VideoGenerationRequest:
        """The start image: a path, bytes, an http(s) URL or an asset id."""
        return self._with(image=input_ref(image, role="image"))

    def with_end_image(self, image: InputValue | InputRef) -> VideoGenerationRequest:
        """The last frame, for models that take one."""
        return self._with(end_image=input_ref(image, role="end_image"))

    def with_video(self, video: InputValue | InputRef) -> VideoGenerationRequest:
        """The video to extend."""
        return self._with(video=input_ref(video, role="video"))

    def with_audio_file(self, audio: InputValue | InputRef) -> VideoGenerationRequest:
        """The speech for lip-sync."""
        return self._with(audio_file=input_ref(audio, role="audio"))

    def with_camera_motion(self, motion: str) -> VideoGenerationRequest:
        return self._with(camera_motion=motion)

    def with_motion_strength(self, strength: float) -> VideoGenerationRequest:
        return self._with(motion_strength=strength)

    def with_storyboard(self, scenes: Iterable[Any]) -> VideoGenerationRequest:
        """Scenes as ``{"prompt", "duration"}`` dicts or ``(prompt, seconds)`` pairs."""
        return self._with(storyboard=_scenes(scenes))

    def with_webhook_url(self, url: str) -> VideoGenerationRequest:
        """Also POST this job's terminal event here (signed; see ``reelsmith.webhooks``)."""
        return self._with(webhook_url=url)

    def with_fallback_models(self, *models: str) -> VideoGenerationRequest:
        """Models (same method, up to 3) tried in order if the model's provider fails
        before any output. The hold is the highest of their prices; the job is charged
        the price of the model that delivered. ``attempts`` on the result lists each try."""
        if any(not isinstance(m, str) or not m for m in models):
            raise TypeError("fallback models are model ids (non-empty strings).")
        return self._with(fallback_models=tuple(models) or None)

    def with_mode(self, mode: str) -> VideoGenerationRequest:
        """``"continue"`` on extend-video with an image-to-video model (see
        ``with_continuation``); Grok's ``fun``/``normal``/``spicy``."""
        return self._with(mode=mode)

    def with_crossfade(self, seconds: float) -> VideoGenerationRequest:
        """Seconds (0-1) of dissolve between a video and its continuation."""
        return self._with(crossfade=seconds)

    def with_continuation(
        self, model: str, *, crossfade: float | None = None
    ) -> VideoGenerationRequest:
        """Continue the video (``with_video``) with an image-to-video ``model``: the
        model starts from the video's last frame and the result is one video, the source
        followed by the continuation. Priced as the model's run; chain it for long videos."""
        return self._with(method="extend-video", mode="continue", model=model, crossfade=crossfade)

    def with_output_format(self, output_format: str) -> VideoGenerationRequest:
        """``"hls"``: also an adaptive HLS set (tiers in the server's HLS_TIERS); the
        result then has ``hls_url`` (the signed master playlist) besides ``mp4_url``."""
        return self._with(output_format=output_format)

    def with_param(self, name: str, value: Any) -> VideoGenerationRequest:
        """Any other model option the API takes (e.g. ``cfg_scale``)."""
        return self._with(extra=(*((k, v) for k, v in self.extra if k != name), (name, value)))

    # --- what is sent ------------------------------------------------------------------

    def inferred_method(self) -> str:
        if self.method:
            return self.method
        if self.storyboard:
            return "storyboard"
        if self.video is not None:
            return "extend-video"
        if self.image is not None and self.audio_file is not None:
            return "lip-sync"
        if self.image is not None:
            return "image-to-video"
        return "text-to-video"

    def inputs(self) -> dict[str, InputRef]:
        """The input slots of the API (source, end_image, audio) and what fills them."""
        if self.image is not None and self.video is not None:
            raise ValueError("A request takes an image or a video as its source, not both.")
        slots: dict[str, InputRef] = {}
        source = self.image or self.video
        if source is not None:
            slots["source"] = source
        if self.end_image is not None:
            slots["end_image"] = self.end_image
        if self.audio_file is not None:
            slots["audio"] = self.audio_file
        return slots

    def fields(self) -> dict[str, Any]:
        """The job's fields (no inputs, no width/height: see ``resolve_size``)."""
        out: dict[str, Any] = {"method": self.inferred_method()}
        if self.prompt:
            out["prompt"] = self.prompt
        simple = {
            "model": self.model,
            "duration": self.duration,
            "resolution": self.resolution,
            "aspect_ratio": self.aspect_ratio,
            "fps": self.fps,
            "quality": self.quality,
            "seed": self.seed,
            "negative_prompt": self.negative_prompt,
            "with_audio": self.audio,
            "camera_motion": self.camera_motion,
            "motion_strength": self.motion_strength,
            "webhook_url": self.webhook_url,
            "mode": self.mode,
            "crossfade": self.crossfade,
            "output_format": self.output_format,
        }
        out.update({k: v for k, v in simple.items() if v is not None})
        if self.fallback_models:
            out["fallback_models"] = list(self.fallback_models)
        if self.storyboard:
            out["storyboard"] = [{"prompt": p, "duration": d} for p, d in self.storyboard]
        out.update(dict(self.extra))
        return out

    def estimate_fields(self) -> dict[str, Any]:
        """The fields of ``POST /api/v1/estimate-cost``: inputs only marked present."""
        # Submit-only choices the estimate does not take: HLS is packaged from the MP4,
        # and fallbacks are priced one by one (``estimate_hold``).
        skip = {"webhook_url", "fallback_models", "output_format", "mode", "crossfade"}
        out = {k: v for k, v in self.fields().items() if k not in skip}
        continuing = self.mode == "continue" and out.get("method") == "extend-video"
        video_role = "image" if continuing else "video"
        if continuing:
            # A continuation is priced as the model's image-to-video run from the last frame.
            out["method"] = "image-to-video"
        elif self.mode is not None:
            out["mode"] = self.mode
        names = {
            "source": video_role if self.video is not None else "image",
            "end_image": "end_image",
        }
        for slot in self.inputs():
            out[names.get(slot, slot)] = "given"
        return out
