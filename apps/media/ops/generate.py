"""Local generators: image-to-video (Ken Burns), text animatic, lip-sync preview.

These are honest stand-ins for AI models: real motion from a still, a labelled motion
graphic of the prompt, a still that moves with the audio's loudness.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Literal

import numpy as np
from av.video.frame import VideoFrame
from PIL import Image, ImageDraw, ImageFont, ImageOps

from apps.media import fonts
from apps.media.engine import Writer, check_fps
from apps.media.errors import MediaValidationError
from apps.media.frames import even
from apps.media.ops._common import ChunkReader, audio_input
from apps.media.ops.convert import RESOLUTIONS
from apps.media.ops.edit import ASPECTS
from apps.media.probe import MediaInfo, open_image
from apps.media.progress import CancelCheck, Progress, ProgressCallback
from apps.media.sources import AUDIO_RATE, decode_audio, exact_length
from apps.media.validate import DEFAULT_LIMITS, Limits

CameraMotion = Literal[
    "static", "pan_left", "pan_right", "tilt_up", "tilt_down", "zoom_in", "zoom_out"
]
MOTION_ALIASES = {"pan": "pan_right", "tilt": "tilt_up", "zoom": "zoom_in", "none": "static"}
MOTIONS = {"static", "pan_left", "pan_right", "tilt_up", "tilt_down", "zoom_in", "zoom_out"}
MAX_ZOOM = 0.5  # extra zoom at motion_strength 1 (1.5x)
PAN_ZOOM = 0.35  # a pan works inside a window zoomed this much at strength 1
MAX_LONG_SIDE = 4096
PREVIEW_LABEL = "LOCAL PREVIEW - not AI-generated"


def output_size(resolution: str, aspect: str | None, source: tuple[int, int]) -> tuple[int, int]:
    """Even output size whose short side is ``resolution``, at ``aspect`` (or the source's)."""
    if resolution not in RESOLUTIONS:
        raise MediaValidationError(f"resolution must be one of {', '.join(RESOLUTIONS)}.")
    if aspect is None:
        aw, ah = source
    elif aspect in ASPECTS:
        aw, ah = ASPECTS[aspect]
    else:
        raise MediaValidationError(f"aspect must be one of {', '.join(ASPECTS)}.")
    short = RESOLUTIONS[resolution]
    scale = short / min(aw, ah)
    if max(aw, ah) * scale > MAX_LONG_SIDE:
        scale = MAX_LONG_SIDE / max(aw, ah)
    return even(aw * scale), even(ah * scale)


def _check_timing(duration: float, fps: float, *, min_fps: float = 24) -> Fraction:
    if not 0 < duration <= 120:
        raise MediaValidationError("duration must be between 0 and 120 s.")
    if not min_fps <= fps <= 60:
        raise MediaValidationError(f"fps must be between {min_fps:g} and 60.")
    return check_fps(fps)


def _smoothstep(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3 - 2 * x)


def ken_burns_window(
    motion: str, strength: float, t: float, width: float, height: float
) -> tuple[float, float, float, float]:
    """The (x0, y0, x1, y1) box of a width x height picture shown at progress t in 0..1."""
    e = _smoothstep(t)
    zoom = 1.0
    cx, cy = 0.5, 0.5  # where the window sits inside the free room, 0..1
    if motion == "zoom_in":
        zoom = 1 + MAX_ZOOM * strength * e
    elif motion == "zoom_out":
        zoom = 1 + MAX_ZOOM * strength * (1 - e)
    elif motion != "static":
        zoom = 1 + PAN_ZOOM * strength
        travel = {"pan_right": (e, 0.5), "pan_left": (1 - e, 0.5)}
        travel.update(tilt_down=(0.5, e), tilt_up=(0.5, 1 - e))
        cx, cy = travel[motion]
    ww, wh = width / zoom, height / zoom
    x0, y0 = (width - ww) * cx, (height - wh) * cy
    return x0, y0, x0 + ww, y0 + wh


def image_to_video(
    *,
    src: Path,
    dst: Path,
    duration: float = 5.0,
    fps: float = 24,
    resolution: str = "720p",
    aspect: str | None = "16:9",
    camera_motion: str = "zoom_in",
    motion_strength: float = 0.5,
    limits: Limits = DEFAULT_LIMITS,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """Animate a still with a Ken Burns move (pan, tilt, zoom or static).

    ``aspect`` None keeps the image's own aspect; otherwise the image is centre-cropped
    to it. ``motion_strength`` 0..1 scales the move (0 is a still shot)."""
    motion = MOTION_ALIASES.get(camera_motion, camera_motion)
    if motion not in MOTIONS:
        raise MediaValidationError(
            f"camera_motion must be one of {', '.join(sorted(MOTIONS | set(MOTION_ALIASES)))}.",
            details={"camera_motion": camera_motion},
        )
    if not 0 <= motion_strength <= 1:
        raise MediaValidationError("motion_strength must be between 0 and 1.")
    rate = _check_timing(duration, fps)
    with open_image(Path(src), max_pixels=limits.max_image_pixels) as raw:
        image = ImageOps.exif_transpose(raw).convert("RGB")
    width, height = output_size(resolution, aspect, image.size)
    zoom_max = 1 + max(MAX_ZOOM, PAN_ZOOM) * motion_strength
    base = _cover(image, width, height, zoom_max)
    count = max(1, round(duration * float(rate)))
    progress = Progress(on_progress, should_cancel, total=count)

    pixels = np.asarray(base)

    def frames() -> Iterator[VideoFrame]:
        still: VideoFrame | None = None
        for n in range(count):
            if motion == "static" or motion_strength == 0:
                if still is None:
                    still = VideoFrame.from_image(base.resize((width, height), Image.LANCZOS))
                yield still
                continue
            box = ken_burns_window(motion, motion_strength, n / max(1, count - 1), *base.size)
            yield window_frame(pixels, box, width, height)

    with Writer(dst, width=width, height=height, fps=rate, progress=progress) as writer:
        for frame in frames():
            writer.write(frame)
    assert writer.result is not None
    return writer.result


def window_frame(
    pixels: np.ndarray, box: tuple[float, float, float, float], width: int, height: int
) -> VideoFrame:
    """Scale a window of an RGB picture to width x height yuv420p, without copying it first.

    The window snaps to whole source pixels; the source is kept at up to 1.5x the output,
    so the move is smooth to within a third to half an output pixel."""
    ih, iw = pixels.shape[:2]
    x0, y0 = max(0, round(box[0])), max(0, round(box[1]))
    x1, y1 = min(iw, max(x0 + 2, round(box[2]))), min(ih, max(y0 + 2, round(box[3])))
    view = VideoFrame.from_numpy_buffer(pixels[y0:y1, x0:x1], format="rgb24")
    return view.reformat(width, height, "yuv420p", interpolation="BILINEAR", threads=2)


def _cover(image: Image.Image, width: int, height: int, zoom_max: float) -> Image.Image:
    """Centre-crop to the output aspect, scaled so the most-zoomed window is still sharp."""
    iw, ih = image.size
    scale = max(width / iw, height / ih)
    cw, ch = width / scale, height / scale
    box = ((iw - cw) / 2, (ih - ch) / 2, (iw + cw) / 2, (ih + ch) / 2)
    target = (max(width, round(width * zoom_max)), max(height, round(height * zoom_max)))
    if cw > target[0]:  # shrink big photos once, not every frame
        return image.resize(target, Image.LANCZOS, box=box)
    return image.crop(tuple(round(v) for v in box))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def text_to_video(
    *,
    dst: Path,
    prompt: str,
    duration: float = 5.0,
    fps: float = 24,
    resolution: str = "720p",
    aspect: str = "16:9",
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """A titled motion-graphics animatic of the prompt, labelled on-frame as a local preview."""
    prompt = " ".join(prompt.split())
    if not prompt:
        raise MediaValidationError("The prompt is empty.")
    rate = _check_timing(duration, fps)
    width, height = output_size(resolution, aspect, (16, 9))
    count = max(1, round(duration * float(rate)))
    progress = Progress(on_progress, should_cancel, total=count)
    unit = min(width, height)
    title = _text_layer(prompt[:400], width, height, unit)
    label_font = _font(max(12, unit // 28))
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    diag = (xx / width + yy / height) / 2

    def frames() -> Iterator[VideoFrame]:
        for n in range(count):
            t = n / max(1, count - 1)
            phase = 2 * math.pi * (n / float(rate)) / 6
            r = 40 + 50 * (0.5 + 0.5 * np.sin(diag * 3 + phase))
            g = 30 + 40 * (0.5 + 0.5 * np.sin(diag * 4 + phase + 2))
            b = 90 + 80 * (0.5 + 0.5 * np.sin(diag * 2 + phase + 4))
            bg = Image.fromarray(np.dstack([r, g, b]).astype(np.uint8), "RGB").convert("RGBA")
            alpha = _smoothstep(min(1.0, t * 4))
            layer = title
            if alpha < 1:
                layer = title.copy()
                layer.putalpha(title.getchannel("A").point(lambda v, a=alpha: int(v * a)))
            drift = round((1 - alpha) * unit * 0.05)
            bg.alpha_composite(layer, (0, drift))
            draw = ImageDraw.Draw(bg)
            margin = unit // 30
            draw.text((margin, margin), PREVIEW_LABEL, font=label_font, fill=(255, 220, 120, 255))
            bar_h = max(2, unit // 120)
            draw.rectangle((0, height - bar_h, round(width * t), height), fill=(255, 255, 255, 200))
            yield VideoFrame.from_image(bg.convert("RGB"))

    with Writer(dst, width=width, height=height, fps=rate, progress=progress) as writer:
        for frame in frames():
            writer.write(frame)
    assert writer.result is not None
    return writer.result


def _wrap(text: str, size: int, max_width: float) -> list[str]:
    """Greedy wrapping by drawn width (CJK has no spaces and twice the width of Latin)."""
    lines: list[str] = []
    line = ""
    for word in re.findall(r"\S+\s*", text):
        if fonts.text_width((line + word).rstrip(), size) <= max_width:
            line += word
            continue
        if line:
            lines.append(line.rstrip())
            line = ""
        while fonts.text_width(word.rstrip(), size) > max_width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and fonts.text_width(word[:cut], size) > max_width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _text_layer(prompt: str, width: int, height: int, unit: int) -> Image.Image:
    """The prompt, wrapped and centred, each script in a font that has its glyphs
    (apps/media/fonts.py)."""
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size = max(14, unit // 12)
    while True:
        lines = _wrap(prompt, size, width * 0.8)[:8]
        boxes = [fonts.line_box(line, size) for line in lines]
        gap = size // 3
        total = sum(a + d for _, a, d in boxes) + gap * (len(lines) - 1)
        widest = max((w for w, _, _ in boxes), default=0)
        if (total < height * 0.6 and widest < width * 0.9) or size <= 14:
            break
        size = int(size * 0.85)
    shadow = max(1, size // 16)
    y = (height - total) / 2
    for line, (w, ascent, descent) in zip(lines, boxes, strict=True):
        x = (width - w) / 2
        fonts.draw_line(draw, (x + shadow, y + shadow), line, size, (0, 0, 0, 160), ascent)
        fonts.draw_line(draw, (x, y), line, size, (255, 255, 255, 255), ascent)
        y += ascent + descent + gap
    return layer


def lipsync_preview(
    *,
    image: Path,
    audio: Path,
    dst: Path,
    fps: float = 24,
    resolution: str = "720p",
    limits: Limits = DEFAULT_LIMITS,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> MediaInfo:
    """A still that pulses with the audio's loudness, as long as the audio.

    Not real lip-sync: the frame gently zooms with the voice and a level meter shows the
    loudness, and the frame is labelled as a local preview."""
    rate = _check_timing(1.0, fps)
    track = audio_input(audio)
    if not 0 < track.duration <= limits.max_duration:
        raise MediaValidationError("The audio is too long for a lip-sync preview.")
    with open_image(Path(image), max_pixels=limits.max_image_pixels) as raw:
        picture = ImageOps.exif_transpose(raw).convert("RGB")
    width, height = output_size(resolution, None, picture.size)
    base = _cover(picture, width, height, 1.06)
    pixels = np.asarray(base)
    count = max(1, round(track.duration * float(rate)))
    progress = Progress(on_progress, should_cancel, total=count)
    samples = round(count / rate * AUDIO_RATE)
    label_font = _font(max(12, min(width, height) // 28))

    def frames() -> Iterator[VideoFrame]:
        reader = ChunkReader(exact_length(decode_audio(track.path), samples))
        level = 0.0
        try:
            for n in range(count):
                block = round((n + 1) / rate * AUDIO_RATE) - round(n / rate * AUDIO_RATE)
                chunk = reader.read(block)
                rms = float(np.sqrt(np.mean(chunk**2))) if chunk.size else 0.0
                target = min(1.0, rms * 4)
                level = max(target, level * 0.7)  # fast attack, smooth release
                zoom = 1 + 0.05 * level
                bw, bh = base.size
                ww, wh = bw / zoom, bh / zoom
                box = ((bw - ww) / 2, (bh - wh) / 2, (bw + ww) / 2, (bh + wh) / 2)
                img = window_frame(pixels, box, width, height).to_image()
                draw = ImageDraw.Draw(img)
                unit = min(width, height)
                bar = round(width * 0.6 * level)
                y0 = height - unit // 12
                draw.rectangle(
                    ((width - bar) // 2, y0, (width + bar) // 2, y0 + unit // 40),
                    fill=(80, 230, 120),
                )
                draw.text(
                    (unit // 30, unit // 30),
                    "LIP-SYNC " + PREVIEW_LABEL,
                    font=label_font,
                    fill=(255, 220, 120),
                )
                yield VideoFrame.from_image(img)
        finally:
            reader.close()

    audio_chunks = exact_length(decode_audio(track.path), samples)
    gen = frames()
    try:
        with Writer(
            dst, width=width, height=height, fps=rate, progress=progress, audio=audio_chunks
        ) as writer:
            for frame in gen:
                writer.write(frame)
    finally:
        gen.close()
    assert writer.result is not None
    return writer.result
