"""Still images from a video: poster thumbnail, sprite sheet, last frame."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import av
from av.video.frame import VideoFrame
from PIL import Image

from apps.media.errors import CorruptionDetected, MediaValidationError
from apps.media.ops._common import video_input
from apps.media.probe import MediaInfo, probe
from apps.media.progress import CancelCheck, Progress, ProgressCallback
from apps.media.sources import decode_video

_IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


def _save(img: Image.Image, dst: Path, progress: Progress) -> MediaInfo:
    dst = Path(dst)
    fmt = _IMAGE_FORMATS.get(dst.suffix.lower())
    if fmt is None:
        raise MediaValidationError("The image must be saved as .jpg, .png or .webp.")
    tmp = dst.with_name(f".{dst.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        img.convert("RGB").save(tmp, format=fmt, **({"quality": 88} if fmt != "PNG" else {}))
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    progress.finish()
    return probe(dst)


def _frame_at(src: Path, at: float) -> VideoFrame:
    """The first frame shown at or after ``at`` seconds (seeks to the keyframe before)."""
    frames = decode_video(src, start=at)
    last: VideoFrame | None = None
    try:
        for t, frame in frames:
            last = frame
            if t + 1e-3 >= at:
                break
    finally:
        frames.close()
    if last is None:
        raise CorruptionDetected("No frame could be decoded at that time.", details={"at": at})
    return last


def _resized(frame: VideoFrame, width: int | None) -> Image.Image:
    if width and width < frame.width:
        height = max(2, round(frame.height * width / frame.width))
        frame = frame.reformat(width, height, "rgb24", interpolation="AREA")
    return frame.to_image()


def thumbnail(
    *,
    src: Path,
    dst: Path,
    at: float | None = None,
    width: int | None = None,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Save a poster image (JPG/PNG/WebP by ``dst`` suffix), by default at 10% in."""
    progress = Progress(on_progress, should_cancel)
    info = video_input(src)
    if at is None:
        at = min(1.0, info.duration * 0.1)
    at = min(max(0.0, at), max(0.0, info.duration - 0.001))
    progress.check()
    return _save(_resized(_frame_at(info.path, at), width), dst, progress)


def sprite_sheet(
    *,
    src: Path,
    dst: Path,
    columns: int = 5,
    rows: int = 5,
    tile_width: int = 160,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """A grid of evenly spaced frames, left to right then top to bottom."""
    if not (1 <= columns <= 20 and 1 <= rows <= 20 and 16 <= tile_width <= 640):
        raise MediaValidationError("columns and rows must be 1-20, tile_width 16-640.")
    info = video_input(src)
    tiles = columns * rows
    progress = Progress(on_progress, should_cancel, total=tiles)
    tile_height = max(2, round(info.height * tile_width / info.width))
    sheet = Image.new("RGB", (columns * tile_width, rows * tile_height))
    step = info.duration / tiles
    times = [(i + 0.5) * step for i in range(tiles)]
    # One forward pass when tiles are dense, a seek per tile when they are sparse.
    source: Iterator[tuple[float, VideoFrame]] | None = None
    try:
        if step < 2.0:
            source = decode_video(info.path)
        prev: VideoFrame | None = None
        for i, at in enumerate(times):
            progress.check()
            if source is None:
                frame = _frame_at(info.path, at)
            else:
                frame = prev
                for t, f in source:
                    frame = f
                    if t + 1e-3 >= at:
                        break
                if frame is None:
                    raise CorruptionDetected("The video has no decodable frames.")
                prev = frame
            tile = frame.reformat(tile_width, tile_height, "rgb24", interpolation="AREA")
            sheet.paste(tile.to_image(), ((i % columns) * tile_width, (i // columns) * tile_height))
            progress.advance()
    finally:
        if source is not None:
            source.close()
    return _save(sheet, dst, progress)


def extract_last_frame(
    *,
    src: Path,
    dst: Path,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Save the final frame at full size (PNG recommended) for "continue from last frame"."""
    progress = Progress(on_progress, should_cancel)
    info = video_input(src)
    last: VideoFrame | None = None
    for back in (2.0, 10.0, info.duration + 1):
        frames = decode_video(info.path, start=max(0.0, info.duration - back))
        try:
            for _, frame in frames:
                progress.check()
                last = frame
        except av.error.FFmpegError:
            last = None
        finally:
            frames.close()
        if last is not None:
            break
    if last is None:
        raise CorruptionDetected("The last frame could not be decoded.")
    return _save(last.to_image(), dst, progress)
