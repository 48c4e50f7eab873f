"""Time and frame edits: trim, reframe (crop/pad to an aspect), speed, concat, extend."""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Literal

import numpy as np
from av.video.frame import VideoFrame

from apps.media import motion
from apps.media.engine import Writer, check_fps, frame_count, output_fps
from apps.media.errors import MediaValidationError
from apps.media.frames import blend, even, fit, from_yuv, yuv
from apps.media.ops import cutplan, smartcut
from apps.media.ops._common import ChunkReader, reencode, source_audio, tempo, video_input
from apps.media.ops.cutplan import TRIM_MODES, TrimMode
from apps.media.ops.remux import video_copyable
from apps.media.probe import MediaInfo
from apps.media.progress import CancelCheck, Progress, ProgressCallback
from apps.media.sources import AUDIO_RATE, cfr, decode_audio, decode_video, exact_length, silence

Aspect = Literal["16:9", "9:16", "1:1", "4:5", "4:3", "3:4", "21:9"]
ASPECTS: dict[str, tuple[int, int]] = {
    "16:9": (16, 9),
    "9:16": (9, 16),
    "1:1": (1, 1),
    "4:5": (4, 5),
    "4:3": (4, 3),
    "3:4": (3, 4),
    "21:9": (21, 9),
}
ExtendMode = Literal["continue", "hold", "loop", "boomerang"]
EXTEND_MODES = ("continue", "hold", "loop", "boomerang")
MAX_CROSSFADE = 2.0  # seconds; bounds the frames held in memory during a dissolve
MAX_LONG_SIDE = 4096


def trim(
    *,
    src: Path,
    dst: Path,
    start: float = 0.0,
    end: float | None = None,
    mode: TrimMode = "accurate",
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Keep [start, end) seconds. "accurate" (the default) cuts at exactly those frames:
    an H.264 MP4/MOV is cut by stream copy, re-encoding only the partial GOPs at the
    edges (a smart cut), anything else is re-encoded. "keyframe" widens the window to
    the key frames around it and copies only (falling back to "accurate" when the
    source cannot be copied)."""
    if mode not in TRIM_MODES:
        raise MediaValidationError("mode must be accurate or keyframe.", details={"mode": mode})
    info = video_input(src)
    end = info.duration if end is None else min(end, info.duration)
    if not (0 <= start < end):
        raise MediaValidationError(
            f"Trim needs 0 <= start < end <= {info.duration:.2f} s.",
            details={"start": start, "end": end, "duration": info.duration},
        )
    fps = output_fps(info)
    count = frame_count(end - start, fps)
    if video_copyable(info):
        index = cutplan.read_index(info.path)
        plan = index and cutplan.plan_cut(index, start=start, count=count, mode=mode)
        if index and plan:
            progress = Progress(on_progress, should_cancel, total=plan.frames)
            return smartcut.cut(info=info, index=index, plan=plan, dst=dst, progress=progress)
    return reencode(
        src=info.path,
        dst=dst,
        info=info,
        width=even(info.width),
        height=even(info.height),
        fps=fps,
        count=count,
        start=start,
        audio=source_audio(info, start=start, seconds=count / fps),
        on_progress=on_progress,
        should_cancel=should_cancel,
    )


def aspect_size(width: int, height: int, aspect: str, mode: str) -> tuple[int, int]:
    if aspect not in ASPECTS:
        raise MediaValidationError(
            f"aspect must be one of {', '.join(ASPECTS)}.", details={"aspect": aspect}
        )
    aw, ah = ASPECTS[aspect]
    if mode == "crop":  # the largest box of that aspect inside the frame
        w = min(width, height * aw / ah)
        h = w * ah / aw
    else:  # the smallest box of that aspect around the frame
        w = max(width, height * aw / ah)
        h = w * ah / aw
        if max(w, h) > MAX_LONG_SIDE:
            s = MAX_LONG_SIDE / max(w, h)
            w, h = w * s, h * s
    return min(even(w), MAX_LONG_SIDE), min(even(h), MAX_LONG_SIDE)


def reframe(
    *,
    src: Path,
    dst: Path,
    aspect: Aspect,
    mode: Literal["crop", "pad"] = "crop",
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Crop (centred) or pad (letterbox/pillarbox in black) to an aspect ratio."""
    if mode not in ("crop", "pad"):
        raise MediaValidationError("mode must be crop or pad.")
    info = video_input(src)
    width, height = aspect_size(info.width, info.height, aspect, mode)
    fps = output_fps(info)
    count = frame_count(info.duration, fps)
    fit_mode = "cover" if mode == "crop" else "contain"
    return reencode(
        src=info.path,
        dst=dst,
        info=info,
        width=width,
        height=height,
        fps=fps,
        count=count,
        transform=lambda f: fit(f, width, height, fit_mode),
        audio=source_audio(info, seconds=count / fps),
        on_progress=on_progress,
        should_cancel=should_cancel,
    )


def crop(**kwargs) -> MediaInfo:  # type: ignore[no-untyped-def]
    return reframe(mode="crop", **kwargs)


def pad(**kwargs) -> MediaInfo:  # type: ignore[no-untyped-def]
    return reframe(mode="pad", **kwargs)


def change_speed(
    *,
    src: Path,
    dst: Path,
    speed: float,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Play faster (speed > 1) or slower (< 1); audio keeps its pitch."""
    if not 0.25 <= speed <= 4.0:
        raise MediaValidationError("speed must be between 0.25 and 4.", details={"speed": speed})
    info = video_input(src)
    fps = output_fps(info)
    count = frame_count(info.duration / speed, fps)
    audio = None
    if info.has_audio:
        audio = exact_length(tempo(decode_audio(info.path), speed), round(count / fps * AUDIO_RATE))
    return reencode(
        src=info.path,
        dst=dst,
        info=info,
        width=even(info.width),
        height=even(info.height),
        fps=fps,
        count=count,
        speed=speed,
        audio=audio,
        on_progress=on_progress,
        should_cancel=should_cancel,
    )


def concat(
    *,
    clips: Sequence[Path],
    dst: Path,
    crossfade: float = 0.0,
    width: int | None = None,
    height: int | None = None,
    fps: float | None = None,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Join clips in order (a storyboard), letterboxed to one size, optionally dissolving
    ``crossfade`` seconds between neighbours. Length = sum of clips - crossfades."""
    if len(clips) < 1:
        raise MediaValidationError("concat needs at least one clip.")
    if not 0 <= crossfade <= MAX_CROSSFADE:
        raise MediaValidationError(f"crossfade must be between 0 and {MAX_CROSSFADE} s.")
    infos = [video_input(c) for c in clips]
    rate = check_fps(fps) if fps else output_fps(infos[0])
    out_w = even(width or infos[0].width)
    out_h = even(height or infos[0].height)
    counts = [frame_count(i.duration, rate) for i in infos]
    k = round(crossfade * float(rate)) if len(clips) > 1 else 0
    for n, c in enumerate(counts):
        inner = 2 if 0 < n < len(counts) - 1 else 1
        if k * inner > c:
            raise MediaValidationError(
                "The crossfade is longer than a clip allows.",
                details={"clip": n, "crossfade": crossfade, "clip_duration": c / float(rate)},
            )
    total = sum(counts) - k * (len(clips) - 1)
    progress = Progress(on_progress, should_cancel, total=total)
    audio = None
    if any(i.has_audio for i in infos):
        audio = _concat_audio(infos, counts, rate, k)
    frames = _concat_frames(infos, counts, rate, k, out_w, out_h)
    try:
        with Writer(dst, width=out_w, height=out_h, fps=rate, progress=progress, audio=audio) as w:
            for frame in frames:
                w.write(frame)
    finally:
        frames.close()
    assert w.result is not None
    return w.result


def _concat_frames(
    infos: list[MediaInfo], counts: list[int], rate: Fraction, k: int, width: int, height: int
) -> Iterator[VideoFrame]:
    tail: list[VideoFrame] = []
    last = len(infos) - 1
    for n, info in enumerate(infos):
        held: deque[VideoFrame] = deque()
        source = cfr(decode_video(info.path), fps=rate, count=counts[n])
        try:
            for j, frame in enumerate(source):
                frame = fit(frame, width, height, "contain")
                if j < len(tail):
                    frame = blend(tail[j], frame, (j + 1) / (len(tail) + 1))
                if n < last and k:
                    held.append(frame)
                    if len(held) > k:
                        yield held.popleft()
                else:
                    yield frame
        finally:
            source.close()
        tail = list(held)


def _concat_audio(
    infos: list[MediaInfo], counts: list[int], rate: Fraction, k: int
) -> Iterator[np.ndarray]:
    fade = round(k / rate * AUDIO_RATE)
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32) if fade else None
    prev_tail: np.ndarray | None = None
    last = len(infos) - 1
    for n, info in enumerate(infos):
        samples = round(counts[n] / rate * AUDIO_RATE)
        chunks = decode_audio(info.path) if info.has_audio else silence(samples / AUDIO_RATE)
        reader = ChunkReader(exact_length(chunks, samples))
        try:
            remaining = samples
            if prev_tail is not None and ramp is not None:
                yield prev_tail * (1 - ramp) + reader.read(fade) * ramp
                remaining -= fade
            body = remaining - (fade if n < last else 0)
            while body > 0:
                block = min(body, AUDIO_RATE)
                yield reader.read(block)
                body -= block
            prev_tail = reader.read(fade) if n < last and fade else None
        finally:
            reader.close()


def extend(
    *,
    src: Path,
    dst: Path,
    seconds: float,
    mode: ExtendMode = "continue",
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Lengthen a clip by ``seconds``: continue the camera motion of its last second
    (pan, tilt, zoom, easing out; a still clip stays still), hold the last frame, loop
    from the start, or boomerang (play backwards from the end, then forwards again)."""
    if mode not in EXTEND_MODES:
        raise MediaValidationError("mode must be continue, hold, loop or boomerang.")
    if not 0 < seconds <= 600:
        raise MediaValidationError("seconds must be between 0 and 600.")
    info = video_input(src)
    rate = output_fps(info)
    base = frame_count(info.duration, rate)
    extra = frame_count(seconds, rate)
    width, height = even(info.width), even(info.height)
    progress = Progress(on_progress, should_cancel, total=base + extra)
    audio = None
    if info.has_audio:
        clip_samples = round(base / rate * AUDIO_RATE)
        total_samples = round((base + extra) / rate * AUDIO_RATE)
        audio = exact_length(_extend_audio(info, clip_samples, mode), total_samples)
    frames = _extend_frames(info, rate, base, extra, mode, width, height, Path(dst).parent)
    try:
        with Writer(dst, width=width, height=height, fps=rate, progress=progress, audio=audio) as w:
            for frame in frames:
                w.write(frame)
    finally:
        frames.close()
    assert w.result is not None
    return w.result


def _extend_audio(info: MediaInfo, clip_samples: int, mode: str) -> Iterator[np.ndarray]:
    while True:
        yield from exact_length(decode_audio(info.path), clip_samples)
        if mode != "loop":
            yield from silence(3600)
            return


def _extend_frames(
    info: MediaInfo,
    rate: Fraction,
    base: int,
    extra: int,
    mode: str,
    width: int,
    height: int,
    workdir: Path,
) -> Iterator[VideoFrame]:
    window = min(extra, base) if mode == "boomerang" else 0
    frame_bytes = width * height * 3 // 2
    # The boomerang replays frames backwards; they are spooled to disk, not kept in memory.
    with tempfile.TemporaryFile(dir=workdir, prefix=".extend-") as spool:
        last: VideoFrame | None = None
        # "continue" reads the motion of the last second off small greyscale copies.
        tail: deque[np.ndarray] = deque(maxlen=max(2, round(float(rate)) + 1))
        source = cfr(decode_video(info.path), fps=rate, count=base)
        try:
            for j, frame in enumerate(source):
                frame = fit(frame, width, height, "stretch")
                if j >= base - window:
                    spool.write(yuv(frame).tobytes())
                if mode == "continue":
                    tail.append(motion.small_grey(frame))
                last = frame
                yield frame
        finally:
            source.close()
        assert last is not None
        if mode == "continue":
            yield from motion.continue_frames(
                last, motion.estimate(list(tail), full_width=width), extra
            )
        elif mode == "hold":
            for _ in range(extra):
                yield last
        elif mode == "loop":
            emitted = 0
            while emitted < extra:
                n = min(base, extra - emitted)
                again = cfr(decode_video(info.path), fps=rate, count=n)
                try:
                    for frame in again:
                        yield fit(frame, width, height, "stretch")
                finally:
                    again.close()
                emitted += n
        else:
            for index in _pingpong(window, extra):
                spool.seek(index * frame_bytes)
                data = np.frombuffer(spool.read(frame_bytes), np.uint8)
                yield from_yuv(data.reshape(height * 3 // 2, width))


def _pingpong(window: int, count: int) -> Iterator[int]:
    """Indices into the spooled tail: backwards from the one before last, then forwards."""
    if window <= 1:
        for _ in range(count):
            yield max(0, window - 1)
        return
    index, direction = window - 1, -1
    for _ in range(count):
        if not 0 <= index + direction < window:
            direction = -direction
        index += direction
        yield index
