"""Trim by stream copy, frame-accurately: a smart cut.

Every whole GOP (IDR frame to the next IDR) inside the kept window is copied packet for
packet; only the partial GOPs at the window's edges are decoded and re-encoded. The
re-encoded edges carry their own SPS/PPS in-band and the first copied packet gets the
source's parameter sets back in front of it, so one H.264 decoder plays the three parts
in a row. "keyframe" mode widens the window to the IDR frames around it and copies only.

Which source frames are kept follows the re-encoding trim: the first is the frame shown
nearest to ``start``, the window ends at the frame nearest to ``end`` (excluded).
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
from av.video.frame import PictureType

from apps.media.errors import CorruptionDetected
from apps.media.ops.remux import CopyWriter, audio_copyable, copied, encoded_audio, until
from apps.media.probe import MediaInfo, open_container
from apps.media.progress import Progress
from apps.media.sources import AUDIO_RATE, decode_audio

TrimMode = Literal["accurate", "keyframe"]
TRIM_MODES = ("accurate", "keyframe")
EDGE_CRF = "18"  # the re-encoded edges sit next to original frames: keep them close
# superfast keeps the source's High profile (ultrafast drops to Constrained Baseline, so
# the track's avcC would no longer describe its middle) and cuts the edges' encode by a
# sixth against veryfast (bench/media.py smart cut on 60 s 1080p: 1.23 -> 1.05 s).
EDGE_PRESET = "superfast"
_START_CODE = re.compile(b"\x00\x00\x01")
_X264_PROFILES = {"baseline": "baseline", "constrained baseline": "baseline", "main": "main"}


@dataclass(frozen=True, slots=True)
class VideoIndex:
    """The video stream's packets in decode order: (pts, dts, duration, is IDR)."""

    time_base: Fraction
    packets: list[tuple[int, int, int, bool]]
    nal_size: int  # bytes of each NAL unit's length prefix
    parameter_sets: bytes  # the source's SPS and PPS, length-prefixed as in the packets
    profile: str


@dataclass(frozen=True, slots=True)
class CutPlan:
    time_base: Fraction
    head: list[int]  # pts of the frames re-encoded before the copied GOPs
    copy: tuple[int, int]  # [first, last) positions in decode order of copied packets
    tail: list[int]  # pts of the frames re-encoded after them
    offset: int  # source pts of the output's first frame
    end: int  # source pts where the output ends
    # How far the re-encoded edges' decode times run ahead of their presentation times:
    # the lead of the IDR frame each edge meets, so decode times stay in order across
    # the joins (the edges have no B-frames, so any constant lead is valid for them).
    head_lead: int
    tail_lead: int
    durations: dict[int, int]

    @property
    def seconds(self) -> float:
        return float((self.end - self.offset) * self.time_base)

    @property
    def start_seconds(self) -> float:
        return float(self.offset * self.time_base)

    @property
    def copy_only(self) -> bool:
        return not self.head and not self.tail

    @property
    def frames(self) -> int:
        return len(self.head) + (self.copy[1] - self.copy[0]) + len(self.tail)


def parse_avcc(extradata: bytes | None) -> tuple[int, bytes] | None:
    """(NAL length size, length-prefixed SPS+PPS) from an avcC record, None if not one."""
    if not extradata or len(extradata) < 7 or extradata[0] != 1:
        return None
    size = (extradata[4] & 3) + 1
    units: list[bytes] = []
    pos = 5
    try:
        for count_mask in (0x1F, 0xFF):
            count = extradata[pos] & count_mask
            pos += 1
            for _ in range(count):
                n = int.from_bytes(extradata[pos : pos + 2], "big")
                units.append(extradata[pos + 2 : pos + 2 + n])
                pos += 2 + n
    except IndexError:
        return None
    if len(units) < 2 or any(not u for u in units):
        return None
    return size, b"".join(len(u).to_bytes(size, "big") + u for u in units)


def _nal_types(data: bytes, size: int) -> Iterator[int]:
    pos = 0
    while pos + size < len(data):
        n = int.from_bytes(data[pos : pos + size], "big")
        yield data[pos + size] & 0x1F
        pos += size + n


def annexb_to_avcc(data: bytes, size: int) -> bytes:
    """Start-code framed NAL units (an encoder's raw output) -> length-prefixed ones."""
    out = bytearray()
    for unit in _START_CODE.split(data):
        unit = unit.rstrip(b"\x00")
        if unit:
            out += len(unit).to_bytes(size, "big") + unit
    return bytes(out)


def read_index(path: Path) -> VideoIndex | None:
    """Demux (never decode) the video stream; None when it cannot be cut by copy."""
    with open_container(path) as container:
        stream = container.streams.video[0]
        parsed = parse_avcc(stream.codec_context.extradata)
        if parsed is None:
            return None
        size, parameter_sets = parsed
        packets: list[tuple[int, int, int, bool]] = []
        try:
            for p in container.demux(stream):
                if p.pts is None or p.dts is None:
                    if p.size:
                        return None  # timestamps we cannot trust
                    continue
                idr = p.is_keyframe and 5 in _nal_types(bytes(p), size)
                packets.append((p.pts, p.dts, p.duration or 0, idr))
        except av.error.FFmpegError as exc:
            raise CorruptionDetected(
                "The file is damaged: reading its packets failed.", details={"reason": str(exc)}
            ) from exc
        profile = (stream.codec_context.profile or "").lower()
    if not packets:
        return None
    return VideoIndex(stream.time_base, packets, size, parameter_sets, profile)


def plan_cut(index: VideoIndex, *, start: float, count: int, mode: TrimMode) -> CutPlan | None:
    """What to re-encode and what to copy to keep ``count`` frames from the one shown
    nearest to ``start`` (as the re-encoding trim does), or None when a copy cannot do
    this cut (no whole GOP in the window, an open GOP, timestamps out of order)."""
    tb = index.time_base
    order = sorted(p[0] for p in index.packets)
    dts = [p[1] for p in index.packets]
    if len(set(order)) != len(order) or any(b <= a for a, b in itertools.pairwise(dts)):
        return None
    n = len(order)
    base = order[0]
    seconds = [float((pts - base) * tb) for pts in order]
    mids = [(a + b) / 2 for a, b in itertools.pairwise(seconds)]
    i0 = bisect.bisect_right(mids, start)  # the frame shown nearest to start
    i1 = min(n, i0 + count)
    durations = _durations(order, index)
    idr_pts = {p[0] for p in index.packets if p[3]}
    keys = [i for i, pts in enumerate(order) if pts in idr_pts]
    if mode == "keyframe":
        before = [k for k in keys if k <= i0]
        if not before:
            return None
        i0 = a = before[-1]
        i1 = b = next((k for k in keys if k >= i1), n)
    else:
        a = next((k for k in keys if k >= i0), n)
        b = n if i1 == n else max((k for k in keys if k <= i1), default=-1)
        if a >= b or a >= i1:
            return None
    decode_pos = {p[0]: pos for pos, p in enumerate(index.packets)}
    first = decode_pos[order[a]]
    last = decode_pos[order[b]] if b < n else len(index.packets)
    middle = index.packets[first:last]
    if {p[0] for p in middle} != set(order[a:b]):
        return None  # an open GOP: frames of this range decode from outside it
    head_lead = middle[0][0] - middle[0][1]
    tail_lead = index.packets[last][0] - index.packets[last][1] if last < n else 0
    end_pts = order[i1] if i1 < n else order[-1] + durations[order[-1]]
    return CutPlan(
        time_base=tb,
        head=order[i0:a],
        copy=(first, last),
        tail=order[b:i1],
        offset=order[i0],
        end=end_pts,
        head_lead=head_lead,
        tail_lead=tail_lead,
        durations=durations,
    )


def _durations(order: list[int], index: VideoIndex) -> dict[int, int]:
    given = {p[0]: p[2] for p in index.packets}
    out = {}
    for pts, nxt in itertools.pairwise(order):
        out[pts] = nxt - pts
    fallback = out[order[-2]] if len(order) > 1 else 1
    out[order[-1]] = given.get(order[-1]) or fallback
    return out


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
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="smartcut-tail") as pool:
        # The tail is decoded and encoded while the head is: one edge alone leaves a
        # core idle (60 s 1080p bench clip, 2 cores, best of five: 1.21-1.38 s before,
        # 1.04-1.11 s after). Its packets (at most a GOP's) wait in memory for the head
        # and the copy.
        tail = (
            pool.submit(
                list, _encoded_edge(path, index, plan, plan.tail, plan.tail_lead, edge, vout)
            )
            if plan.tail
            else None
        )
        if plan.head:
            yield from _encoded_edge(path, index, plan, plan.head, plan.head_lead, edge, vout)
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
        return cls(vin.codec_context.width, vin.codec_context.height, Fraction(rate))


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
