"""The local extend continues the camera motion of the clip's last second (issue 17)
instead of freezing its last frame."""

import itertools
from pathlib import Path

import av
import numpy as np
import pytest

from apps.media import extend
from apps.media.motion import Motion, pair_motion, trajectory
from tests.media.conftest import rgb_frames

FPS = 24
W, H = 320, 180


def texture(width: int, height: int, seed: int = 7) -> np.ndarray:
    """A smooth random landscape (blurred noise plus blobs): something to track."""
    rng = np.random.default_rng(seed)
    noise = rng.random((height // 8 + 2, width // 8 + 2))
    big = np.kron(noise, np.ones((8, 8)))[:height, :width]
    for _ in range(3):  # box blur
        big = (big + np.roll(big, 1, 0) + np.roll(big, 1, 1) + np.roll(big, -1, 0)) / 4
    yy, xx = np.mgrid[0:height, 0:width]
    rings = 0.5 + 0.5 * np.sin(xx / 23.0) * np.cos(yy / 17.0)
    grey = (0.6 * big + 0.4 * rings) * 255
    return np.dstack([grey, np.roll(grey, 40, 1), 255 - grey]).astype(np.uint8)


def panning_clip(
    path: Path, *, dx: int, dy: int, seconds: float = 2.0, size: tuple[int, int] = (W, H)
) -> Path:
    """A camera panning over a big texture: the content moves (dx, dy) pixels a frame."""
    width, height = size
    count = round(seconds * FPS)
    world = texture(width + abs(dx) * count + 8, height + abs(dy) * count + 8)
    out = av.open(str(path), "w")
    stream = out.add_stream("libx264", rate=FPS)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.options = {"preset": "ultrafast", "crf": "18"}
    for i in range(count):
        # The window moves against the content's motion.
        x = abs(dx) * count - dx * i if dx > 0 else -dx * i
        y = abs(dy) * count - dy * i if dy > 0 else -dy * i
        frame = av.VideoFrame.from_ndarray(
            np.ascontiguousarray(world[y : y + height, x : x + width]), format="rgb24"
        )
        frame.pts = i
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
    out.close()
    return path


def shift(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The content shift a -> b at the centre of the picture, fitted with its zoom (the
    cover zoom of the continuation would bias a plain correlation)."""
    _, dx, dy = pair_motion(a.mean(axis=2).astype(np.float32), b.mean(axis=2).astype(np.float32))
    return dx, dy


def offset(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """The whole-pixel displacement of b's centre in a (brute force), a plain cross-check."""
    ga, gb = a.mean(axis=2), b.mean(axis=2)
    patch = gb[60:120, 110:210]
    best = min(
        (np.abs(patch - ga[60 - y : 120 - y, 110 - x : 210 - x]).mean(), x, y)
        for x in range(-40, 41)
        for y in range(-30, 31)
    )
    return best[1], best[2]


@pytest.mark.parametrize(("dx", "dy"), [(-3, 0), (2, -1)])
def test_extend_carries_a_pan_on_in_the_same_direction(tmp_path, dx, dy):
    src = panning_clip(tmp_path / "pan.mp4", dx=dx, dy=dy)
    info = extend(src=src, dst=tmp_path / "out.mp4", seconds=1.0, mode="continue")
    frames = rgb_frames(info.path)
    base = 2 * FPS
    assert len(frames) == base + FPS
    tail = frames[base - 1 :]  # the last source frame, then the extension
    shifts = [shift(a, b) for a, b in itertools.pairwise(tail)]
    # The first extension frame moves like the clip did (no stop at the join)...
    assert shifts[0][0] == pytest.approx(dx, abs=0.6)
    assert shifts[0][1] == pytest.approx(dy, abs=0.6)
    # ...and every one after keeps moving the same way, easing out. (The minor axis is
    # checked while its motion is over half a pixel a frame: below that the encoder may
    # round it away.)
    for index, (sx, sy) in enumerate(shifts):
        assert sx * np.sign(dx) > 0.3, shifts
        if dy and index < len(shifts) // 2:
            assert sy * np.sign(dy) > 0.2, shifts
    assert abs(shifts[-1][0]) < abs(shifts[0][0]) / 1.5
    # The per-frame shifts add up to where the picture really went.
    moved = offset(tail[0], tail[-1])
    assert moved[0] == pytest.approx(sum(s[0] for s in shifts), rel=0.1, abs=2)
    assert moved[1] == pytest.approx(sum(s[1] for s in shifts), rel=0.1, abs=2)
    # No two consecutive extension frames are the same picture.
    for a, b in itertools.pairwise(tail):
        assert np.abs(a.astype(int) - b.astype(int)).mean() > 0.5


def test_extend_of_a_still_clip_stays_still(tmp_path):
    src = panning_clip(tmp_path / "still.mp4", dx=0, dy=0, seconds=1.0)
    info = extend(src=src, dst=tmp_path / "out.mp4", seconds=0.5)
    frames = rgb_frames(info.path)
    for frame in frames[FPS:]:
        assert np.abs(frame.astype(int) - frames[FPS - 1].astype(int)).mean() < 2


def test_the_zoom_of_a_pair_is_measured():
    world = texture(400, 300).mean(axis=2).astype(np.float32)
    h, w = world.shape
    cx, cy = (w - 1) / 2, (h - 1) / 2
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    # b is a zoomed in by 2 %: b(s (x - c) + c) = a(x)
    src_x, src_y = (xx - cx) / 1.02 + cx, (yy - cy) / 1.02 + cy
    x0, y0 = np.floor(src_x).astype(int), np.floor(src_y).astype(int)
    fx, fy = src_x - x0, src_y - y0
    x1, y1 = np.clip(x0 + 1, 0, w - 1), np.clip(y0 + 1, 0, h - 1)
    b = (
        world[y0, x0] * (1 - fx) * (1 - fy)
        + world[y0, x1] * fx * (1 - fy)
        + world[y1, x0] * (1 - fx) * fy
        + world[y1, x1] * fx * fy
    )
    s, tx, ty = pair_motion(world[::2, ::2].copy(), b[::2, ::2].copy())
    assert s == pytest.approx(1.02, abs=0.003)
    assert abs(tx) < 0.3 and abs(ty) < 0.3


def test_the_trajectory_eases_out_and_stays_bounded():
    steps = trajectory(Motion(dx=10.0, dy=0.0, zoom=1.01), 120, width=320, height=180)
    speeds = [b.dx - a.dx for a, b in itertools.pairwise(steps)]
    assert all(later < earlier for earlier, later in itertools.pairwise(speeds))
    assert steps[0].dx == pytest.approx(10.0, rel=0.15)
    assert steps[-1].dx <= 0.2 * 320 + 1e-6
    assert 1.0 < steps[-1].zoom <= 1.3
