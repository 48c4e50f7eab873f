"""HLS packaging: an adaptive set of H.264/AAC renditions cut into ~4 s MPEG-TS segments.

Each rendition is encoded once (fixed key-frame interval of `segment_s`, so every segment
starts on a key frame and lasts the same), then PyAV's own `hls` muxer splits it into
segments and writes the rendition's playlist; the master playlist that lists the
renditions is written here. Every file lands flat in one directory with relative names
(`master.m3u8`, `v0.m3u8`, `v0-00000.ts`, …) so the set can be served from any prefix."""

from __future__ import annotations

import math
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import av
from av.video.frame import VideoFrame

from apps.media.engine import OutputSpec, frame_count, output_fps
from apps.media.errors import MediaValidationError
from apps.media.frames import even, fit
from apps.media.ops._common import reencode, source_audio, video_input
from apps.media.progress import CancelCheck, ProgressCallback

SEGMENT_S = 4
MASTER_NAME = "master.m3u8"
# Short side of each rung (px) -> video bits/s. The ladder keeps the top three rungs at
# or below the source; a source smaller than the lowest rung gets itself and its half.
LADDER: tuple[tuple[int, int], ...] = ((720, 2_500_000), (480, 1_200_000), (360, 700_000))
AUDIO_BITRATE = 128_000
MAX_RENDITIONS = 3


@dataclass(frozen=True, slots=True)
class Rendition:
    name: str  # playlist file name, e.g. "v0.m3u8"
    width: int
    height: int
    bandwidth: int  # bits/s, peak estimate (video + audio) for EXT-X-STREAM-INF


@dataclass(frozen=True, slots=True)
class HlsPackage:
    directory: Path
    master: str  # file name of the master playlist inside `directory`
    renditions: tuple[Rendition, ...]
    files: tuple[str, ...]  # every file name, the master playlist first

    @property
    def total_bytes(self) -> int:
        return sum((self.directory / name).stat().st_size for name in self.files)


def ladder(width: int, height: int) -> list[tuple[int, int, int]]:
    """(width, height, video bits/s) of the 2-3 renditions for a source of this size."""
    short = min(width, height)
    rungs = [(s, rate) for s, rate in LADDER if s <= short][:MAX_RENDITIONS]
    if len(rungs) < 2:
        low_rate = LADDER[-1][1]
        rungs = [(short, low_rate), (max(2, short // 2), low_rate // 2)]
    out = []
    for side, rate in rungs:
        scale = side / short
        out.append((even(width * scale), even(height * scale), rate))
    return out


def package_hls(
    *,
    src: Path,
    dst_dir: Path,
    segment_s: int = SEGMENT_S,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> HlsPackage:
    """Writes an HLS set for the video `src` into the (new or empty) directory `dst_dir`:
    the master playlist plus, per rendition, a VOD media playlist and its segments."""
    if not 1 <= segment_s <= 30:
        raise MediaValidationError("segment_s must be between 1 and 30.")
    info = video_input(src)
    fps = output_fps(info)
    count = frame_count(info.duration, fps)
    keyint = max(1, round(segment_s * float(fps)))
    dst_dir = Path(dst_dir)
    dst_dir.mkdir(parents=True, exist_ok=True)
    rungs = ladder(info.width, info.height)
    renditions: list[Rendition] = []
    files: list[str] = []
    work = dst_dir / f".work-{uuid.uuid4().hex[:8]}"
    work.mkdir()
    try:
        for index, (width, height, rate) in enumerate(rungs):

            def report(pct: int, index: int = index) -> None:
                if on_progress is not None:
                    on_progress(int((index * 100 + pct) / len(rungs)))

            encoded = work / f"v{index}.mp4"

            def resize(frame: VideoFrame, w: int = width, h: int = height) -> VideoFrame:
                return fit(frame, w, h, "stretch", "BICUBIC")

            reencode(
                src=info.path,
                dst=encoded,
                info=info,
                width=width,
                height=height,
                fps=fps,
                count=count,
                transform=resize,
                # No source audio: a silent AAC track, so every rendition is H.264 + AAC.
                audio=source_audio(info, seconds=float(count / fps)) or iter(()),
                spec=OutputSpec(
                    video_bitrate=rate,
                    audio_bitrate=AUDIO_BITRATE,
                    keyint=keyint,
                    preset="veryfast",
                ),
                on_progress=report,
                should_cancel=should_cancel,
            )
            name = f"v{index}.m3u8"
            segments = _segment(encoded, dst_dir, name=name, segment_s=segment_s)
            peak = _peak_bits_per_s(dst_dir, segments, segment_s)
            renditions.append(Rendition(name, width, height, max(peak, rate + AUDIO_BITRATE)))
            files += [name, *segments]
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        for name in files:
            (dst_dir / name).unlink(missing_ok=True)
        raise
    shutil.rmtree(work, ignore_errors=True)
    (dst_dir / MASTER_NAME).write_text(_master(renditions), encoding="utf-8")
    return HlsPackage(dst_dir, MASTER_NAME, tuple(renditions), (MASTER_NAME, *files))


def _segment(src: Path, dst_dir: Path, *, name: str, segment_s: int) -> list[str]:
    """Remuxes (no re-encode) `src` into `dst_dir/name` + its .ts segments via the hls
    muxer; returns the segment file names in order."""
    stem = name.removesuffix(".m3u8")
    options = {
        "hls_time": str(segment_s),
        "hls_playlist_type": "vod",
        "hls_list_size": "0",
        "hls_segment_type": "mpegts",
        "hls_segment_filename": str(dst_dir / f"{stem}-%05d.ts"),
    }
    with (
        av.open(str(src)) as inp,
        av.open(str(dst_dir / name), mode="w", format="hls", options=options) as out,
    ):
        mapping = {}
        for stream in inp.streams:
            if stream.type in ("video", "audio"):
                mapping[stream.index] = out.add_stream_from_template(stream)
        for packet in inp.demux(*[s for s in inp.streams if s.index in mapping]):
            if packet.dts is None:
                continue
            packet.stream = mapping[packet.stream.index]
            out.mux(packet)
    playlist = (dst_dir / name).read_text(encoding="utf-8")
    segments = [line for line in playlist.splitlines() if line and not line.startswith("#")]
    for segment in segments:
        if "/" in segment or not (dst_dir / segment).is_file():
            raise MediaValidationError(f"The HLS muxer wrote an unexpected entry {segment!r}.")
    return segments


def _peak_bits_per_s(dst_dir: Path, segments: list[str], segment_s: int) -> int:
    if not segments:
        return 0
    biggest = max((dst_dir / s).stat().st_size for s in segments)
    return math.ceil(biggest * 8 / segment_s)


def _master(renditions: list[Rendition]) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for r in renditions:
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={r.bandwidth},RESOLUTION={r.width}x{r.height},"
            f'CODECS="avc1.64001f,mp4a.40.2"'
        )
        lines.append(r.name)
    return "\n".join(lines) + "\n"
