"""What a smart cut (apps/media/ops/smartcut.py) copies and what it re-encodes: the video
stream's packet index, read by demuxing only, and the plan built from it.

Which source frames are kept follows the re-encoding trim: the first is the frame shown
nearest to ``start``, the window ends at the frame nearest to ``end`` (excluded).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av

from apps.media.errors import CorruptionDetected
from apps.media.probe import open_container

TrimMode = Literal["accurate", "keyframe"]
TRIM_MODES = ("accurate", "keyframe")


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
