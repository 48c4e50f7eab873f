"""How long a preflighted job is expected to take: the one figure behind the estimate shown
before submit (`processing_time_estimate_s`) and the job's deadline (apps/jobs).

Local models run on our own workers, so their time follows the work: output frames
(seconds x fps) x pixels per frame, at the engine's measured rate
(LOCAL_ENGINE_S_PER_MEGAPIXEL_FRAME, calibrated with bench/local_rate.py) times the model's
relative cost (`Processing.work`), plus a fixed overhead. Provider models take the time
their catalog entry states (`Processing.estimate`: the middle of the range, per output
second where the provider works that way); providers do not tell us more."""

from __future__ import annotations

import math

from django.conf import settings

from apps.catalog.preflight import Preflight
from apps.catalog.registry.types import Input, Method
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


def processing_time_expected_s(preflight: Preflight) -> int:
    """Expected wall-clock seconds from start to result for this job (whole seconds)."""
    spec = preflight.entry.spec
    processing = spec.processing
    if spec.is_local and processing.work is not None:
        rate = float(settings.LOCAL_ENGINE_S_PER_MEGAPIXEL_FRAME)
        work = local_work_megapixel_frames(preflight)
        expected = float(settings.LOCAL_ENGINE_OVERHEAD_S) + rate * processing.work * work
        return max(1, math.ceil(expected))
    return processing.estimate(preflight.duration_s)


def deadline_seconds(preflight: Preflight) -> int:
    """How long a job may take before the sweep fails it with PROCESSING_TIMEOUT:
    JOBS_DEADLINE_FACTOR x the expected time + JOBS_DEADLINE_FLOOR_S (queueing, a busy
    worker, delivery)."""
    expected = processing_time_expected_s(preflight)
    return math.ceil(
        settings.JOBS_DEADLINE_FLOOR_S + float(settings.JOBS_DEADLINE_FACTOR) * expected
    )
