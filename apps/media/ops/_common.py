"""Plumbing shared by the operations: input checks, audio helpers, the re-encode loop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.video.frame import VideoFrame

from apps.media.engine import OutputSpec, Writer
from apps.media.errors import MediaValidationError
from apps.media.probe import MediaInfo, probe
from apps.media.progress import CancelCheck, Progress, ProgressCallback
from apps.media.sources import AUDIO_RATE, cfr, decode_audio, decode_video, exact_length

Transform = Callable[[VideoFrame], VideoFrame]


def video_input(src: Path) -> MediaInfo:
    info = probe(Path(src))
    if not info.has_video:
        raise MediaValidationError("This operation needs a video.", details={"kind": info.kind})
    return info


def audio_input(src: Path) -> MediaInfo:
    info = probe(Path(src))
    if not info.has_audio:
        raise MediaValidationError("The file has no audio track.", details={"kind": info.kind})
    return info


def reencode(
    *,
    src: Path,
    dst: Path,
    info: MediaInfo,
    width: int,
    height: int,
    fps: Fraction,
    count: int,
    start: float = 0.0,
    speed: float = 1.0,
    transform: Transform | None = None,
    audio: Iterator[np.ndarray] | None = None,
    spec: OutputSpec | None = None,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Decode src from ``start``, resample to ``count`` frames at ``fps``, transform, encode."""
    progress = Progress(on_progress, should_cancel, total=count)
    progress.check()
    frames = cfr(decode_video(src, start=start), fps=fps, count=count, start=start, speed=speed)
    try:
        with Writer(
            dst, width=width, height=height, fps=fps, progress=progress, audio=audio, spec=spec
        ) as writer:
            for frame in frames:
                writer.write(transform(frame) if transform else frame)
    finally:
        frames.close()
    assert writer.result is not None
    return writer.result


def source_audio(
    info: MediaInfo, *, start: float = 0.0, seconds: float
) -> Iterator[np.ndarray] | None:
    """The source's audio from ``start`` for exactly ``seconds``, or None when it has none."""
    if not info.has_audio:
        return None
    chunks = decode_audio(info.path, start=start, end=start + seconds)
    return exact_length(chunks, round(seconds * AUDIO_RATE))


class ChunkReader:
    """Reads exact-sized blocks from an audio chunk stream (zeros after its end)."""

    def __init__(self, chunks: Iterator[np.ndarray]) -> None:
        self._chunks = chunks
        self._buf = np.zeros((2, 0), np.float32)
        self.exhausted = False

    def read(self, n: int) -> np.ndarray:
        parts = [self._buf]
        have = self._buf.shape[1]
        while have < n and not self.exhausted:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self.exhausted = True
                break
            parts.append(chunk)
            have += chunk.shape[1]
        buf = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
        if buf.shape[1] < n:
            buf = np.concatenate([buf, np.zeros((2, n - buf.shape[1]), np.float32)], axis=1)
        self._buf = buf[:, n:]
        return buf[:, :n]

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def mix(a: Iterator[np.ndarray], b: Iterator[np.ndarray], *, block: int = 4800):
    """Sum two audio streams sample by sample (soft-clipped), as long as the longer one."""
    ra, rb = ChunkReader(a), ChunkReader(b)
    try:
        while not (ra.exhausted and rb.exhausted):
            out = ra.read(block) + rb.read(block)
            yield np.tanh(out) if np.abs(out).max(initial=0) > 1 else out
    finally:
        ra.close()
        rb.close()


def tempo(chunks: Iterator[np.ndarray], speed: float) -> Iterator[np.ndarray]:
    """Change audio speed keeping its pitch (FFmpeg's atempo, chained for big factors)."""
    graph = av.filter.Graph()
    node = graph.add_abuffer(
        format="fltp", sample_rate=AUDIO_RATE, layout="stereo", time_base=Fraction(1, AUDIO_RATE)
    )
    remaining = speed
    while remaining > 2.0 or remaining < 0.5:
        step = 2.0 if remaining > 2.0 else 0.5
        nxt = graph.add("atempo", str(step))
        node.link_to(nxt)
        node, remaining = nxt, remaining / step
    last = graph.add("atempo", f"{remaining:.6f}")
    node.link_to(last)
    planar = graph.add("aformat", "sample_fmts=fltp:channel_layouts=stereo")
    last.link_to(planar)
    sink = graph.add("abuffersink")
    planar.link_to(sink)
    graph.configure()
    pts = 0

    def drain() -> Iterator[np.ndarray]:
        while True:
            try:
                frame = graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                return
            yield frame.to_ndarray().astype(np.float32, copy=False)

    try:
        for chunk in chunks:
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(chunk), format="fltp", layout="stereo"
            )
            frame.sample_rate = AUDIO_RATE
            frame.pts = pts
            frame.time_base = Fraction(1, AUDIO_RATE)
            pts += chunk.shape[1]
            graph.push(frame)
            yield from drain()
        graph.push(None)
        yield from drain()
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
