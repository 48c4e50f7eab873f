"""Decoding sources: timed video frames, constant-rate resampling, audio chunks.

Audio travels between stages as float32 stereo 48 kHz arrays shaped (2, n).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.audio.resampler import AudioResampler
from av.video.frame import VideoFrame

from apps.media.errors import CorruptionDetected, MediaValidationError
from apps.media.probe import open_container

AUDIO_RATE = 48_000


def decode_video(path: Path, *, start: float = 0.0) -> Iterator[tuple[float, VideoFrame]]:
    """Yield (seconds, frame) from the first video stream, rotation applied."""
    with open_container(path) as container:
        if not container.streams.video:
            raise MediaValidationError("The file has no video stream.")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        base = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        rate = float(stream.average_rate or stream.guessed_rate or 24)
        if start > 0:
            container.seek(int((start + base) / stream.time_base), stream=stream, backward=True)
        index = 0
        try:
            for frame in container.decode(stream):
                t = frame.time - base if frame.time is not None else index / rate
                index += 1
                rotation = round(frame.rotation or 0) % 360
                if rotation:
                    frame = _rotate(frame, rotation)
                yield t, frame
        except av.error.FFmpegError as exc:
            raise CorruptionDetected(
                "The video could not be decoded; the file looks damaged.",
                details={"reason": str(exc)},
            ) from exc


def _rotate(frame: VideoFrame, degrees: int) -> VideoFrame:
    arr = np.rot90(frame.to_ndarray(format="rgb24"), k=degrees // 90)
    return VideoFrame.from_ndarray(np.ascontiguousarray(arr), format="rgb24")


def cfr(
    pairs: Iterator[tuple[float, VideoFrame]],
    *,
    fps: Fraction,
    count: int,
    start: float = 0.0,
    speed: float = 1.0,
) -> Iterator[VideoFrame]:
    """Resample timed frames to exactly ``count`` frames at a constant rate.

    Output frame n shows the source frame nearest to ``start + n * speed / fps``; frames
    are dropped or repeated as needed and the last frame is held if the source ends early.
    """
    step = speed / float(fps)
    n = 0
    prev: VideoFrame | None = None
    prev_t = 0.0
    try:
        for t, frame in pairs:
            if prev is not None:
                midpoint = (prev_t + t) / 2
                while n < count and start + n * step < midpoint:
                    yield prev
                    n += 1
                if n >= count:
                    return
            prev, prev_t = frame, t
        if prev is None:
            raise CorruptionDetected("The video has no decodable frames.")
        while n < count:
            yield prev
            n += 1
    finally:
        close = getattr(pairs, "close", None)
        if close is not None:
            close()


def decode_audio(
    path: Path, *, start: float = 0.0, end: float | None = None
) -> Iterator[np.ndarray]:
    """Yield float32 stereo 48 kHz chunks (2, n) from ``start`` to ``end`` seconds."""
    with open_container(path) as container:
        if not container.streams.audio:
            return
        stream = container.streams.audio[0]
        base = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        resampler = AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
        if start > 0:
            container.seek(int((start + base) / stream.time_base), stream=stream, backward=True)
        first = round(start * AUDIO_RATE)
        last = round(end * AUDIO_RATE) if end is not None else None
        pos: int | None = None

        def emit(frames: list[av.AudioFrame]) -> Iterator[np.ndarray]:
            nonlocal pos
            for out in frames:
                arr = out.to_ndarray().astype(np.float32, copy=False)
                if pos is None:
                    t = (out.time - base) if out.time is not None else start
                    pos = round(t * AUDIO_RATE)
                lo, hi = pos, pos + arr.shape[1]
                pos = hi
                a = max(first, lo) - lo
                b = arr.shape[1] if last is None else min(hi, last) - lo
                if b > a:
                    yield arr[:, a:b]

        try:
            for frame in container.decode(stream):
                yield from emit(resampler.resample(frame))
                if last is not None and pos is not None and pos >= last:
                    return
            yield from emit(resampler.resample(None))
        except av.error.FFmpegError as exc:
            raise CorruptionDetected(
                "The audio could not be decoded; the file looks damaged.",
                details={"reason": str(exc)},
            ) from exc


def silence(seconds: float) -> Iterator[np.ndarray]:
    remaining = round(seconds * AUDIO_RATE)
    while remaining > 0:
        n = min(remaining, AUDIO_RATE)
        remaining -= n
        yield np.zeros((2, n), np.float32)


def exact_length(chunks: Iterable[np.ndarray], samples: int) -> Iterator[np.ndarray]:
    """Cut or pad (with silence) an audio chunk stream to exactly ``samples``."""
    done = 0
    iterator = iter(chunks)
    try:
        for chunk in iterator:
            if done >= samples:
                return
            take = min(chunk.shape[1], samples - done)
            done += take
            yield chunk[:, :take]
        if done < samples:
            yield from silence((samples - done) / AUDIO_RATE)
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
