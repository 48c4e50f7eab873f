"""Frames per second of local background removal on a 5 s 720p clip of a real portrait.

Run: .venv/bin/python bench/matte_speed.py

The clip is tests/media/fixtures/portrait.jpg (a public-domain photograph) turned into a
slow 1280x720 zoom by the local Ken Burns; it is then matted twice, to WebM with alpha and
to MP4 on green. The first run includes loading the network (once per job in a worker).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import apps.media as media  # noqa: E402

PORTRAIT = ROOT / "tests" / "media" / "fixtures" / "portrait.jpg"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="reelsmith-matte-") as tmp:
        d = Path(tmp)
        src = media.image_to_video(
            src=PORTRAIT, dst=d / "clip.mp4", duration=5, fps=30, resolution="720p",
            aspect="16:9", camera_motion="zoom_in", motion_strength=0.3,
        )  # fmt: skip
        print(f"source: {src.width}x{src.height}, {src.frame_count} frames at {src.fps:g} fps")
        for label, colour, dst in (
            ("WebM with alpha", None, d / "out.webm"),
            ("MP4 on #00ff00", "#00ff00", d / "out.mp4"),
        ):
            started = time.perf_counter()
            out = media.remove_background(src=src.path, dst=dst, background_color=colour)
            wall = time.perf_counter() - started
            print(
                f"{label:<16} {out.frame_count:>4} frames {wall:6.2f} s "
                f"{out.frame_count / wall:6.1f} frames/s  {out.size_bytes / 1e6:.2f} MB"
            )


if __name__ == "__main__":
    main()
