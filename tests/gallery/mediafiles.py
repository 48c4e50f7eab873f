"""Small real media files made in code (PyAV, Pillow), and padded MP4s of any size."""

import struct
from pathlib import Path

import av
import numpy as np
from PIL import Image


def make_mp4(path: Path, *, width: int = 640, height: int = 360, seconds: float = 1.0) -> Path:
    fps = 12
    out = av.open(str(path), "w", options={"movflags": "+faststart"})
    stream = out.add_stream("libx264", rate=fps)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.options = {"preset": "ultrafast", "crf": "30"}
    yy, xx = np.mgrid[0:height, 0:width]
    for i in range(round(seconds * fps)):
        img = np.stack([(xx + i * 8) % 256, yy * 255 // height, np.full_like(xx, 90)], -1).astype(
            np.uint8
        )
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts = i
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
    out.close()
    return path


def make_png(path: Path, *, width: int = 320, height: int = 200) -> Path:
    yy, xx = np.mgrid[0:height, 0:width]
    img = np.dstack([xx * 255 // width, yy * 255 // height, np.full_like(xx, 40)])
    Image.fromarray(img.astype(np.uint8)).save(path)
    return path


def make_wav(path: Path, *, seconds: float = 1.0) -> Path:
    out = av.open(str(path), "w", format="wav")
    stream = out.add_stream("pcm_s16le", rate=16000, layout="mono")
    t = np.arange(round(seconds * 16000)) / 16000.0
    pcm = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
    frame.sample_rate, frame.pts = 16000, 0
    for packet in stream.encode(frame):
        out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
    out.close()
    return path


def pad_mp4(src: Path, dst: Path, *, total_bytes: int) -> Path:
    """A valid MP4 of exactly `total_bytes`: `src` (faststart: moov before mdat) followed
    by one top-level `free` box. Sample offsets are untouched, so demuxers play it as
    `src`; the padding is a sparse hole, so making a 1 GB file is instant."""
    data = src.read_bytes()
    pad = total_bytes - len(data)
    if pad < 16:
        raise ValueError("total_bytes is too small")
    with dst.open("wb") as fh:
        fh.write(data)
        if pad <= 0xFFFFFFFF:
            fh.write(struct.pack(">I4s", pad, b"free"))
        else:
            fh.write(struct.pack(">I4sQ", 1, b"free", pad))
        fh.truncate(total_bytes)
    return dst
