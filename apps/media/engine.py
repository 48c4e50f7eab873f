"""The streaming core every operation is built from: the encoding Writer.

A source yields decoded frames one at a time, transforms map frame to frame, and the
Writer encodes each frame as it arrives and pulls audio just far enough ahead of the
video to interleave it. Nothing here holds more than a handful of frames, so memory does
not grow with a clip's length.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import numpy as np
from av.video.frame import VideoFrame

from apps.media.errors import MediaValidationError
from apps.media.frames import Interpolation
from apps.media.probe import MediaInfo, probe
from apps.media.progress import Progress
from apps.media.sources import AUDIO_RATE

AUDIO_LEAD = 0.25  # seconds of audio encoded ahead of the video clock
OutputContainer = Literal["mp4", "webm", "mov"]

_CODECS = {
    "mp4": ("mp4", "libx264", "aac", 1024),
    "mov": ("mov", "libx264", "aac", 1024),
    "webm": ("webm", "libvpx-vp9", "libopus", 960),
}


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """How to encode. Defaults: MP4, H.264 CRF 23 veryfast, AAC 128 kb/s, faststart."""

    container: OutputContainer = "mp4"
    crf: int | None = None  # None: 23 for H.264, 32 for VP9
    preset: str = "veryfast"
    video_bitrate: int | None = None  # bits/s; set for a size target (capped VBV)
    audio_bitrate: int = 128_000  # bits/s
    keyint: int | None = None  # frames between key frames, fixed (HLS segment boundaries)
    alpha: bool = False  # keep an alpha channel (yuva420p); WebM/VP9 only


def check_fps(fps: float) -> Fraction:
    if not 1 <= fps <= 120:
        raise MediaValidationError("fps must be between 1 and 120.", details={"fps": fps})
    return Fraction(fps).limit_denominator(1001)


def output_fps(info: MediaInfo) -> Fraction:
    """The source's frame rate, tamed to something an encoder and player like."""
    fps = info.fps or 24.0
    if fps > 60:
        fps = 60.0
    rate = Fraction(fps).limit_denominator(1001)
    return rate if rate > 0 else Fraction(24)


def frame_count(duration: float, fps: Fraction) -> int:
    return max(1, round(duration * float(fps)))


class Writer:
    """Encodes frames into ``dst`` via a temp file, renamed into place only on success.

    ``audio`` is an iterator of float32 stereo 48 kHz chunks shaped (2, n). It is cut to
    the video's length and padded with silence if it ends early.
    """

    def __init__(
        self,
        dst: Path,
        *,
        width: int,
        height: int,
        fps: Fraction,
        progress: Progress,
        audio: Iterator[np.ndarray] | None = None,
        spec: OutputSpec | None = None,
    ) -> None:
        spec = spec or OutputSpec()
        if width % 2 or height % 2:
            raise MediaValidationError(f"Output size {width}x{height} must be even.")
        self.dst = Path(dst)
        self.width, self.height, self.fps = width, height, fps
        self.progress = progress
        self.frames = 0
        self.result: MediaInfo | None = None
        fmt, vcodec, acodec, self._frame_size = _CODECS[spec.container]
        if spec.alpha and vcodec != "libvpx-vp9":
            raise MediaValidationError("Only WebM (VP9) output keeps an alpha channel.")
        self._pix_fmt = "yuva420p" if spec.alpha else "yuv420p"
        self._tmp = self.dst.with_name(f".{self.dst.name}.{uuid.uuid4().hex[:8]}.part")
        options = {"movflags": "+faststart"} if fmt in {"mp4", "mov"} else {}
        self._out = av.open(str(self._tmp), mode="w", format=fmt, options=options)
        try:
            self._video = self._out.add_stream(vcodec, rate=fps)
            self._video.width, self._video.height = width, height
            self._video.pix_fmt = self._pix_fmt
            self._video.codec_context.thread_type = "AUTO"
            self._video.options = _video_options(vcodec, spec)
            if spec.video_bitrate:
                self._video.bit_rate = spec.video_bitrate
            self._audio_in = audio
            self._audio = None
            if audio is not None:
                self._audio = self._out.add_stream(acodec, rate=AUDIO_RATE, layout="stereo")
                self._audio.bit_rate = spec.audio_bitrate
        except BaseException:
            self._discard()
            raise
        self._abuf: list[np.ndarray] = []
        self._abuf_len = 0
        self._samples_out = 0
        self._audio_done = audio is None

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self._discard()

    def write(self, frame: VideoFrame, *, interpolation: Interpolation = "BICUBIC") -> None:
        """Encode one frame (scaled/converted to the output size and pixel format if needed)."""
        if (
            frame.width != self.width
            or frame.height != self.height
            or frame.format.name != self._pix_fmt
        ):
            frame = frame.reformat(
                self.width, self.height, self._pix_fmt, interpolation=interpolation
            )
        frame.pts = self.frames
        frame.time_base = 1 / self.fps
        for packet in self._video.encode(frame):
            self._out.mux(packet)
        self.frames += 1
        if self._audio is not None:
            self._pump_audio(round((self.frames / self.fps + AUDIO_LEAD) * AUDIO_RATE))
        self.progress.advance()

    def close(self) -> MediaInfo:
        try:
            if self.frames == 0:
                raise MediaValidationError("The operation produced no frames.")
            for packet in self._video.encode(None):
                self._out.mux(packet)
            if self._audio is not None:
                total = round(self.frames / self.fps * AUDIO_RATE)
                self._pump_audio(total, final=True)
                for packet in self._audio.encode(None):
                    self._out.mux(packet)
            self._out.close()
            self._close_audio_source()
            os.replace(self._tmp, self.dst)
        except BaseException:
            self._discard()
            raise
        self.result = probe(self.dst)
        self.progress.finish()
        return self.result

    def _discard(self) -> None:
        with contextlib.suppress(Exception):
            self._out.close()
        self._close_audio_source()
        self._tmp.unlink(missing_ok=True)

    def _close_audio_source(self) -> None:
        close = getattr(self._audio_in, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()

    def _pump_audio(self, until: int, *, final: bool = False) -> None:
        while not self._audio_done and self._samples_out + self._abuf_len < until:
            try:
                chunk = next(self._audio_in)  # type: ignore[arg-type]
            except StopIteration:
                self._audio_done = True
                break
            if chunk.size:
                self._abuf.append(chunk)
                self._abuf_len += chunk.shape[1]
        if final and self._samples_out + self._abuf_len < until:
            gap = until - self._samples_out - self._abuf_len
            self._abuf.append(np.zeros((2, gap), np.float32))
            self._abuf_len += gap
        fs = self._frame_size
        while self._abuf_len and self._samples_out < until:
            n = min(fs, until - self._samples_out)
            if n < fs and not final:
                break
            if self._abuf_len < n:
                if not final:
                    break
                n = self._abuf_len
            self._encode_audio(self._take(n))

    def _take(self, n: int) -> np.ndarray:
        buf = self._abuf[0] if len(self._abuf) == 1 else np.concatenate(self._abuf, axis=1)
        out, rest = buf[:, :n], buf[:, n:]
        self._abuf = [rest] if rest.shape[1] else []
        self._abuf_len = rest.shape[1]
        return np.ascontiguousarray(out)

    def _encode_audio(self, samples: np.ndarray) -> None:
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="stereo")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._samples_out
        frame.time_base = Fraction(1, AUDIO_RATE)
        self._samples_out += samples.shape[1]
        assert self._audio is not None
        for packet in self._audio.encode(frame):
            self._out.mux(packet)


def _video_options(codec: str, spec: OutputSpec) -> dict[str, str]:
    if codec == "libx264":
        opts = {"preset": spec.preset}
        if spec.keyint:
            opts.update(g=str(spec.keyint), keyint_min=str(spec.keyint), sc_threshold="0")
        if spec.video_bitrate:
            opts.update(
                maxrate=str(int(spec.video_bitrate * 1.1)),
                bufsize=str(int(spec.video_bitrate * 2)),
            )
        else:
            opts["crf"] = str(spec.crf if spec.crf is not None else 23)
        return opts
    opts = {"deadline": "realtime", "cpu-used": "8", "row-mt": "1"}
    if spec.video_bitrate:
        opts["maxrate"] = str(int(spec.video_bitrate * 1.1))
    else:
        opts.update(crf=str(spec.crf if spec.crf is not None else 32), b="0")
    return opts
