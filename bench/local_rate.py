"""Measure the local engine's rendering rate, to calibrate LOCAL_ENGINE_S_PER_MEGAPIXEL_FRAME.

Run: .venv/bin/python bench/local_rate.py  (a minute or two on 2 cores)

Renders short clips with the operations the catalog's `local/*` models use, at 480p and
1080p, and prints the wall time per megapixel-frame (seconds / (output frames x width x
height / 1e6)) and that figure relative to the text animatic's. The expected time of a
local job (apps/catalog/timing.py) is LOCAL_ENGINE_S_PER_MEGAPIXEL_FRAME x the model's
`Processing.work` weight x the job's megapixel-frames, plus LOCAL_ENGINE_OVERHEAD_S: set
the rate from the text animatic's line (with headroom for a busy worker), and the weights
from the relative column (a multi-stage model counts one pass per stage).
"""

from __future__ import annotations

import sys
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import apps.media as media  # noqa: E402
from apps.media.ops.generate import output_size  # noqa: E402

SECONDS = 4
FPS = 30
PROMPT = "A lighthouse at dusk, waves breaking on the rocks"


def _still(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (2880, 1620), (90, 140, 200)).save(path, quality=90)
    return path


def _tone(path: Path, seconds: int) -> Path:
    rate = 48_000
    t = np.arange(seconds * rate) / rate
    samples = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 2 * t))).astype(
        np.float32
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((samples * 16_000).astype(np.int16).tobytes())
    return path


def _ops(d: Path, image: Path, audio: Path, resolution: str) -> list[tuple[str, Callable]]:
    src = d / f"t2v_{resolution}.mp4"  # the animatic, then the input of the edits
    common = {"fps": FPS, "resolution": resolution}
    return [
        ("text_to_video", lambda: media.text_to_video(
            dst=src, prompt=PROMPT, duration=SECONDS, aspect="16:9", **common)),
        ("image_to_video", lambda: media.image_to_video(
            dst=d / "i2v.mp4", src=image, duration=SECONDS, aspect="16:9", **common)),
        ("lipsync_preview", lambda: media.lipsync_preview(
            dst=d / "lip.mp4", image=image, audio=audio, **common)),
        ("transcode", lambda: media.transcode(src=src, dst=d / "tc.mp4")),
        ("scale", lambda: media.scale(src=src, dst=d / "sc.mp4", resolution=resolution)),
        ("optimize", lambda: media.optimize(src=src, dst=d / "op.mp4")),
        ("extend (x2)", lambda: media.extend(src=src, dst=d / "ex.mp4", seconds=SECONDS)),
        ("remove_bg alpha", lambda: media.remove_background(src=src, dst=d / "rb.webm")),
        ("remove_bg colour", lambda: media.remove_background(
            src=src, dst=d / "rb.mp4", background_color="#00ff00")),
    ]  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="reelsmith-rate-") as tmp:
        d = Path(tmp)
        image, audio = _still(d / "still.jpg"), _tone(d / "voice.wav", SECONDS)
        print(f"{'operation':<16} {'res':<6} {'frames':>6} {'Mpx':>5} {'wall s':>7} "
              f"{'s/Mpx-frame':>12} {'relative':>8}")  # fmt: skip
        for resolution in ("480p", "1080p"):
            width, height = output_size(resolution, "16:9", (16, 9))
            base = 0.0
            for name, run in _ops(d, image, audio, resolution):
                frames = SECONDS * FPS * (2 if name.startswith("extend") else 1)
                started = time.perf_counter()
                run()
                wall = time.perf_counter() - started
                rate = wall / (frames * width * height / 1e6)
                base = base or rate
                print(
                    f"{name:<16} {resolution:<6} {frames:>6} {width * height / 1e6:>5.2f} "
                    f"{wall:>7.2f} {rate:>12.4f} {rate / base:>8.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
