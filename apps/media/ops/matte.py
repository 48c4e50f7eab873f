"""Background removal: a person-segmentation network keys the subject out of every frame.

The network is MediaPipe's selfie segmentation (a ~250 kB TFLite model that ships inside
the `mediapipe` wheel, run on the CPU by its bundled TFLite/XNNPACK runtime), so nothing
is downloaded at run time. It segments people (and what they hold close); other subjects
are not what it was trained for.

Each frame is segmented at a small size (the network's input is 256 px anyway), the mask
is smoothed over time so edges do not shimmer from frame to frame, softly thresholded,
scaled back up and then either kept as the alpha channel of a WebM (VP9, yuva420p) or
used to composite the subject over a solid colour (MP4).
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path
from typing import Any

import numpy as np
from av.video.frame import VideoFrame
from PIL import Image

from apps.media.engine import OutputSpec, frame_count, output_fps
from apps.media.errors import MediaError, MediaValidationError
from apps.media.frames import even
from apps.media.ops._common import reencode, source_audio, video_input
from apps.media.probe import MediaInfo
from apps.media.progress import CancelCheck, ProgressCallback

SEGMENT_LONG_SIDE = 384  # px the network sees (its own input is 256 px square / 256x144)
SMOOTHING = 0.6  # weight of the new frame's mask against the running one (1 = none)
EDGE_LOW, EDGE_HIGH = 0.3, 0.7  # mask confidence mapped to alpha 0 .. 1 (a soft edge)
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class MatteUnavailable(MediaError):
    """The segmentation network (the mediapipe package) is not installed here."""

    code = "MODEL_UNAVAILABLE"


@functools.cache
def matte_installed() -> bool:
    """Whether the segmentation network's package is installed, without importing it
    (importing mediapipe takes a second; the catalog asks on every listing)."""
    return importlib.util.find_spec("mediapipe") is not None


def matte_available() -> bool:
    if not matte_installed():
        return False
    try:
        _segmenter_class()
    except MatteUnavailable:
        return False
    return True


def parse_colour(value: str) -> tuple[int, int, int]:
    """'#rrggbb' -> (r, g, b)."""
    if not isinstance(value, str) or not COLOUR.match(value):
        raise MediaValidationError(
            "background_color must be a hex colour like #00ff00.",
            details={"background_color": value},
        )
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def remove_background(
    *,
    src: Path,
    dst: Path,
    background_color: str | None = None,
    smoothing: float = SMOOTHING,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Cut the person out of every frame: WebM (VP9) with alpha, or an MP4 on
    ``background_color`` ('#rrggbb') when one is given. Audio is kept."""
    colour = parse_colour(background_color) if background_color is not None else None
    if not 0 < smoothing <= 1:
        raise MediaValidationError("smoothing must be in (0, 1].")
    info = video_input(src)
    fps = output_fps(info)
    count = frame_count(info.duration, fps)
    width, height = even(info.width), even(info.height)
    segment = _segment_size(width, height)
    matte = _Matte(landscape=width > height, smoothing=smoothing)
    try:

        def transform(frame: VideoFrame) -> VideoFrame:
            # Work on the decoded YUV planes: no RGB round trip at full size.
            if frame.format.name != "yuv420p" or (frame.width, frame.height) != (width, height):
                frame = frame.reformat(width, height, "yuv420p")
            small = frame.to_ndarray(width=segment[0], height=segment[1], format="rgb24")
            alpha = matte.alpha(small, size=(width, height))
            if colour is None:
                return _with_alpha(frame, alpha)
            return _over(frame, alpha, colour)

        return reencode(
            src=info.path,
            dst=dst,
            info=info,
            width=width,
            height=height,
            fps=fps,
            count=count,
            transform=transform,
            audio=source_audio(info, seconds=count / fps),
            spec=OutputSpec(container="mp4") if colour else OutputSpec("webm", alpha=True),
            on_progress=on_progress,
            should_cancel=should_cancel,
        )
    finally:
        matte.close()


class _Matte:
    """One network instance and the running (temporally smoothed) mask of one clip."""

    def __init__(self, *, landscape: bool, smoothing: float) -> None:
        # model_selection 1 is the 256x144 model tuned for landscape frames.
        self._net: Any = _segmenter_class()(model_selection=1 if landscape else 0)
        self._smoothing = smoothing
        self._running: np.ndarray | None = None

    def alpha(self, rgb: np.ndarray, *, size: tuple[int, int]) -> np.ndarray:
        """The alpha plane (uint8, size = (width, height)) for one RGB frame."""
        result = self._net.process(np.ascontiguousarray(rgb))
        mask = result.segmentation_mask
        if mask is None:  # the graph gave nothing for this frame: keep the last mask
            mask = self._running if self._running is not None else np.zeros(rgb.shape[:2])
        mask = np.asarray(mask, dtype=np.float32)
        if self._running is None or self._running.shape != mask.shape:
            self._running = mask
        else:
            self._running = self._running + self._smoothing * (mask - self._running)
        soft = np.clip((self._running - EDGE_LOW) / (EDGE_HIGH - EDGE_LOW), 0.0, 1.0)
        plane = Image.fromarray((soft * 255 + 0.5).astype(np.uint8))
        return np.asarray(plane.resize(size, Image.Resampling.BILINEAR))

    def close(self) -> None:
        self._net.close()


def _planes(frame: VideoFrame) -> list[np.ndarray]:
    """Writable views of a frame's planes (without the line padding)."""
    return [
        np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[: plane.height, : plane.width]
        for plane in frame.planes
    ]


def _with_alpha(frame: VideoFrame, alpha: np.ndarray) -> VideoFrame:
    out = VideoFrame(frame.width, frame.height, "yuva420p")
    for target, source in zip(_planes(out), [*_planes(frame), alpha], strict=True):
        target[:] = source
    return out


def _over(frame: VideoFrame, alpha: np.ndarray, colour: tuple[int, int, int]) -> VideoFrame:
    """The frame composited over a solid colour, in the YUV domain (integer maths)."""
    h, w = alpha.shape
    half = alpha.reshape(h // 2, 2, w // 2, 2).astype(np.uint16).sum(axis=(1, 3)) // 4
    out = VideoFrame(frame.width, frame.height, "yuv420p")
    weights = (alpha.astype(np.uint16), half, half)
    for target, source, a, c in zip(
        _planes(out), _planes(frame), weights, _yuv(colour), strict=True
    ):
        target[:] = (source * a + c * (255 - a) + 127) // 255
    return out


def _yuv(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """An RGB colour in limited-range BT.601 YUV, as the encoder's frames are read back."""
    r, g, b = colour
    y = 16 + 0.257 * r + 0.504 * g + 0.098 * b
    u = 128 - 0.148 * r - 0.291 * g + 0.439 * b
    v = 128 + 0.439 * r - 0.368 * g - 0.071 * b
    return round(y), round(u), round(v)


def _segment_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, SEGMENT_LONG_SIDE / max(width, height))
    return max(2, even(width * scale)), max(2, even(height * scale))


def _segmenter_class() -> Any:
    try:
        from mediapipe.python.solutions.selfie_segmentation import SelfieSegmentation
    except ImportError as exc:
        raise MatteUnavailable(
            "Background removal needs the mediapipe package, which is not installed.",
        ) from exc
    return SelfieSegmentation
