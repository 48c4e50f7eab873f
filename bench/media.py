"""Benchmark the local media engine against the FFmpeg command line, and its stream-copy
paths against its own re-encoding path.

Run: .venv/bin/python bench/media.py  (about 4 minutes on 2 cores, plus about 5 for the
stream-copy rows; ``--copy-only`` runs just those). The 60 s 1080p H.264/AAC clip the
copy rows use is generated once (with PyAV) into $REELSMITH_BENCH_CACHE (default: a
reelsmith-bench-cache folder in the temp directory) and reused.

Each operation runs in a fresh subprocess so its peak RSS can be read; our time is the
operation's own wall time inside that process (interpreter start-up excluded), FFmpeg's
is the whole command's wall time; each side is the best of two interleaved runs.
Both sides use libx264 veryfast CRF 23, AAC 128k, 48 kHz
stereo, yuv420p, +faststart, bicubic scaling. These rows keep the engine on its
re-encoding path (the stream copies are off), so they stay a like-for-like comparison.

The stream-copy rows time each copy (best of two) against the same edit on the
re-encoding path (run once; both trim rows share it) in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg

ROOT = Path(__file__).resolve().parent.parent
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
PY = sys.executable
ENCODE = [
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
    "-movflags", "+faststart",
]  # fmt: skip
AUDIO = ["-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2"]

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
import apps.media as media
if {reencode!r}:  # today's path: the copy is never eligible, so every edit re-encodes
    import apps.media.ops.convert, apps.media.ops.edit
    apps.media.ops.convert.video_copyable = apps.media.ops.edit.video_copyable = (
        lambda *args, **kwargs: False
    )
kwargs = json.loads({kwargs!r})
for key in ("src", "dst", "audio"):
    if key in kwargs:
        kwargs[key] = Path(kwargs[key])
started = time.perf_counter()
getattr(media, {op!r})(**kwargs)
seconds = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "rss_mb": rss}}))
"""


def ffmpeg(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([FFMPEG, "-v", "error", "-y", *args], check=True)
    return time.perf_counter() - started


def ours(op: str, *, reencode: bool = False, **kwargs: object) -> dict[str, float]:
    code = CHILD.format(root=str(ROOT), op=op, kwargs=json.dumps(kwargs), reencode=reencode)
    out = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_source(path: Path, size: str, seconds: int) -> None:
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=24",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18",
        "-pix_fmt", "yuv420p", *AUDIO, "-movflags", "+faststart", str(path),
    )  # fmt: skip


def main() -> None:
    if "--copy-only" not in sys.argv:
        against_ffmpeg()
    copy_rows()


def against_ffmpeg() -> None:
    with tempfile.TemporaryDirectory(prefix="reelsmith-bench-") as tmp:
        d = Path(tmp)
        src, src720, src60 = d / "src1080.mp4", d / "src720.mp4", d / "src1080_60s.mp4"
        image = d / "still.jpg"
        print("generating sources ...", flush=True)
        make_source(src, "1920x1080", 10)
        make_source(src720, "1280x720", 10)
        make_source(src60, "1920x1080", 60)
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=2880x1620", "-frames:v", "1", str(image))
        zoom = (
            "zoompan=z='1+0.5*on/239':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)'"
            ":d=1:s=1920x1080:fps=24,format=yuv420p"
        )
        upscale_cli = [
            "-i", str(src720), "-vf", "scale=1920:1080:flags=bicubic", *ENCODE, *AUDIO,
            str(d / "fb.mp4"),
        ]  # fmt: skip
        i2v_kwargs = {
            "src": str(image), "dst": str(d / "e.mp4"), "duration": 10.0, "fps": 24,
            "resolution": "1080p", "aspect": "16:9", "camera_motion": "zoom_in",
            "motion_strength": 1.0,
        }  # fmt: skip
        i2v_cli = [
            "-loop", "1", "-framerate", "24", "-i", str(image), "-t", "10",
            "-vf", zoom, *ENCODE, str(d / "fe.mp4"),
        ]  # fmt: skip
        cases = [
            (
                "transcode 1080p -> MP4",
                ("transcode", {"src": str(src), "dst": str(d / "a.mp4")}),
                ["-i", str(src), *ENCODE, *AUDIO, str(d / "fa.mp4")],
            ),
            (
                "upscale 720p -> 1080p",
                ("scale", {"src": str(src720), "dst": str(d / "b.mp4"), "resolution": "1080p"}),
                upscale_cli,
            ),
            (
                "trim 2 s..7 s (re-encode)",
                ("trim", {"src": str(src), "dst": str(d / "c.mp4"), "start": 2.0, "end": 7.0}),
                ["-ss", "2", "-to", "7", "-i", str(src), *ENCODE, *AUDIO, str(d / "fc.mp4")],
            ),
            ("image-to-video 10 s zoom", ("image_to_video", i2v_kwargs), i2v_cli),
        ]
        rows = []
        for label, (op, kwargs), cli in cases:
            print(f"  {label} ...", flush=True)
            # Best of two, interleaved, because shared machines are noisy.
            # These rows compare re-encoding with re-encoding: the copy paths are off
            # (an H.264/AAC MP4 -> MP4 would otherwise be a remux; see copy_rows).
            mine = [ours(op, reencode=True, **kwargs)]
            theirs = [ffmpeg(*cli)]
            mine.append(ours(op, reencode=True, **kwargs))
            theirs.append(ffmpeg(*cli))
            best = min(m["seconds"] for m in mine)
            rows.append((label, best, min(theirs), max(m["rss_mb"] for m in mine)))
        print()
        print(f"{'operation':<28}{'ours s':>9}{'ffmpeg s':>10}{'ratio':>8}{'peak MB':>9}")
        for label, mine_s, theirs_s, rss in rows:
            print(f"{label:<28}{mine_s:>9.2f}{theirs_s:>10.2f}{mine_s / theirs_s:>8.2f}{rss:>9.0f}")

        print("\npeak memory against clip length (each op in its own process):")
        mem_cases = [
            ("transcode 1080p", "transcode", lambda s, n: {"src": str(s), "dst": str(d / n)}),
            (
                "trim to 5 s before end",
                "trim",
                lambda s, n: {"src": str(s), "dst": str(d / n), "start": 5.0},
            ),
        ]
        print(f"{'operation':<28}{'10 s MB':>9}{'60 s MB':>9}")
        for label, op, kw in mem_cases:
            short = ours(op, reencode=True, **kw(src, "m10.mp4"))
            long = ours(op, reencode=True, **kw(src60, "m60.mp4"))
            print(f"{label:<28}{short['rss_mb']:>9.0f}{long['rss_mb']:>9.0f}", flush=True)
        i2v = []
        for seconds in (10.0, 60.0):
            kwargs = {
                "src": str(image), "dst": str(d / "mi.mp4"), "duration": seconds,
                "fps": 24, "resolution": "1080p", "camera_motion": "pan_right",
                "motion_strength": 1.0,
            }  # fmt: skip
            i2v.append(ours("image_to_video", **kwargs)["rss_mb"])
        print(f"{'image-to-video 1080p pan':<28}{i2v[0]:>9.0f}{i2v[1]:>9.0f}")


CACHE = Path(
    os.environ.get("REELSMITH_BENCH_CACHE") or Path(tempfile.gettempdir()) / "reelsmith-bench-cache"
)
COPY_CLIP = "h264_aac_1080p_60s_gop2s_v2.mp4"

GENERATE = r"""
import sys
from fractions import Fraction
import av, numpy as np
dst, seconds, fps = sys.argv[1], 60, 24
out = av.open(dst + ".part", "w", format="mp4", options={"movflags": "+faststart"})
video = out.add_stream("libx264", rate=fps)
video.width, video.height, video.pix_fmt = 1920, 1080, "yuv420p"
# What a camera or an editor hands over: B-frames, a 2 s GOP, no scene-cut key frames.
video.options = {"preset": "veryfast", "crf": "23", "g": "48", "keyint_min": "48",
                 "sc_threshold": "0"}
audio = out.add_stream("aac", rate=48000, layout="stereo")
audio.bit_rate = 128000
graph = av.filter.Graph()
src = graph.add("testsrc2", f"size=1920x1080:rate={fps}:duration={seconds}")
fmt = graph.add("format", "yuv420p")
sink = graph.add("buffersink")
src.link_to(fmt); fmt.link_to(sink); graph.configure()
sample = 0
for i in range(seconds * fps):
    frame = graph.pull()
    frame.pts, frame.time_base = i, Fraction(1, fps)
    frame.pict_type = av.video.frame.PictureType.NONE  # testsrc2 marks each frame I
    for packet in video.encode(frame):
        out.mux(packet)
    while sample + 1024 <= (i + 1) * 48000 // fps:
        t = np.arange(sample, sample + 1024) / 48000.0
        tone = (0.3 * np.sin(2 * np.pi * (440 + 40 * np.sin(t)) * t)).astype(np.float32)
        chunk = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
        chunk.sample_rate, chunk.pts = 48000, sample
        for packet in audio.encode(chunk):
            out.mux(packet)
        sample += 1024
for stream in (video, audio):
    for packet in stream.encode(None):
        out.mux(packet)
out.close()
"""

NEW_TRACK = r"""
import sys
import av, numpy as np
dst, fmt, codec, seconds = sys.argv[1], sys.argv[2], sys.argv[3], 70
out = av.open(dst + ".part", "w", format=fmt)
stream = out.add_stream(codec, rate=48000, layout="stereo")
step = 1024
for start in range(0, seconds * 48000, step):
    t = np.arange(start, start + step) / 48000.0
    tone = (0.2 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)
    if codec.startswith("pcm"):
        pcm = (np.stack([tone, tone]).T.reshape(1, -1) * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="stereo")
    else:
        frame = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
    frame.sample_rate, frame.pts = 48000, start
    for packet in stream.encode(frame):
        out.mux(packet)
for packet in stream.encode(None):
    out.mux(packet)
out.close()
"""


def cached(name: str, script: str, *args: str) -> Path:
    """Generate a bench input once (PyAV, in a subprocess) and keep it in CACHE."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / name
    if not path.exists():
        print(f"generating {path} (once) ...", flush=True)
        subprocess.run([PY, "-c", script, str(path), *args], check=True)
        Path(f"{path}.part").rename(path)
    return path


def copy_rows() -> None:
    clip = cached(COPY_CLIP, GENERATE)
    m4a = cached("aac_70s.m4a", NEW_TRACK, "ipod", "aac")
    wav = cached("pcm_70s.wav", NEW_TRACK, "wav", "pcm_s16le")
    with tempfile.TemporaryDirectory(prefix="reelsmith-bench-copy-") as tmp:
        d = Path(tmp)
        window = {"start": 10.3, "end": 50.7}  # neither end on a key frame (2 s GOP)
        trim_reencode = ("trim", {"src": str(clip), "dst": str(d / "r0.mp4"), **window})
        cases = [
            (
                "trim 10.3..50.7 (keyframe)",
                ("trim", {"src": str(clip), "dst": str(d / "k.mp4"), **window, "mode": "keyframe"}),
                trim_reencode,
            ),
            (
                "trim 10.3..50.7 (smart cut)",
                ("trim", {"src": str(clip), "dst": str(d / "s.mp4"), **window}),
                trim_reencode,
            ),
            (
                "mute",
                ("mute", {"src": str(clip), "dst": str(d / "m.mp4")}),
                ("mute", {"src": str(clip), "dst": str(d / "r1.mp4")}),
            ),
            (
                "replace audio (AAC, copied)",
                ("replace_audio", {"src": str(clip), "audio": str(m4a), "dst": str(d / "a.mp4")}),
                ("replace_audio", {"src": str(clip), "audio": str(m4a), "dst": str(d / "r2.mp4")}),
            ),
            (
                "replace audio (WAV, encoded)",
                ("replace_audio", {"src": str(clip), "audio": str(wav), "dst": str(d / "w.mp4")}),
                ("replace_audio", {"src": str(clip), "audio": str(wav), "dst": str(d / "r3.mp4")}),
            ),
            (
                "MP4 -> MOV (remux)",
                ("transcode", {"src": str(clip), "dst": str(d / "x.mov"), "container": "mov"}),
                ("transcode", {"src": str(clip), "dst": str(d / "r4.mov"), "container": "mov"}),
            ),
        ]
        print(f"\nstream copy vs today's re-encoding path ({COPY_CLIP}):", flush=True)
        reencoded: dict[str, float] = {}
        rows = []
        for label, (op, kwargs), (rop, rkwargs) in cases:
            print(f"  {label} ...", flush=True)
            # The copy is best of two; the re-encode (a minute or so each) runs once, and
            # both trim rows share it (the same edit on today's path).
            copy_s = min(ours(op, **kwargs)["seconds"] for _ in range(2))
            key = json.dumps([rop, rkwargs.get("audio"), rkwargs.get("container")])
            if key not in reencoded:
                reencoded[key] = ours(rop, reencode=True, **rkwargs)["seconds"]
            rows.append((label, copy_s, reencoded[key]))
        print()
        print(f"{'operation':<30}{'copy s':>9}{'re-encode s':>13}{'speed-up':>10}")
        for label, copy_s, reencode_s in rows:
            print(f"{label:<30}{copy_s:>9.2f}{reencode_s:>13.2f}{reencode_s / copy_s:>9.1f}x")


if __name__ == "__main__":
    main()
