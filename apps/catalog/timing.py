"""How long a preflighted job is expected to take: the one figure behind the estimate shown
before submit (`processing_time_estimate_s`) and the job's deadline (apps/jobs).

Local models run on our own workers, so their time follows the work: output frames
(seconds x fps) x pixels per frame, at the engine's measured rate
(LOCAL_ENGINE_S_PER_MEGAPIXEL_FRAME, calibrated with bench/local_rate.py) times the model's
relative cost (`Processing.work`), plus a fixed overhead.

Provider models take the time their catalog entry states (`Processing`: a min-max range,
per output second where the provider works that way). That range spans the model's
settings: the shortest, smallest clip takes about the minimum and the longest, largest
one about the maximum. So the expected time is placed in the range by the job's share of
the model's work (seconds x pixels x fps) between those two ends. Taking the middle of the
range for every job, as this module once did, told a user the same 16 s for 5 s at 480p
and for 60 s at 1080p / 60 fps."""

from __future__ import annotations

import math
import re

from django.conf import settings

from apps.catalog.preflight import Preflight
from apps.catalog.registry.types import Input, Method, ModelSpec
from apps.media.ops.convert import scaled_size
from apps.media.ops.generate import output_size

# What a local job is assumed to render when the preflight cannot say (an estimate without
# the input file; the engine keeps an input's frame rate, which preflight does not probe).
ASSUMED_SIZE = (1920, 1080)
ASSUMED_FPS = 30


def _frame_size(preflight: Preflight) -> tuple[int, int]:
    """Output width x height of a local job."""
    video = preflight.inputs.get(Input.VIDEO)
    source = (video.width, video.height) if video and video.width and video.height else None
    resolution = preflight.resolution
    if preflight.entry.spec.required_inputs >= {Input.VIDEO}:
        size = source or ASSUMED_SIZE
        return scaled_size(*size, resolution) if resolution else size
    if resolution is None:
        return source or ASSUMED_SIZE
    # Generators: the short side is the resolution; a 16:9 frame when the shape comes from
    # an input we do not have (portrait and landscape have the same pixel count).
    return output_size(resolution, preflight.aspect_ratio or "16:9", (16, 9))


def _output_seconds(preflight: Preflight) -> float:
    seconds = float(max(preflight.duration_s, 1))
    video = preflight.inputs.get(Input.VIDEO)
    if preflight.method == Method.EXTEND_VIDEO and video and video.duration_s:
        seconds += video.duration_s  # the clip is re-encoded along with the added seconds
    return seconds


def local_work_megapixel_frames(preflight: Preflight) -> float:
    """Output frames x megapixels per frame of a local job."""
    width, height = _frame_size(preflight)
    fps = preflight.fps or ASSUMED_FPS
    return _output_seconds(preflight) * fps * width * height / 1e6


def _short_side(resolution: str | None) -> int | None:
    match = re.fullmatch(r"(\d+)p", resolution or "")
    return int(match.group(1)) if match else None


def _provider_work(spec: ModelSpec, seconds: float, short: int | None, fps: float | None) -> float:
    """Relative work of a provider job: seconds x pixels (16:9 at the short side) x fps.
    Only ratios between works matter, so the shape is fixed."""
    pixels = (short or 720) ** 2 * 16 / 9
    if spec.processing.per_output_second:
        seconds = 1.0  # the range is already per output second
    return seconds * pixels * (fps or 1.0)


def _work_share(preflight: Preflight) -> float | None:
    """Where this job sits between the model's lightest and heaviest settings (0..1), or
    None when its settings cannot vary (a single duration, resolution and frame rate)."""
    spec = preflight.entry.spec
    sides = [s for s in map(_short_side, spec.resolutions) if s]
    durations = spec.durations
    lo_s = float(durations.min) if durations else 0.0
    hi_s = float(durations.max) if durations else 0.0
    seconds = float(max(preflight.duration_s, 1))
    if not durations:  # the output follows the input: no range to place it in
        lo_s = hi_s = seconds
    fps_lo = float(spec.fps.min) if spec.fps else None
    fps_hi = float(spec.fps.max) if spec.fps else None
    lightest = _provider_work(spec, max(lo_s, 1), min(sides, default=None), fps_lo)
    heaviest = _provider_work(spec, max(hi_s, 1), max(sides, default=None), fps_hi)
    if heaviest <= lightest:
        return None
    fps = float(preflight.fps) if (spec.fps and preflight.fps) else (spec.default_fps or fps_lo)
    short = _short_side(preflight.resolution) or _short_side(spec.default_resolution)
    work = _provider_work(spec, seconds, short or min(sides, default=None), fps)
    return min(1.0, max(0.0, (work - lightest) / (heaviest - lightest)))


def processing_time_expected_s(preflight: Preflight) -> int:
    """Expected wall-clock seconds from start to result for this job (whole seconds)."""
    spec = preflight.entry.spec
    processing = spec.processing
    if spec.is_local and processing.work is not None:
        rate = float(settings.LOCAL_ENGINE_S_PER_MEGAPIXEL_FRAME)
        work = local_work_megapixel_frames(preflight)
        expected = float(settings.LOCAL_ENGINE_OVERHEAD_S) + rate * processing.work * work
        return max(1, math.ceil(expected))
    share = _work_share(preflight)
    if share is None:
        return processing.estimate(preflight.duration_s)
    expected = processing.min_s + share * (processing.max_s - processing.min_s)
    if processing.per_output_second:
        expected *= max(preflight.duration_s or 1, 1)
    return max(1, math.ceil(expected))


def deadline_seconds(preflight: Preflight) -> int:
    """How long a job may take before the sweep fails it with PROCESSING_TIMEOUT:
    JOBS_DEADLINE_FACTOR x the expected time + JOBS_DEADLINE_FLOOR_S (queueing, a busy
    worker, delivery)."""
    expected = processing_time_expected_s(preflight)
    spec = preflight.entry.spec
    if not (spec.is_local and spec.processing.work is not None):
        # A provider's queue does not care how light the job is: its deadline never drops
        # below the one the middle of the catalogue range gives.
        expected = max(expected, spec.processing.estimate(preflight.duration_s))
    return math.ceil(
        settings.JOBS_DEADLINE_FLOOR_S + float(settings.JOBS_DEADLINE_FACTOR) * expected
    )
