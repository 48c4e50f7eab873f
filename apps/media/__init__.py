"""Reelsmith's local media engine on PyAV (pure Python, no Django).

Every operation takes keyword-only local paths, streams frame by frame, reports 0-100
progress through ``on_progress``, stops with ``Cancelled`` when ``should_cancel``
returns True, writes MP4 (H.264/AAC, faststart) unless asked otherwise, never leaves a
partial output behind, and returns the probe (``MediaInfo``) of what it wrote.
Edits that change no pixels (trim, mute, replace audio, MP4 <-> MOV) copy the H.264
stream instead of re-encoding it when the source allows (``ops/remux.py``,
``ops/smartcut.py``); otherwise they re-encode.
"""

from apps.media.engine import OutputSpec
from apps.media.errors import (
    Cancelled,
    CorruptionDetected,
    MediaError,
    MediaValidationError,
    UnsupportedFormat,
)
from apps.media.formats import sniff
from apps.media.ops.convert import (
    add_audio,
    mute,
    optimize,
    replace_audio,
    scale,
    scaled_size,
    set_audio,
    transcode,
    upscale,
)
from apps.media.ops.edit import (
    EXTEND_MODES,
    change_speed,
    concat,
    crop,
    extend,
    pad,
    reframe,
    trim,
)
from apps.media.ops.generate import image_to_video, lipsync_preview, text_to_video
from apps.media.ops.hls import HlsPackage, package_hls
from apps.media.ops.matte import (
    MatteUnavailable,
    matte_available,
    matte_installed,
    parse_colour,
    remove_background,
)
from apps.media.ops.stills import extract_last_frame, sprite_sheet, thumbnail
from apps.media.probe import MediaInfo, probe
from apps.media.progress import CancelCheck, Progress, ProgressCallback
from apps.media.validate import DEFAULT_LIMITS, Limits, validate

__all__ = [
    "DEFAULT_LIMITS",
    "EXTEND_MODES",
    "CancelCheck",
    "Cancelled",
    "CorruptionDetected",
    "HlsPackage",
    "Limits",
    "MatteUnavailable",
    "MediaError",
    "MediaInfo",
    "MediaValidationError",
    "OutputSpec",
    "Progress",
    "ProgressCallback",
    "UnsupportedFormat",
    "add_audio",
    "change_speed",
    "concat",
    "crop",
    "extend",
    "extract_last_frame",
    "image_to_video",
    "lipsync_preview",
    "matte_available",
    "matte_installed",
    "mute",
    "optimize",
    "package_hls",
    "pad",
    "parse_colour",
    "probe",
    "reframe",
    "remove_background",
    "replace_audio",
    "scale",
    "scaled_size",
    "set_audio",
    "sniff",
    "sprite_sheet",
    "text_to_video",
    "thumbnail",
    "transcode",
    "trim",
    "upscale",
    "validate",
]
