"""Benchmark the local media engine against the FFmpeg command line.

Run: .venv/bin/python bench/media.py  (about 4 minutes on 2 cores)

Each operation runs in a fresh subprocess so its peak RSS can be read; our time is the
operation's own wall time inside that process (interpreter start-up excluded), FFmpeg's
is the whole command's wall time; each side is the best of two interleaved runs.
Both sides use libx264 veryfast CRF 23, AAC 128k, 48 kHz
stereo, yuv420p, +faststart, bicubic scaling.
"""

from __future__ import annotations

import json
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
kwargs = json.loads({kwargs!r})
for key in ("src", "dst"):
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


def ours(op: str, **kwargs: object) -> dict[str, float]:
    code = CHILD.format(root=str(ROOT), op=op, kwargs=json.dumps(kwargs))
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
            mine = [ours(op, **kwargs)]
            theirs = [ffmpeg(*cli)]
            mine.append(ours(op, **kwargs))
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
            short = ours(op, **kw(src, "m10.mp4"))
            long = ours(op, **kw(src60, "m60.mp4"))
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


if __name__ == "__main__":
    main()
