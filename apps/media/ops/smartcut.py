"""Trim by stream copy, frame-accurately: a smart cut.

Every whole GOP (IDR frame to the next IDR) inside the kept window is copied packet for
packet; only the partial GOPs at the window's edges are decoded and re-encoded. The
re-encoded edges carry their own SPS/PPS in-band and the first copied packet gets the
source's parameter sets back in front of it, so one H.264 decoder plays the three parts
in a row. "keyframe" mode widens the window to the IDR frames around it and copies only.
What is copied and what re-encoded is planned in apps/media/ops/cutplan.py.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from av.video.frame import PictureType

from apps.media.errors import CorruptionDetected
from apps.media.ops.cutplan import CutPlan, VideoIndex
from apps.media.ops.remux import CopyWriter, audio_copyable, copied, encoded_audio, until
from apps.media.probe import MediaInfo, open_container
from apps.media.progress import Progress
from apps.media.sources import AUDIO_RATE, decode_audio

EDGE_CRF = "18"  # the re-encoded edges sit next to original frames: keep them close
# superfast keeps the source's High profile (ultrafast drops to Constrained Baseline, so
# the track's avcC would no longer describe its middle) and cuts the edges' encode by a
# sixth against veryfast (bench/media.py smart cut on 60 s 1080p: 1.23 -> 1.05 s).
EDGE_PRESET = "superfast"
_START_CODE = re.compile(b"\x00\x00\x01")
_X264_PROFILES = {"baseline": "baseline", "constrained baseline": "baseline", "main": "main"}


def annexb_to_avcc(data: bytes, size: int) -> bytes:
    """Start-code framed NAL units (an encoder's raw output) -> length-prefixed ones."""
    out = bytearray()
    for unit in _START_CODE.split(data):
        unit = unit.rstrip(b"\x00")
        if unit:
            out += len(unit).to_bytes(size, "big") + unit
    return bytes(out)


def cut(
    *, info: MediaInfo, index: VideoIndex, plan: CutPlan, dst: Path, progress: Progress
) -> MediaInfo:
    """Write the planned cut: edges encoded, the middle copied. AAC audio is copied too,
    on its own timestamps (in sync); the packets before the cut land before 0 where the
    MP4 edit list hides them, so it starts on the cut to the sample and ends within one
    AAC frame (~21 ms) of the video. Other audio is re-encoded for exactly the window."""
    progress.check()
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(open_container(info.path))
        vin = source.streams.video[0]
        writer = stack.enter_context(CopyWriter(dst, container="mp4", progress=progress))
        vout = writer.copy_of(vin)
        video = _video(info.path, index, plan, source, vin, vout)
        sources = [video]
        if info.has_audio and audio_copyable(info):
            audio_src = stack.enter_context(open_container(info.path))
            ain = audio_src.streams.audio[0]
            start, end = plan.start_seconds, plan.start_seconds + plan.seconds
            # One packet before the cut primes the decoder; it lands before 0, where the
            # MP4 edit list hides it, so the sound starts on the cut to the sample.
            lead = start - 2048 / (ain.sample_rate or AUDIO_RATE)
            audio_src.seek(int(lead / ain.time_base), stream=ain, backward=True)
            packets = (
                p for p in audio_src.demux(ain) if p.pts is None or p.pts * p.time_base > lead
            )
            sources.append(until(copied(packets, writer.copy_of(ain), shift=start), end - start))
        elif info.has_audio:
            base = float(vin.start_time * vin.time_base) if vin.start_time else 0.0
            start = plan.start_seconds - base
            samples = round(plan.seconds * AUDIO_RATE)
            chunks = decode_audio(info.path, start=start, end=start + plan.seconds)
            sources.append(encoded_audio(writer.aac(), chunks, samples))
        writer.write(*sources)
    assert writer.result is not None
    return writer.result


def _video(
    path: Path,
    index: VideoIndex,
    plan: CutPlan,
    source: av.container.InputContainer,
    vin: av.stream.Stream,
    vout: av.stream.Stream,
) -> Iterator[av.Packet]:
    edge = EdgeEncoding.of(vin)

    def encoded(frames: list[int], lead: int) -> Iterator[av.Packet]:
        return _encoded_edge(path, index, plan, frames, lead, edge, vout)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="smartcut-tail") as pool:
        # The tail is decoded and encoded while the head is: one edge alone leaves a
        # core idle (60 s 1080p bench clip, 2 cores, best of five: 1.21-1.38 s before,
        # 1.04-1.11 s after). Its packets (at most a GOP's) wait in memory for the head
        # and the copy.
        tail = pool.submit(list, encoded(plan.tail, plan.tail_lead)) if plan.tail else None
        if plan.head:
            yield from encoded(plan.head, plan.head_lead)
        yield from _copied_middle(index, plan, source, vin, vout)
        if tail is not None:
            yield from tail.result()


def _copied_middle(
    index: VideoIndex,
    plan: CutPlan,
    source: av.container.InputContainer,
    vin: av.stream.Stream,
    vout: av.stream.Stream,
) -> Iterator[av.Packet]:
    first, last = plan.copy
    want = index.packets[first]
    source.seek(want[1], stream=vin, backward=True)
    copied = 0
    try:
        for packet in source.demux(vin):
            if packet.pts is None or packet.dts is None:
                continue
            if not copied and (packet.pts, packet.dts) != want[:2]:
                if packet.dts > want[1]:
                    raise CorruptionDetected("The video's index does not match its packets.")
                continue
            if not copied and plan.head:
                # The edge before switched the decoder to its own SPS/PPS: switch back.
                data = index.parameter_sets + bytes(packet)
                fresh = av.Packet(data)
                fresh.pts, fresh.dts, fresh.duration = packet.pts, packet.dts, packet.duration
                fresh.time_base, fresh.is_keyframe = packet.time_base, True
                packet = fresh
            packet.pts -= plan.offset
            packet.dts -= plan.offset
            packet.stream = vout
            yield packet
            copied += 1
            if first + copied == last:
                break
    except av.error.FFmpegError as exc:
        raise CorruptionDetected(
            "The file is damaged: reading its packets failed.", details={"reason": str(exc)}
        ) from exc
    if first + copied != last:
        raise CorruptionDetected("The video holds fewer packets than its index.")


@dataclass(frozen=True, slots=True)
class EdgeEncoding:
    """What an edge's encoder takes from the source stream, read before any edge runs
    (the tail runs on another thread while the source container is demuxed)."""

    width: int
    height: int
    framerate: Fraction

    @classmethod
    def of(cls, vin: av.stream.Stream) -> EdgeEncoding:
        rate = vin.average_rate or vin.guessed_rate or Fraction(24)
        return cls(vin.codec_context.width, vin.codec_context.height, rate)


def _encoded_edge(
    path: Path,
    index: VideoIndex,
    plan: CutPlan,
    frames: list[int],
    lead: int,
    edge: EdgeEncoding,
    vout: av.stream.Stream,
) -> Iterator[av.Packet]:
    """Decode the frames with these pts and encode them (no B-frames, so decode order is
    presentation order) with in-band parameter sets, timed to fit around the copy. Opens
    its own container and encoder, so the two edges can run at once."""
    tb = plan.time_base
    enc = av.CodecContext.create("libx264", "w")
    enc.width, enc.height = edge.width, edge.height
    enc.pix_fmt = "yuv420p"
    enc.time_base = tb
    enc.framerate = edge.framerate
    options = {"preset": EDGE_PRESET, "crf": EDGE_CRF, "bf": "0"}
    profile = _X264_PROFILES.get(index.profile, "high")
    options["profile"] = profile
    enc.options = options
    wanted = iter(frames)
    expect = next(wanted)
    with open_container(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        # Start decoding at the IDR frame the first wanted frame hangs on.
        key_dts = max(
            (p[1] for p in index.packets if p[3] and p[0] <= frames[0]),
            default=index.packets[0][1],
        )
        container.seek(key_dts, stream=stream, backward=True)
        try:
            for frame in container.decode(stream):
                if frame.pts is None or frame.pts < expect:
                    continue
                if frame.pts != expect:
                    raise CorruptionDetected("A frame at the cut point could not be decoded.")
                frame.pict_type = PictureType.NONE
                yield from _edge_packets(enc.encode(frame), index, plan, lead, vout)
                expect = next(wanted, None)
                if expect is None:
                    break
        except av.error.FFmpegError as exc:
            raise CorruptionDetected(
                "The video could not be decoded; the file looks damaged.",
                details={"reason": str(exc)},
            ) from exc
    if expect is not None:
        raise CorruptionDetected("The video ends before the frames its index lists.")
    yield from _edge_packets(enc.encode(None), index, plan, lead, vout)


def _edge_packets(
    packets: list[av.Packet], index: VideoIndex, plan: CutPlan, lead: int, vout: av.stream.Stream
) -> Iterator[av.Packet]:
    for encoded in packets:
        pts = encoded.pts
        packet = av.Packet(annexb_to_avcc(bytes(encoded), index.nal_size))
        packet.time_base = plan.time_base
        packet.pts = pts - plan.offset
        packet.dts = pts - lead - plan.offset
        packet.duration = plan.durations.get(pts, 0)
        packet.is_keyframe = encoded.is_keyframe
        packet.stream = vout
        yield packet
