"""Decide whether an upload is media we accept: allow-listed, intact, within limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av

from apps.media.errors import CorruptionDetected, MediaValidationError, UnsupportedFormat
from apps.media.formats import AUDIO_CODECS, VIDEO_CODECS, Kind, sniff
from apps.media.probe import MediaInfo, open_container, open_image, probe


@dataclass(frozen=True, slots=True)
class Limits:
    """Input limits. Video sizes hold in either orientation (long side x short side)."""

    min_video_long: int = 480
    min_video_short: int = 270
    max_video_long: int = 4096
    max_video_short: int = 2160
    max_duration: float = 600.0  # seconds
    max_frames: int = 600 * 60
    max_fps: float = 120.0
    max_image_pixels: int = 40_000_000
    min_image_side: int = 16
    max_file_bytes: int | None = None


DEFAULT_LIMITS = Limits()


def validate(
    *,
    path: Path,
    limits: Limits = DEFAULT_LIMITS,
    expect: Kind | None = None,
    deep: bool = True,
) -> MediaInfo:
    """Check a local file and return its probe, or raise a typed MediaError.

    ``deep`` reads every packet (no decoding) to catch truncated files whose index
    promises more than the file holds.
    """
    path = Path(path)
    sniffed = sniff(path)
    size = path.stat().st_size
    if limits.max_file_bytes is not None and size > limits.max_file_bytes:
        raise MediaValidationError(
            f"The file is {size / 1e6:.1f} MB; the limit is {limits.max_file_bytes / 1e6:.0f} MB.",
            details={"size_bytes": size, "max_file_bytes": limits.max_file_bytes},
        )
    if sniffed.kind == "image":
        open_image(path, max_pixels=limits.max_image_pixels, sniffed=sniffed).close()
    info = probe(path)
    if expect is not None and info.kind != expect:
        raise UnsupportedFormat(
            f"Received {_KIND_WORDS[info.kind]} ({info.container.upper()}) where "
            f"{_KIND_WORDS[expect]} is needed; accepted: {ACCEPTED_TEXT[expect]}.",
            details={"expected": expect, "kind": info.kind, "format": info.container},
        )
    if info.kind == "image":
        _check_image(info, limits)
        return info
    _check_codecs(info)
    _check_limits(info, limits)
    if deep:
        _check_intact(info)
    return info


_KIND_WORDS = {"image": "an image", "video": "a video", "audio": "an audio file"}
ACCEPTED_TEXT = {
    "image": "JPG, PNG or WebP images",
    "video": "MP4, MOV, WebM or AVI video",
    "audio": "MP3, WAV or M4A audio",
}


def _check_image(info: MediaInfo, limits: Limits) -> None:
    if min(info.width, info.height) < limits.min_image_side:
        raise MediaValidationError(
            f"The image is {info.width}x{info.height}; each side must be at least "
            f"{limits.min_image_side} px.",
            details={"width": info.width, "height": info.height},
        )


def _check_codecs(info: MediaInfo) -> None:
    if info.video_codec is not None and info.video_codec not in VIDEO_CODECS:
        raise UnsupportedFormat(
            f"Video codec {info.video_codec} is not supported.",
            details={"video_codec": info.video_codec},
        )
    if info.audio_codec is not None and info.audio_codec not in AUDIO_CODECS:
        raise UnsupportedFormat(
            f"Audio codec {info.audio_codec} is not supported.",
            details={"audio_codec": info.audio_codec},
        )


def _check_limits(info: MediaInfo, limits: Limits) -> None:
    details = {"width": info.width, "height": info.height, "duration": info.duration}
    if info.duration <= 0:
        raise CorruptionDetected("The file reports no duration.", details=details)
    if info.duration > limits.max_duration:
        raise MediaValidationError(
            f"The media is {info.duration:.1f} s long; the limit is {limits.max_duration:.0f} s.",
            details=details,
        )
    if info.kind != "video":
        return
    long_side, short_side = max(info.width, info.height), min(info.width, info.height)
    if long_side > limits.max_video_long or short_side > limits.max_video_short:
        raise MediaValidationError(
            f"The video is {info.width}x{info.height}; the largest accepted is "
            f"{limits.max_video_long}x{limits.max_video_short} (either orientation).",
            details=details,
        )
    if long_side < limits.min_video_long or short_side < limits.min_video_short:
        raise MediaValidationError(
            f"The video is {info.width}x{info.height}; the smallest accepted is "
            f"{limits.min_video_long}x{limits.min_video_short} (either orientation).",
            details=details,
        )
    if info.fps > limits.max_fps:
        raise MediaValidationError(
            f"The video runs at {info.fps:g} fps; the limit is {limits.max_fps:g}.",
            details=details,
        )
    if info.frame_count > limits.max_frames:
        raise MediaValidationError(
            f"The video has {info.frame_count} frames; the limit is {limits.max_frames}.",
            details=details,
        )


def _check_intact(info: MediaInfo) -> None:
    """Demux every packet: the stream must reach (nearly) the duration its index claims."""
    with open_container(info.path) as container:
        stream = container.streams.video[0] if info.has_video else container.streams.audio[0]
        packets = 0
        end = 0.0
        try:
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                packets += 1
                if packet.pts is not None and packet.time_base is not None:
                    end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
        except av.error.FFmpegError as exc:
            raise CorruptionDetected(
                "The file is damaged: reading its packets failed.", details={"reason": str(exc)}
            ) from exc
        start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
    declared = info.frame_count if info.has_video else 0
    truncated = packets == 0 or (end - start) < info.duration * 0.9 - 0.1
    if declared and packets < declared * 0.9 - 1:
        truncated = True
    if truncated:
        raise CorruptionDetected(
            "The file is truncated: it holds less media than its header declares.",
            details={"packets": packets, "declared_frames": declared, "media_end": round(end, 3)},
        )
