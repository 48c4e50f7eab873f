"""Whole-clip conversions: transcode, optimize, scale, mute, add or replace audio."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import numpy as np

from apps.media.engine import OutputContainer, OutputSpec, frame_count, output_fps
from apps.media.errors import MediaValidationError
from apps.media.frames import even, fit
from apps.media.ops._common import audio_input, mix, reencode, source_audio, video_input
from apps.media.ops.remux import audio_copyable, remux, video_copyable, with_new_audio
from apps.media.probe import MediaInfo
from apps.media.progress import CancelCheck, Progress, ProgressCallback
from apps.media.sources import AUDIO_RATE, decode_audio, exact_length

Quality = Literal["low", "medium", "high"]
Resolution = Literal["480p", "720p", "1080p", "1440p", "2160p"]
RESOLUTIONS: dict[str, int] = {
    "480p": 480,
    "720p": 720,
    "1080p": 1080,
    "1440p": 1440,
    "2160p": 2160,
}
MAX_LONG_SIDE = 4096
_QUALITY = {  # crf, audio bits/s
    "low": (30, 96_000),
    "medium": (26, 128_000),
    "high": (21, 160_000),
}


def transcode(
    *,
    src: Path,
    dst: Path,
    container: OutputContainer = "mp4",
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Convert to MP4 (H.264/AAC), WebM (VP9/Opus) or MOV (H.264/AAC). H.264/AAC in an
    MP4 or MOV going to MP4 or MOV is remuxed (streams copied); the rest is re-encoded."""
    if container not in ("mp4", "webm", "mov"):
        raise MediaValidationError("container must be mp4, webm or mov.")
    info = video_input(src)
    if video_copyable(info, container) and (not info.has_audio or audio_copyable(info, container)):
        progress = Progress(on_progress, should_cancel, total=info.frame_count)
        return remux(info=info, dst=dst, container=container, keep_audio=True, progress=progress)
    fps = output_fps(info)
    count = frame_count(info.duration, fps)
    return reencode(
        src=info.path,
        dst=dst,
        info=info,
        width=even(info.width),
        height=even(info.height),
        fps=fps,
        count=count,
        audio=source_audio(info, seconds=count / fps),
        spec=OutputSpec(container=container),
        on_progress=on_progress,
        should_cancel=should_cancel,
    )


def optimize(
    *,
    src: Path,
    dst: Path,
    quality: Quality | None = "medium",
    target_size_mb: float | None = None,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Re-encode to a quality level, or to fit (about) a target size in megabytes."""
    info = video_input(src)
    fps = output_fps(info)
    count = frame_count(info.duration, fps)
    seconds = count / fps
    if target_size_mb is not None:
        if target_size_mb <= 0:
            raise MediaValidationError("target_size_mb must be positive.")
        audio_rate = 64_000 if info.has_audio else 0
        total = target_size_mb * 8_000_000 * 0.92 / float(seconds)  # 8% container headroom
        video_rate = int(total - audio_rate)
        if video_rate < 50_000:
            raise MediaValidationError(
                f"{target_size_mb:g} MB is too small for {float(seconds):.1f} s of video.",
                details={"target_size_mb": target_size_mb, "duration": float(seconds)},
            )
        spec = OutputSpec(video_bitrate=video_rate, audio_bitrate=audio_rate or 64_000)
    else:
        if quality not in _QUALITY:
            raise MediaValidationError("quality must be low, medium or high.")
        crf, audio_rate = _QUALITY[quality]
        spec = OutputSpec(crf=crf, audio_bitrate=audio_rate, preset="faster")
    return reencode(
        src=info.path,
        dst=dst,
        info=info,
        width=even(info.width),
        height=even(info.height),
        fps=fps,
        count=count,
        audio=source_audio(info, seconds=seconds),
        spec=spec,
        on_progress=on_progress,
        should_cancel=should_cancel,
    )


def scaled_size(width: int, height: int, resolution: str) -> tuple[int, int]:
    """Output size for a named resolution: the short side, keeping aspect, long side capped."""
    if resolution not in RESOLUTIONS:
        raise MediaValidationError(
            f"resolution must be one of {', '.join(RESOLUTIONS)}.",
            details={"resolution": resolution},
        )
    short = RESOLUTIONS[resolution]
    scale = short / min(width, height)
    if max(width, height) * scale > MAX_LONG_SIDE:
        scale = MAX_LONG_SIDE / max(width, height)
    return even(width * scale), even(height * scale)


def scale(
    *,
    src: Path,
    dst: Path,
    resolution: Resolution,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Scale (up or down) so the short side matches ``resolution``, keeping the aspect."""
    info = video_input(src)
    width, height = scaled_size(info.width, info.height, resolution)
    fps = output_fps(info)
    count = frame_count(info.duration, fps)
    return reencode(
        src=info.path,
        dst=dst,
        info=info,
        width=width,
        height=height,
        fps=fps,
        count=count,
        transform=lambda f: fit(f, width, height, "stretch", "BICUBIC"),
        audio=source_audio(info, seconds=count / fps),
        on_progress=on_progress,
        should_cancel=should_cancel,
    )


upscale = scale


def mute(
    *,
    src: Path,
    dst: Path,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Drop the audio track (the video is copied when it can be, else re-encoded)."""
    info = video_input(src)
    if video_copyable(info):
        progress = Progress(on_progress, should_cancel, total=info.frame_count)
        return remux(info=info, dst=dst, container="mp4", keep_audio=False, progress=progress)
    fps = output_fps(info)
    return reencode(
        src=info.path,
        dst=dst,
        info=info,
        width=even(info.width),
        height=even(info.height),
        fps=fps,
        count=frame_count(info.duration, fps),
        on_progress=on_progress,
        should_cancel=should_cancel,
    )


def set_audio(
    *,
    src: Path,
    audio: Path,
    dst: Path,
    mode: Literal["replace", "add"] = "replace",
    audio_offset: float = 0.0,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Replace the audio, or mix a new track over it. Longer audio is cut to the video;
    shorter audio leaves silence after it. ``audio_offset`` skips into the new track.

    The video is copied when it can be; the new track is then copied too when it is AAC
    taken from its start (cut at the video's end; a shorter one simply ends early), and
    encoded otherwise."""
    if mode not in ("replace", "add"):
        raise MediaValidationError("mode must be replace or add.")
    info = video_input(src)
    track = audio_input(audio)
    if video_copyable(info):
        progress = Progress(on_progress, should_cancel, total=info.frame_count)
        samples = round(info.duration * AUDIO_RATE)
        chunks = None
        if mode == "add" or audio_offset > 0 or not audio_copyable(track):
            chunks = _new_audio(info, track, mode, audio_offset, info.duration, samples)
        return with_new_audio(
            info=info, track=track, dst=dst, chunks=chunks, samples=samples, progress=progress
        )
    fps = output_fps(info)
    count = frame_count(info.duration, fps)
    samples = round(count / fps * AUDIO_RATE)
    new = _new_audio(info, track, mode, audio_offset, count / fps, samples)
    return reencode(
        src=info.path,
        dst=dst,
        info=info,
        width=even(info.width),
        height=even(info.height),
        fps=fps,
        count=count,
        audio=new,
        on_progress=on_progress,
        should_cancel=should_cancel,
    )


def _new_audio(
    info: MediaInfo, track: MediaInfo, mode: str, offset: float, seconds: float, samples: int
) -> Iterator[np.ndarray]:
    new = exact_length(decode_audio(track.path, start=max(0.0, offset)), samples)
    if mode == "add" and info.has_audio:
        old = source_audio(info, seconds=seconds)
        assert old is not None
        new = exact_length(mix(old, new), samples)
    return new


def add_audio(**kwargs) -> MediaInfo:  # type: ignore[no-untyped-def]
    """Mix a track over the existing audio (see set_audio)."""
    return set_audio(mode="add", **kwargs)


def replace_audio(**kwargs) -> MediaInfo:  # type: ignore[no-untyped-def]
    """Replace the audio track (see set_audio)."""
    return set_audio(mode="replace", **kwargs)
