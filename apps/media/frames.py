"""Frame transforms in the yuv420p domain (numpy) and via swscale (reformat)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from av.video.frame import VideoFrame

FitMode = Literal["contain", "cover", "stretch"]
Interpolation = Literal["FAST_BILINEAR", "BILINEAR", "BICUBIC", "LANCZOS", "AREA"]


def even(value: float, minimum: int = 2) -> int:
    """Round to the nearest even integer (yuv420p needs even sizes)."""
    return max(minimum, round(value / 2.0) * 2)


def yuv(frame: VideoFrame) -> np.ndarray:
    """A yuv420p frame as its packed (h*3/2, w) array (copy)."""
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    return frame.to_ndarray()


def from_yuv(arr: np.ndarray) -> VideoFrame:
    return VideoFrame.from_ndarray(np.ascontiguousarray(arr), format="yuv420p")


def crop_yuv(frame: VideoFrame, x: int, y: int, w: int, h: int) -> VideoFrame:
    """Crop a frame (even offsets and sizes) in the yuv420p domain, without conversion."""
    if frame.format.name != "yuv420p" or frame.width % 2 or frame.height % 2:
        frame = frame.reformat(even(frame.width), even(frame.height), "yuv420p")
    fw, fh = frame.width, frame.height
    arr = frame.to_ndarray()
    yp = arr[:fh, :]
    uv = arr[fh:, :].reshape(2, fh // 2, fw // 2)
    out = np.empty((h * 3 // 2, w), np.uint8)
    out[:h] = yp[y : y + h, x : x + w]
    chroma = uv[:, y // 2 : (y + h) // 2, x // 2 : (x + w) // 2]
    out[h:] = chroma.reshape(-1, w)
    return from_yuv(out)


def pad_yuv(frame: VideoFrame, width: int, height: int, x: int, y: int) -> VideoFrame:
    """Place a yuv420p frame at (x, y) on a black canvas of the given size."""
    fw, fh = frame.width, frame.height
    arr = frame.to_ndarray()
    out = np.empty((height * 3 // 2, width), np.uint8)
    out[:height] = 16
    out[height:] = 128
    out[y : y + fh, x : x + fw] = arr[:fh]
    uv_in = arr[fh:].reshape(2, fh // 2, fw // 2)
    uv_out = out[height:].reshape(2, height // 2, width // 2)
    uv_out[:, y // 2 : (y + fh) // 2, x // 2 : (x + fw) // 2] = uv_in
    return from_yuv(out)


def fit(
    frame: VideoFrame,
    width: int,
    height: int,
    mode: FitMode = "contain",
    interpolation: Interpolation = "BICUBIC",
) -> VideoFrame:
    """Fit a frame into width x height: letterbox (contain), fill and crop (cover), stretch."""
    fw, fh = frame.width, frame.height
    if (fw, fh) == (width, height) or mode == "stretch":
        return frame.reformat(width, height, "yuv420p", interpolation=interpolation)
    if mode == "cover":
        scale = max(width / fw, height / fh)
        cw, ch = min(fw, even(width / scale)), min(fh, even(height / scale))
        x, y = even((fw - cw) / 2, 0), even((fh - ch) / 2, 0)
        x, y = min(x, fw - cw), min(y, fh - ch)
        cropped = crop_yuv(frame, x - x % 2, y - y % 2, cw, ch)
        return cropped.reformat(width, height, "yuv420p", interpolation=interpolation)
    scale = min(width / fw, height / fh)
    sw, sh = min(width, even(fw * scale)), min(height, even(fh * scale))
    scaled = frame.reformat(sw, sh, "yuv420p", interpolation=interpolation)
    if (sw, sh) == (width, height):
        return scaled
    return pad_yuv(scaled, width, height, even((width - sw) / 2, 0), even((height - sh) / 2, 0))


def blend(a: VideoFrame, b: VideoFrame, weight: float) -> VideoFrame:
    """Cross-dissolve two same-size frames; weight 0 is all a, 1 is all b."""
    w = round(weight * 256)
    out = (yuv(a).astype(np.uint16) * (256 - w) + yuv(b).astype(np.uint16) * w) >> 8
    return from_yuv(out.astype(np.uint8))
