"""Stream copy: edits that change no pixels move packets instead of decoding and encoding.

Mute, replace audio, MP4 <-> MOV and the middle of a trim need no new pictures, so their
video packets go into the output as they are: no generation loss, and the time is the
time it takes to read and write the file. The copy is taken only when the result is what
the re-encoding path would promise (H.264 4:2:0, even size, upright, <= 60 fps, in an
MP4/MOV whose timestamps can be trusted); otherwise callers re-encode as before.
"""

from __future__ import annotations

import contextlib
import heapq
import os
import uuid
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from apps.media.engine import OutputContainer
from apps.media.errors import CorruptionDetected
from apps.media.ops._common import ChunkReader
from apps.media.probe import MediaInfo, open_container, probe
from apps.media.progress import Progress
from apps.media.sources import AUDIO_RATE

ISO_CONTAINERS = frozenset({"mp4", "mov"})
COPY_VIDEO_CODECS = {"mp4": frozenset({"h264"}), "mov": frozenset({"h264"})}
COPY_AUDIO_CODECS = {"mp4": frozenset({"aac"}), "mov": frozenset({"aac"})}
MAX_COPY_FPS = 60.0  # the re-encoding path caps the rate here; a copy must not exceed it


def video_copyable(info: MediaInfo, container: str = "mp4") -> bool:
    """Whether the source's video may go into ``container`` packet for packet."""
    return (
        container in COPY_VIDEO_CODECS
        and info.container in ISO_CONTAINERS
        and info.video_codec in COPY_VIDEO_CODECS[container]
        # yuvj420p (full range) and 4:2:2/4:4:4 are normalised by the re-encode path.
        and info.pixel_format == "yuv420p"
        # The re-encode path turns rotated pixels upright; a copy would not.
        and info.rotation == 0
        and info.width % 2 == 0
        and info.height % 2 == 0
        and 0 < info.fps <= MAX_COPY_FPS
    )


def audio_copyable(info: MediaInfo, container: str = "mp4") -> bool:
    """Whether an audio track (of a video, or an M4A) may go into ``container`` as it is."""
    return (
        container in COPY_AUDIO_CODECS
        and info.container in ISO_CONTAINERS | {"m4a"}
        and info.audio_codec in COPY_AUDIO_CODECS[container]
    )


def decode_time(packet: av.Packet) -> float:
    ts = packet.dts if packet.dts is not None else packet.pts
    return float(ts * packet.time_base) if ts is not None and packet.time_base else 0.0


class CopyWriter:
    """Muxes copied and freshly encoded packets into ``dst`` via a temp file that is
    renamed into place only on success (faststart for MP4/MOV, like the Writer)."""

    def __init__(self, dst: Path, *, container: OutputContainer, progress: Progress) -> None:
        self.dst = Path(dst)
        self.progress = progress
        self.result: MediaInfo | None = None
        self._tmp = self.dst.with_name(f".{self.dst.name}.{uuid.uuid4().hex[:8]}.part")
        self._out = av.open(
            str(self._tmp), mode="w", format=container, options={"movflags": "+faststart"}
        )
        self._written = 0

    def __enter__(self) -> CopyWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self._discard()

    def copy_of(self, template: av.stream.Stream) -> av.stream.Stream:
        """An output stream with exactly the template's codec parameters (for copies)."""
        return self._out.add_stream_from_template(template)

    def aac(self, bit_rate: int = 128_000) -> av.audio.stream.AudioStream:
        stream = self._out.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
        stream.bit_rate = bit_rate
        return stream

    def write(self, *sources: Iterable[av.Packet], progress_stream: int = 0) -> None:
        """Mux packets from several sources interleaved by decode time. Progress (and the
        cancel check, which callers throttle) advances with each packet of output stream
        ``progress_stream`` (the video)."""
        for packet in heapq.merge(*sources, key=decode_time):
            self._out.mux(packet)
            if packet.stream.index == progress_stream:
                self.progress.advance()

    def close(self) -> MediaInfo:
        try:
            self._out.close()
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
        self._tmp.unlink(missing_ok=True)


def copied(
    packets: Iterable[av.Packet], out: av.stream.Stream, *, shift: float = 0.0
) -> Iterator[av.Packet]:
    """Demuxed packets re-addressed to ``out``, moved ``shift`` seconds earlier; the
    demuxer's empty end-of-stream packets are dropped."""
    ticks: int | None = None
    try:
        for packet in packets:
            if packet.dts is None and packet.pts is None:
                continue
            if ticks is None:
                ticks = round(shift / packet.time_base) if packet.time_base else 0
            if ticks:
                if packet.pts is not None:
                    packet.pts -= ticks
                if packet.dts is not None:
                    packet.dts -= ticks
            packet.stream = out
            yield packet
    except av.error.FFmpegError as exc:
        raise CorruptionDetected(
            "The file is damaged: reading its packets failed.", details={"reason": str(exc)}
        ) from exc


def encoded_audio(
    stream: av.audio.stream.AudioStream, chunks: Iterator[np.ndarray], samples: int
) -> Iterator[av.Packet]:
    """Encode exactly ``samples`` of float32 stereo 48 kHz (zeros after the chunks end)."""
    reader = ChunkReader(chunks)
    done = 0
    try:
        while done < samples:
            n = min(1024, samples - done)
            block = np.ascontiguousarray(reader.read(n))
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
            frame.sample_rate = AUDIO_RATE
            frame.pts = done
            frame.time_base = Fraction(1, AUDIO_RATE)
            done += n
            yield from stream.encode(frame)
        yield from stream.encode(None)
    finally:
        reader.close()


def video_start(stream: av.stream.Stream) -> float:
    return float(stream.start_time * stream.time_base) if stream.start_time else 0.0


def remux(
    *,
    info: MediaInfo,
    dst: Path,
    container: OutputContainer,
    keep_audio: bool,
    progress: Progress,
) -> MediaInfo:
    """Copy the video (and the audio, when kept) into ``container``; nothing is decoded.
    The caller has checked ``video_copyable`` (and ``audio_copyable`` when keeping it)."""
    progress.check()
    with open_container(info.path) as source:
        vin = source.streams.video[0]
        ain = source.streams.audio[0] if keep_audio and source.streams.audio else None
        shift = video_start(vin)
        with CopyWriter(dst, container=container, progress=progress) as writer:
            vout = writer.copy_of(vin)
            if ain is None:
                writer.write(copied(source.demux(vin), vout, shift=shift))
            else:
                aout = writer.copy_of(ain)
                outs = {vin.index: vout, ain.index: aout}
                # One demux of both streams comes already interleaved in file order.
                packets = source.demux(vin, ain)
                writer.write(_routed(packets, outs, shift))
    assert writer.result is not None
    return writer.result


def _routed(
    packets: Iterable[av.Packet], outs: dict[int, av.stream.Stream], shift: float
) -> Iterator[av.Packet]:
    for packet in packets:
        out = outs[packet.stream.index]
        yield from copied((packet,), out, shift=shift)


def with_new_audio(
    *,
    info: MediaInfo,
    track: MediaInfo,
    dst: Path,
    chunks: Iterator[np.ndarray] | None,
    samples: int,
    progress: Progress,
) -> MediaInfo:
    """The source's video copied, with the audio of ``track``: its packets copied (cut
    at the video's end) when ``chunks`` is None, else ``samples`` of ``chunks`` encoded."""
    progress.check()
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(open_container(info.path))
        vin = source.streams.video[0]
        shift = video_start(vin)
        writer = stack.enter_context(CopyWriter(dst, container="mp4", progress=progress))
        vout = writer.copy_of(vin)
        video = copied(source.demux(vin), vout, shift=shift)
        if chunks is None:
            audio_src = stack.enter_context(open_container(track.path))
            ain = audio_src.streams.audio[0]
            aout = writer.copy_of(ain)
            audio = until(copied(audio_src.demux(ain), aout, shift=video_start(ain)), info.duration)
        else:
            audio = encoded_audio(writer.aac(), chunks, samples)
        writer.write(video, audio)
    assert writer.result is not None
    return writer.result


def until(packets: Iterator[av.Packet], end: float) -> Iterator[av.Packet]:
    """Packets that start before ``end`` seconds (an audio track cut to the video)."""
    for packet in packets:
        if packet.pts is not None and float(packet.pts * packet.time_base) >= end:
            return
        yield packet
