"""The local provider: the catalog's `local/*` models run on the PyAV engine, inside the
worker, with progress and cancellation. Multi-step operations (an edit that trims, then
reframes, then changes speed) run as stages, each a streamed pass over the previous
stage's output, and report one 0-100 progress across all of them."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from apps import media
from apps.core.errors import ErrorCode
from apps.providers.base import CancelCheck, JobSpec, ProgressCallback, ProviderError

# A stage: (previous stage's output or None, dst, on_progress) -> MediaInfo
Step = Callable[[Path | None, Path, Callable[[int], None]], Any]


class LocalProvider:
    name = "local"
    inline = True

    def run(
        self,
        spec: JobSpec,
        *,
        workdir: Path,
        on_progress: ProgressCallback,
        should_cancel: CancelCheck,
    ) -> Path:
        plan = _PLANS.get(spec.provider_model)
        if plan is None:
            raise ProviderError(
                f"The local engine has no operation '{spec.provider_model}'.",
                code=ErrorCode.MODEL_UNAVAILABLE,
            )
        steps = plan(spec, workdir, should_cancel)
        if not steps:
            raise ProviderError(
                "Nothing to do: choose at least one change.", code=ErrorCode.VALIDATION_ERROR
            )
        current: Path | None = None
        for index, (stage, step) in enumerate(steps):
            dst = workdir / f"step{index}{_suffix(spec, last=index == len(steps) - 1)}"

            def report(pct: int, index: int = index, stage: str = stage) -> None:
                on_progress(int((index * 100 + pct) / len(steps)), stage)

            report(0)
            step(current, dst, report)
            current = dst
        assert current is not None
        on_progress(100, "Finished")
        return current


def _suffix(spec: JobSpec, *, last: bool) -> str:
    fmt = spec.params.get("output_format") if last else None
    if spec.provider_model == "remove-background" and not spec.params.get("background_color"):
        fmt = "webm"  # the alpha channel needs VP9
    return f".{fmt}" if fmt in ("webm", "mov") else ".mp4"


def _input(spec: JobSpec, role: str) -> Path:
    item = spec.inputs.get(role)
    if item is None or item.path is None:
        raise ProviderError(f"The job has no {role} file.", code=ErrorCode.VALIDATION_ERROR)
    return item.path


def _op(func: Callable[..., Any], cancel: CancelCheck, **kwargs: Any) -> Any:
    """A stage that runs `func` on the previous stage's output (or on `src=` if given)."""

    def step(previous: Path | None, dst: Path, report: Callable[[int], None]) -> Any:
        args = dict(kwargs)
        if "src" not in args and "clips" not in args and func not in _NO_SOURCE:
            args["src"] = previous
        return func(dst=dst, on_progress=report, should_cancel=cancel, **args)

    return step


def _generate_common(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "fps": p.get("fps") or 30,
        "resolution": p.get("resolution") or "720p",
        "aspect": p.get("aspect_ratio") or "16:9",
    }


def _text_to_video(spec: JobSpec, workdir: Path, cancel: CancelCheck) -> list:
    p = spec.params
    return [
        (
            "Rendering the animatic",
            _op(
                media.text_to_video,
                cancel,
                prompt=spec.prompt,
                duration=float(p.get("duration") or 5),
                **_generate_common(p),
            ),
        )
    ]


def _image_to_video(spec: JobSpec, workdir: Path, cancel: CancelCheck) -> list:
    p = spec.params
    return [
        (
            "Animating the image",
            _op(
                media.image_to_video,
                cancel,
                src=_input(spec, "image"),
                duration=float(p.get("duration") or 5),
                camera_motion=p.get("camera_motion") or "zoom_in",
                motion_strength=float(p.get("motion_strength", 0.5)),
                **_generate_common(p),
            ),
        )
    ]


def _extend(spec: JobSpec, workdir: Path, cancel: CancelCheck) -> list:
    p = spec.params
    return [
        (
            "Extending the clip",
            _op(
                media.extend,
                cancel,
                src=_input(spec, "video"),
                seconds=float(p.get("duration") or 5),
                # By default the clip's camera motion carries on (the media engine's
                # "continue"), rather than a frozen last frame.
                mode=p.get("mode") if p.get("mode") in media.EXTEND_MODES else "continue",
            ),
        )
    ]


def _lip_sync(spec: JobSpec, workdir: Path, cancel: CancelCheck) -> list:
    p = spec.params
    return [
        (
            "Voicing the portrait",
            _op(
                media.lipsync_preview,
                cancel,
                image=_input(spec, "image"),
                audio=_input(spec, "audio"),
                fps=p.get("fps") or 30,
                resolution=p.get("resolution") or "720p",
            ),
        )
    ]


def _storyboard(spec: JobSpec, workdir: Path, cancel: CancelCheck) -> list:
    p = spec.params
    scenes = p.get("storyboard") or []
    steps: list = []
    shots: list[Path] = []
    for number, scene in enumerate(scenes, start=1):
        shot = workdir / f"shot{number}.mp4"
        shots.append(shot)

        def render(
            previous: Path | None,
            dst: Path,
            report: Callable[[int], None],
            shot: Path = shot,
            scene: dict = scene,
        ) -> Any:
            return media.text_to_video(
                dst=shot,
                prompt=str(scene.get("prompt", "")),
                duration=float(scene.get("duration") or 5),
                on_progress=report,
                should_cancel=cancel,
                **_generate_common(p),
            )

        steps.append((f"Rendering shot {number} of {len(scenes)}", render))
    steps.append(
        (
            "Joining the shots",
            _op(media.concat, cancel, clips=shots, crossfade=float(p.get("crossfade") or 0.0)),
        )
    )
    return steps


def _edit(spec: JobSpec, workdir: Path, cancel: CancelCheck) -> list:
    p = spec.params
    source = _input(spec, "video")
    steps: list = []
    start, end = p.get("trim_start"), p.get("trim_end")
    if start is not None or end is not None:
        steps.append(
            (
                "Trimming",
                _op(
                    media.trim,
                    cancel,
                    start=float(start or 0.0),
                    end=None if end is None else float(end),
                    mode=p.get("trim_mode") or "accurate",
                ),
            )
        )
    if p.get("aspect_ratio"):
        mode = "pad" if p.get("fit") == "pad" else "crop"
        steps.append(("Reframing", _op(media.reframe, cancel, aspect=p["aspect_ratio"], mode=mode)))
    speed = p.get("speed")
    if speed not in (None, 1, 1.0):
        steps.append(("Changing speed", _op(media.change_speed, cancel, speed=float(speed))))
    if p.get("mute"):
        steps.append(("Muting", _op(media.mute, cancel)))
    return _from_source(steps, source)


def _enhance(spec: JobSpec, workdir: Path, cancel: CancelCheck) -> list:
    resolution = spec.params.get("resolution") or "1080p"
    return _from_source(
        [(f"Upscaling to {resolution}", _op(media.scale, cancel, resolution=resolution))],
        _input(spec, "video"),
    )


def _transform(spec: JobSpec, workdir: Path, cancel: CancelCheck) -> list:
    p = spec.params
    steps: list = []
    if p.get("aspect_ratio"):
        steps.append(("Reframing", _op(media.reframe, cancel, aspect=p["aspect_ratio"])))
    if p.get("resolution"):
        steps.append(("Resizing", _op(media.scale, cancel, resolution=p["resolution"])))
    container = p.get("output_format") or "mp4"
    if container == "hls":  # packaged into HLS at delivery, from this MP4
        container = "mp4"
    steps.append(
        (f"Converting to {container.upper()}", _op(media.transcode, cancel, container=container))
    )
    return _from_source(steps, _input(spec, "video"))


def _optimize(spec: JobSpec, workdir: Path, cancel: CancelCheck) -> list:
    p = spec.params
    target = p.get("target_size_mb")
    kwargs: dict[str, Any] = (
        {"target_size_mb": float(target), "quality": None}
        if target
        else {"quality": p.get("optimize_level") or "medium"}
    )
    return _from_source(
        [("Optimizing", _op(media.optimize, cancel, **kwargs))], _input(spec, "video")
    )


def _remove_background(spec: JobSpec, workdir: Path, cancel: CancelCheck) -> list:
    if not media.matte_available():
        raise ProviderError(
            "Background removal is not installed on this server (the mediapipe package).",
            code=ErrorCode.MODEL_UNAVAILABLE,
        )
    colour = spec.params.get("background_color") or None
    return _from_source(
        [
            (
                f"Removing the background (on {colour})" if colour else "Removing the background",
                _op(media.remove_background, cancel, background_color=colour),
            )
        ],
        _input(spec, "video"),
    )


def _from_source(steps: list, source: Path) -> list:
    """The first stage reads the job's input video; later ones read the previous stage."""
    if not steps:
        return steps
    stage, first = steps[0]

    def from_source(previous: Path | None, dst: Path, report: Callable[[int], None]) -> Any:
        return first(source, dst, report)

    return [(stage, from_source), *steps[1:]]


_NO_SOURCE = {media.text_to_video, media.lipsync_preview, media.concat}

_PLANS: dict[str, Callable[[JobSpec, Path, CancelCheck], list]] = {
    "text-to-video": _text_to_video,
    "image-to-video": _image_to_video,
    "extend-video": _extend,
    "lip-sync": _lip_sync,
    "storyboard": _storyboard,
    "edit": _edit,
    "enhance": _enhance,
    "transform": _transform,
    "optimize": _optimize,
    "remove-background": _remove_background,
}
