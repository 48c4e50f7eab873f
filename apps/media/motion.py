"""Camera motion of a clip's last second, estimated and carried on (numpy only).

The model is the one a pan, tilt or zoom makes on screen: between two frames a point
at x moves to ``s * (x - c) + c + t`` (s: zoom per frame, t: shift per frame, c: the
centre). It is estimated on small greyscale frames: phase correlation for the shift, then
a few Gauss-Newton steps for zoom and shift together. The continuation warps the last
frame along that trajectory, easing out.

A pan moves picture in from outside the frame, which the last frame does not have. Two
ways to fill it, each visible when alone: a zoom-in that keeps the window inside the
picture (it makes the leading edge stop while the trailing one speeds up) or a mirrored
strip at the leading edge. Each covers half (COVER), so the speed varies by at most
half across the picture and the mirrored strip is at most MAX_TRAVEL / 2 wide.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from av.video.frame import VideoFrame

from apps.media.frames import from_yuv, yuv

ESTIMATE_WIDTH = 160
# The continuation never travels further than this share of the picture, nor zooms more,
# so the cover zoom stays small and the content it invents stays none.
MAX_TRAVEL = 0.2
MAX_ZOOM = 1.3
COVER = 0.5
# The velocity eases out to this share of the clip's by the end of the extension.
END_SPEED = 0.35


@dataclass(frozen=True)
class Motion:
    """Per-frame camera motion in full-size pixels: shift (dx, dy) and zoom factor."""

    dx: float = 0.0
    dy: float = 0.0
    zoom: float = 1.0

    @property
    def still(self) -> bool:
        return abs(self.dx) < 0.05 and abs(self.dy) < 0.05 and abs(self.zoom - 1) < 1e-4


def small_grey(frame: VideoFrame) -> np.ndarray:
    """The frame as a float32 greyscale about ESTIMATE_WIDTH pixels wide."""
    width = min(ESTIMATE_WIDTH, frame.width)
    height = max(8, round(frame.height * width / frame.width))
    grey = frame.reformat(width, height, "gray", interpolation="AREA").to_ndarray()
    return grey.astype(np.float32)


def _phase_shift(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The translation (dx, dy) that moves a onto b, to a fraction of a pixel."""
    h, w = a.shape
    window = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    fa = np.fft.fft2((a - a.mean()) * window)
    fb = np.fft.fft2((b - b.mean()) * window)
    cross = fb * np.conj(fa)
    cross /= np.abs(cross) + 1e-9
    corr = np.fft.ifft2(cross).real
    py, px = np.unravel_index(int(np.argmax(corr)), corr.shape)

    def refine(c_m: float, c_0: float, c_p: float) -> float:
        den = c_m - 2 * c_0 + c_p
        return 0.0 if abs(den) < 1e-12 else 0.5 * (c_m - c_p) / den

    ox = refine(corr[py, (px - 1) % w], corr[py, px], corr[py, (px + 1) % w])
    oy = refine(corr[(py - 1) % h, px], corr[py, px], corr[(py + 1) % h, px])
    dx = px + ox if px <= w // 2 else px + ox - w
    dy = py + oy if py <= h // 2 else py + oy - h
    return float(dx), float(dy)


def _sample(img: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Bilinear samples of img on the grid ys x xs (separable: the warps here are
    axis-aligned), coordinates reflected back inside the picture."""
    h, w = img.shape
    xs = _reflect(xs, w)
    ys = _reflect(ys, h)
    x0 = np.clip(np.floor(xs).astype(np.intp), 0, w - 1)
    y0 = np.clip(np.floor(ys).astype(np.intp), 0, h - 1)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    fx = (xs - x0).astype(np.float32)
    fy = (ys - y0).astype(np.float32)[:, None]
    rows = img[y0] * (1 - fy) + img[y1] * fy
    return rows[:, x0] * (1 - fx) + rows[:, x1] * fx


def _reflect(coords: np.ndarray, size: int) -> np.ndarray:
    if size == 1:
        return np.zeros_like(coords)
    period = 2 * (size - 1)
    folded = np.mod(coords, period)
    return np.where(folded > size - 1, period - folded, folded)


def pair_motion(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """(s, tx, ty) with b(s * (x - c) + c + t) ~ a(x), in the small frames' pixels."""
    h, w = a.shape
    cx, cy = (w - 1) / 2, (h - 1) / 2
    tx, ty = _phase_shift(a, b)
    s = 1.0
    xs0 = np.arange(w, dtype=np.float64) - cx
    ys0 = np.arange(h, dtype=np.float64) - cy
    gy_b, gx_b = np.gradient(b)
    margin = max(2, round(0.08 * min(w, h)))
    inner = (slice(margin, h - margin), slice(margin, w - margin))
    X, Y = np.meshgrid(xs0, ys0)
    X, Y = X[inner].ravel(), Y[inner].ravel()
    for _ in range(6):
        xs, ys = s * xs0 + cx + tx, s * ys0 + cy + ty
        warped = _sample(b, xs, ys)
        gx, gy = _sample(gx_b, xs, ys)[inner].ravel(), _sample(gy_b, xs, ys)[inner].ravel()
        r = (warped - a)[inner].ravel()
        jac = np.stack([gx * X + gy * Y, gx, gy], axis=1)
        step, *_ = np.linalg.lstsq(jac, -r, rcond=None)
        s, tx, ty = s + float(step[0]), tx + float(step[1]), ty + float(step[2])
        if np.abs(step).max() < 1e-3:
            break
    return s, tx, ty


def estimate(smalls: Sequence[np.ndarray], *, full_width: int) -> Motion:
    """The camera motion per frame over consecutive small frames (the median of each
    pair's, so one cut or glitch does not steer it), in full-size pixels."""
    if len(smalls) < 2:
        return Motion()
    pairs = [pair_motion(a, b) for a, b in itertools.pairwise(smalls)]
    s, tx, ty = (float(np.median([p[i] for p in pairs])) for i in range(3))
    scale = full_width / smalls[0].shape[1]
    if not (0.8 < s < 1.25) or not all(math.isfinite(v) for v in (s, tx, ty)):
        return Motion()
    return Motion(dx=tx * scale, dy=ty * scale, zoom=s)


def trajectory(motion: Motion, count: int, *, width: int, height: int) -> list[Motion]:
    """Cumulative (shift, zoom) for each of ``count`` extension frames: the clip's
    velocity, decaying exponentially (ease-out) and bounded by MAX_TRAVEL / MAX_ZOOM."""
    if count <= 0:
        return []
    decay = -math.log(END_SPEED) / count  # per frame
    log_zoom = math.log(motion.zoom)
    # The whole ease-out travels v * (1 - e^(-decay * n)) / decay; slow it down faster
    # (a larger decay) when that would go past the bounds, keeping the start velocity.
    limits = [
        abs(motion.dx) / (MAX_TRAVEL * width),
        abs(motion.dy) / (MAX_TRAVEL * height),
        abs(log_zoom) / math.log(MAX_ZOOM),
    ]
    decay = max(decay, *limits)
    out = []
    for k in range(1, count + 1):
        travelled = (1 - math.exp(-decay * k)) / decay if decay > 0 else k
        out.append(
            Motion(
                dx=motion.dx * travelled,
                dy=motion.dy * travelled,
                zoom=math.exp(log_zoom * travelled),
            )
        )
    return out


def continue_frames(last: VideoFrame, motion: Motion, count: int) -> Iterator[VideoFrame]:
    """``count`` frames that carry the last frame along ``motion`` (yuv420p, same size)."""
    width, height = last.width, last.height
    arr = yuv(last)
    planes = [
        arr[:height].astype(np.float32),
        *(p.astype(np.float32) for p in arr[height:].reshape(2, height // 2, width // 2)),
    ]
    for step in trajectory(motion, count, width=width, height=height):
        # The cover zoom hides half of the picture the shift brings in (see COVER).
        cover = 1 + 2 * COVER * max(abs(step.dx) / width, abs(step.dy) / height)
        zoom = step.zoom * cover
        out = np.empty_like(arr)
        for index, plane in enumerate(planes):
            ph, pw = plane.shape
            factor = pw / width
            cx, cy = (pw - 1) / 2, (ph - 1) / 2
            # Output pixel x shows the source point (x - c - D) / Z + c.
            xs = (np.arange(pw) - cx - step.dx * factor) / zoom + cx
            ys = (np.arange(ph) - cy - step.dy * factor) / zoom + cy
            sampled = np.clip(_sample(plane, xs, ys) + 0.5, 0, 255).astype(np.uint8)
            if index == 0:
                out[:height] = sampled
            else:
                chroma = out[height:].reshape(2, height // 2, width // 2)
                chroma[index - 1] = sampled
        yield from_yuv(out)
