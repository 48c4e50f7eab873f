"""Read what a media file is: container, streams, duration, size, rotation."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.container
from PIL import Image

from apps.media.errors import CorruptionDetected, MediaValidationError, UnsupportedFormat
from apps.media.formats import IMAGE_CONTAINERS, Kind, Sniffed, sniff

# Pillow's own bomb guard stays as a second line; ours is checked from the header first.
PIL_FORMATS = list(IMAGE_CONTAINERS.values())


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What a file holds. Width and height are as displayed (rotation applied)."""

    path: Path
    kind: Kind
    container: str
    size_bytes: int
    width: int = 0
    height: int = 0
    duration: float = 0.0  # seconds
    fps: float = 0.0
    frame_count: int = 0
    video_codec: str | None = None
    audio_codec: str | None = None
    bitrate: int = 0  # bits per second, whole file
    rotation: int = 0  # degrees counter-clockwise to display; 0, 90, 180 or 270
    has_audio: bool = False
    audio_sample_rate: int = 0
    audio_channels: int = 0
    pixel_format: str | None = None

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None

    @property
    def frame_rate(self) -> Fraction:
        return Fraction(self.fps).limit_denominator(1001) if self.fps else Fraction(0)


def open_container(path: Path, sniffed: Sniffed | None = None) -> av.container.InputContainer:
    """Open a local file with exactly the demuxer its magic bytes call for."""
    sniffed = sniffed or sniff(path)
    if sniffed.demuxer is None:
        raise UnsupportedFormat(f"{sniffed.container} is an image, not audio or video.")
    try:
        return av.open(
            str(path),
            mode="r",
            format=sniffed.demuxer,
            container_options={
                "protocol_whitelist": "file",
                "format_whitelist": sniffed.demuxer,
            },
        )
    except av.error.FFmpegError as exc:
        raise CorruptionDetected(
            f"The {sniffed.container.upper()} file cannot be read; it looks damaged or truncated.",
            details={"reason": str(exc)},
        ) from exc


def open_image(path: Path, *, max_pixels: int, sniffed: Sniffed | None = None) -> Image.Image:
    """Open an image lazily, check its header size, and only then decode it."""
    sniffed = sniffed or sniff(path)
    if sniffed.kind != "image":
        raise UnsupportedFormat("Expected a JPG, PNG or WebP image.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(path, formats=[IMAGE_CONTAINERS[sniffed.container]])
            w, h = img.size
            if w <= 0 or h <= 0 or w * h > max_pixels:
                img.close()
                raise MediaValidationError(
                    f"The image is {w}x{h} ({w * h / 1e6:.1f} MP); the limit is "
                    f"{max_pixels / 1e6:.0f} MP.",
                    details={"width": w, "height": h, "max_pixels": max_pixels},
                )
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise MediaValidationError(
                f"The image is too large to decode safely; the limit is {max_pixels / 1e6:.0f} MP.",
                details={"max_pixels": max_pixels, "reason": str(exc)},
            ) from exc
        except MediaValidationError:
            raise
        except (OSError, SyntaxError, ValueError) as exc:
            raise CorruptionDetected(
                "The image cannot be decoded; it looks damaged or truncated.",
                details={"reason": str(exc)},
            ) from exc
    return img


def probe(path: Path) -> MediaInfo:
    """Describe a file. Decodes at most the first video frame (to read rotation)."""
    path = Path(path)
    sniffed = sniff(path)
    size = path.stat().st_size
    if sniffed.kind == "image":
        return _probe_image(path, sniffed, size)
    with open_container(path, sniffed) as container:
        return _probe_av(path, sniffed, size, container)


def _probe_image(path: Path, sniffed: Sniffed, size: int) -> MediaInfo:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=[IMAGE_CONTAINERS[sniffed.container]]) as img:
                w, h = img.size
                mode = img.mode
    except Image.DecompressionBombError:
        raise
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptionDetected(
            "The image header cannot be read.", details={"reason": str(exc)}
        ) from exc
    return MediaInfo(
        path=path,
        kind="image",
        container=sniffed.container,
        size_bytes=size,
        width=w,
        height=h,
        pixel_format=mode,
    )


def _probe_av(
    path: Path, sniffed: Sniffed, size: int, container: av.container.InputContainer
) -> MediaInfo:
    vstream = container.streams.video[0] if container.streams.video else None
    astream = container.streams.audio[0] if container.streams.audio else None
    if vstream is None and astream is None:
        raise CorruptionDetected("The file holds neither a video nor an audio stream.")
    kind: Kind = "video" if vstream is not None else "audio"
    name = sniffed.container
    if kind == "audio" and name in {"mp4", "mov"}:
        name = "m4a"
    if kind == "video" and sniffed.kind == "audio":
        raise UnsupportedFormat(f"A {name.upper()} audio file must not carry video.")

    duration = 0.0
    if container.duration:
        duration = container.duration / av.time_base
    info: dict[str, object] = {
        "path": path,
        "kind": kind,
        "container": name,
        "size_bytes": size,
        "bitrate": int(container.bit_rate or 0),
    }
    if astream is not None:
        cc = astream.codec_context
        info.update(
            has_audio=True,
            audio_codec=cc.name,
            audio_sample_rate=int(cc.sample_rate or 0),
            audio_channels=int(cc.channels or 0),
        )
        if astream.duration and astream.time_base:
            duration = max(duration, float(astream.duration * astream.time_base))
    if vstream is not None:
        cc = vstream.codec_context
        rate = vstream.average_rate or vstream.guessed_rate or vstream.base_rate
        fps = float(rate) if rate else 0.0
        vdur = float(vstream.duration * vstream.time_base) if vstream.duration else 0.0
        if vdur:
            duration = vdur
        frames = int(vstream.frames or 0) or (round(duration * fps) if fps else 0)
        rotation = _first_frame_rotation(container, vstream)
        w, h = int(cc.width or 0), int(cc.height or 0)
        if rotation in (90, 270):
            w, h = h, w
        info.update(
            width=w,
            height=h,
            fps=round(fps, 3),
            frame_count=frames,
            video_codec=cc.name,
            rotation=rotation,
            pixel_format=cc.format.name if cc.format else None,
        )
    info["duration"] = round(duration, 4)
    return MediaInfo(**info)  # type: ignore[arg-type]


def _first_frame_rotation(container: av.container.InputContainer, stream: av.VideoStream) -> int:
    try:
        for frame in container.decode(stream):
            return round(frame.rotation or 0) % 360
    except av.error.FFmpegError as exc:
        raise CorruptionDetected(
            "The first video frame cannot be decoded; the file looks damaged.",
            details={"reason": str(exc)},
        ) from exc
    raise CorruptionDetected("The video stream has no decodable frames.")
