"""Fonts for text the local engine draws (the animatic's prompt), with a fallback chain so
that every script people type gets real glyphs instead of .notdef boxes.

No single font covers Latin, Hebrew, Arabic, Devanagari and CJK, so text is split into runs
and each run is drawn with the first font in the chain that has glyphs for it:

1. DejaVu Sans (fonts-dejavu-core): Latin with every accent, Greek, Cyrillic, Hebrew, Arabic
2. Noto Sans (fonts-noto-core) and the script-specific Noto Sans faces
   (Hebrew, Arabic, Devanagari, Thai, ...), tried in name order
3. Noto Sans CJK (fonts-noto-cjk): Chinese, Japanese, Korean
4. Pillow's built-in font: the last resort, Latin only

`make fonts` installs the Debian packages (the way `make browsers` installs chromium);
REELSMITH_FONT_DIRS (colon-separated directories) adds fonts in front of the chain.
A face is tested for a character by comparing the character's rendered bitmap with the
face's own .notdef glyph (what it draws for a code point it does not map).
"""

from __future__ import annotations

import functools
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from PIL import ImageDraw, ImageFont

FONT_ROOTS = ("/usr/share/fonts", "/usr/local/share/fonts")
# Preferred files, in order; then every other Noto Sans *-Regular face, by name.
PREFERRED = (
    "truetype/dejavu/DejaVuSans.ttf",
    "truetype/noto/NotoSans-Regular.ttf",
    "truetype/noto/NotoSansHebrew-Regular.ttf",
    "truetype/noto/NotoSansArabic-Regular.ttf",
    "truetype/noto/NotoSansDevanagari-Regular.ttf",
    "truetype/noto/NotoSansThai-Regular.ttf",
    "opentype/noto/NotoSansCJK-Regular.ttc",
)
# A code point no font maps (the last private-use code point of plane 16): it draws .notdef.
UNMAPPED = "\U0010fffd"
PROBE_SIZE = 32

FontLike = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _extra_dirs() -> list[Path]:
    return [Path(p) for p in os.environ.get("REELSMITH_FONT_DIRS", "").split(":") if p]


@functools.cache
def font_chain() -> tuple[str, ...]:
    """The font files in fallback order (only those present on this machine)."""
    found: list[str] = []
    for extra in _extra_dirs():
        if extra.is_dir():
            found += sorted(str(p) for p in extra.iterdir() if p.suffix in {".ttf", ".otf", ".ttc"})
    for root in FONT_ROOTS:
        for rel in PREFERRED:
            path = Path(root) / rel
            if path.is_file():
                found.append(str(path))
    for root in FONT_ROOTS:
        noto = Path(root) / "truetype/noto"
        if noto.is_dir():
            found += sorted(
                str(p)
                for p in noto.glob("NotoSans*-Regular.ttf")
                if "Mono" not in p.name and str(p) not in found
            )
    return tuple(dict.fromkeys(found))


@functools.cache
def _face(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _bitmap(font: FontLike, text: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(text)
    return mask.size, bytes(mask)


@functools.cache
def _notdef(path: str) -> tuple[tuple[int, int], bytes]:
    return _bitmap(_face(path, PROBE_SIZE), UNMAPPED)


def _invisible(char: str) -> bool:
    # Spaces, joiners and marks draw nothing in any font, so coverage cannot be told from
    # the bitmap; they go with the run around them.
    return char.isspace() or unicodedata.category(char) in {"Mn", "Me", "Cf", "Zs"}


@functools.cache
def has_glyph(path: str, char: str) -> bool:
    """Whether the face at `path` draws `char` with a glyph of its own (not .notdef)."""
    if _invisible(char):
        return True
    return _bitmap(_face(path, PROBE_SIZE), char) != _notdef(path)


def font_for(char: str) -> str | None:
    """The first font file in the chain that covers `char`; None: none does."""
    for path in font_chain():
        if has_glyph(path, char):
            return path
    return None


def runs(text: str) -> Iterator[tuple[str, str | None]]:
    """`text` cut into (piece, font path) runs; invisible characters join the current run."""
    current: str | None = None
    piece = ""
    started = False
    for char in text:
        path = current if (_invisible(char) and started) else font_for(char)
        if started and path != current:
            yield piece, current
            piece = ""
        piece += char
        current = path
        started = True
    if piece:
        yield piece, current


def font(path: str | None, size: int) -> FontLike:
    return _face(path, size) if path else ImageFont.load_default(size=size)


def text_width(text: str, size: int) -> float:
    return sum(font(path, size).getlength(piece) for piece, path in runs(text))


def line_box(text: str, size: int) -> tuple[float, int, int]:
    """(width, ascent above the baseline, descent below it) of one line."""
    ascent = descent = 0
    width = 0.0
    for piece, path in runs(text):
        face = font(path, size)
        width += face.getlength(piece)
        if isinstance(face, ImageFont.FreeTypeFont):
            a, d = face.getmetrics()
            ascent, descent = max(ascent, a), max(descent, d)
    if not ascent:
        ascent, descent = size, size // 4
    return width, ascent, descent


def draw_line(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    size: int,
    fill: tuple[int, ...],
    ascent: int | None = None,
) -> None:
    """One line at `xy` (top left), each run in its own font, sharing one baseline."""
    x, y = xy
    if ascent is None:
        _, ascent, _ = line_box(text, size)
    for piece, path in runs(text):
        face = font(path, size)
        draw.text((x, y + ascent), piece, font=face, fill=fill, anchor="ls")
        x += face.getlength(piece)
