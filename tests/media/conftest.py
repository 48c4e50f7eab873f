"""Synthetic media fixtures, generated once per session with PyAV and numpy.

Every clip frame carries its index in a grey marker square (value = index * 5) so tests
can tell which source frame an output frame shows.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

FPS = 24
W, H = 640, 360


def frame_index(rgb: np.ndarray) -> int:
    """The source frame index a decoded frame shows, read from its marker square."""
    return round(float(rgb[4:12, 4:12].mean()) / 5)


def make_clip(
    path: Path,
    *,
    width: int = W,
    height: int = H,
    seconds: float = 2.0,
    fps: int = FPS,
    audio: bool = True,
    faststart: bool = True,
    rotation: int = 0,
    fmt: str | None = None,
    x264: dict[str, str] | None = None,
) -> Path:
    options = {"movflags": "+faststart"} if faststart else {}
    out = av.open(str(path), "w", format=fmt, options=options)
    video = out.add_stream("libx264", rate=fps)
    video.width, video.height, video.pix_fmt = width, height, "yuv420p"
    video.options = x264 or {"preset": "ultrafast", "crf": "18"}
    if rotation:
        video.set_display_rotation(rotation)
    sound = out.add_stream("aac", rate=48000, layout="stereo") if audio else None
    count = round(seconds * fps)
    yy, xx = np.mgrid[0:height, 0:width]
    base = np.stack(
        [xx * 255 // max(width - 1, 1), yy * 255 // max(height - 1, 1), np.full_like(xx, 80)], -1
    ).astype(np.uint8)
    sample = 0
    for i in range(count):
        img = base.copy()
        x0 = (width - width // 8) * i // max(count - 1, 1)
        img[height // 3 : height // 3 + height // 4, x0 : x0 + width // 8] = 255
        img[:16, :16] = min(255, i * 5)
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts = i
        for packet in video.encode(frame):
            out.mux(packet)
        while sound is not None and sample + 1024 <= (i + 1) * 48000 // fps:
            t = np.arange(sample, sample + 1024) / 48000.0
            tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            af = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
            af.sample_rate, af.pts = 48000, sample
            for packet in sound.encode(af):
                out.mux(packet)
            sample += 1024
    for packet in video.encode(None):
        out.mux(packet)
    if sound is not None:
        for packet in sound.encode(None):
            out.mux(packet)
    out.close()
    return path


def make_wav(path: Path, *, seconds: float, silent_first: float = 0.0) -> Path:
    out = av.open(str(path), "w", format="wav")
    stream = out.add_stream("pcm_s16le", rate=48000, layout="mono")
    n = round(seconds * 48000)
    t = np.arange(n) / 48000.0
    tone = 0.5 * np.sin(2 * np.pi * 330 * t)
    tone[: round(silent_first * 48000)] = 0
    pcm = (tone * 32767).astype(np.int16).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
    frame.sample_rate, frame.pts = 48000, 0
    for packet in stream.encode(frame):
        out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
    out.close()
    return path


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG whose IHDR claims width x height, with no pixel data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    return path


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media-src")


@pytest.fixture(scope="session")
def clip(media_dir) -> Path:
    return make_clip(media_dir / "clip.mp4")


@pytest.fixture(scope="session")
def silent_clip(media_dir) -> Path:
    return make_clip(media_dir / "silent.mp4", seconds=1.5, audio=False)


@pytest.fixture(scope="session")
def portrait_clip(media_dir) -> Path:
    return make_clip(media_dir / "portrait.mp4", width=360, height=640, seconds=1.0)


@pytest.fixture(scope="session")
def rotated_clip(media_dir) -> Path:
    return make_clip(media_dir / "rotated.mp4", seconds=0.5, audio=False, rotation=90)


@pytest.fixture(scope="session")
def long_wav(media_dir) -> Path:
    return make_wav(media_dir / "long.wav", seconds=3.0)


@pytest.fixture(scope="session")
def short_wav(media_dir) -> Path:
    return make_wav(media_dir / "short.wav", seconds=1.0)


@pytest.fixture(scope="session")
def half_silent_wav(media_dir) -> Path:
    return make_wav(media_dir / "half.wav", seconds=2.0, silent_first=1.0)


@pytest.fixture(scope="session")
def photo(media_dir) -> Path:
    yy, xx = np.mgrid[0:600, 900:0:-1]
    checker = ((xx // 60 + yy // 60) % 2) * 120
    img = np.dstack([xx * 255 // 900, yy * 255 // 600, checker]).astype(np.uint8)
    path = media_dir / "photo.jpg"
    Image.fromarray(img).save(path, quality=92)
    return path


def rgb_frames(path: Path) -> list[np.ndarray]:
    """Every frame as RGB (small test clips only)."""
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def audio_rms(path: Path, start: float, end: float) -> float:
    with av.open(str(path)) as container:
        chunks = []
        for frame in container.decode(audio=0):
            t = frame.time or 0.0
            if start <= t < end:
                chunks.append(frame.to_ndarray().astype(np.float64))
    if not chunks:
        return 0.0
    data = np.concatenate(chunks, axis=-1)
    return float(np.sqrt(np.mean(data**2)))


def assert_video(
    info,
    *,
    width: int,
    height: int,
    duration: float,
    fps: float = FPS,
    audio: bool | None = None,
    codec: str = "h264",
) -> None:
    assert (info.width, info.height) == (width, height)
    assert abs(info.duration - duration) <= 1.0 / fps + 0.03, info.duration
    assert info.video_codec == codec
    if audio is not None:
        assert info.has_audio is audio
