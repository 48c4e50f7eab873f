"""Decide the container from the file's first bytes, never from its name.

Anything not recognised here is refused before FFmpeg sees it, so playlists (HLS,
ffconcat, SDP), device descriptions and exotic demuxers with network or file-reference
features can never be reached from an upload.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from apps.media.errors import MediaValidationError, UnsupportedFormat

Kind = Literal["video", "audio", "image"]

# The FFmpeg demuxer each allowed container is opened with (and only that one).
ISO_BMFF_DEMUXER = "mov,mp4,m4a,3gp,3g2,mj2"
DEMUXERS: dict[str, str] = {
    "mp4": ISO_BMFF_DEMUXER,
    "mov": ISO_BMFF_DEMUXER,
    "m4a": ISO_BMFF_DEMUXER,
    "webm": "matroska,webm",
    "avi": "avi",
    "mp3": "mp3",
    "wav": "wav",
}
IMAGE_CONTAINERS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}

VIDEO_CODECS = frozenset(
    {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mjpeg", "prores", "mpeg2video", "msmpeg4v3"}
)
AUDIO_CODECS = frozenset(
    {
        "aac",
        "mp3",
        "opus",
        "vorbis",
        "alac",
        "flac",
        "pcm_s16le",
        "pcm_s24le",
        "pcm_s32le",
        "pcm_f32le",
        "pcm_u8",
        "pcm_s16be",
        "pcm_s24be",
    }
)

_ISO_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot"}
_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
_TEXT_HINTS = (b"#EXTM3U", b"ffconcat", b"#EXT", b"v=0", b"<?xml", b"<MPD", b"file ")


@dataclass(frozen=True, slots=True)
class Sniffed:
    kind: Kind
    container: str  # mp4 | mov | m4a | webm | avi | mp3 | wav | jpeg | png | webp

    @property
    def demuxer(self) -> str | None:
        return DEMUXERS.get(self.container)


def sniff(path: Path) -> Sniffed:
    """Identify an allowed container from magic bytes or raise UnsupportedFormat."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except FileNotFoundError as exc:
        raise MediaValidationError("The file does not exist.", details={"path": str(path)}) from exc
    except OSError as exc:
        raise MediaValidationError(f"The file cannot be read: {exc.strerror}.") from exc
    if not head:
        raise MediaValidationError("The file is empty.")
    found = _sniff_bytes(head)
    if found is None:
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if any(stripped.startswith(h) for h in _TEXT_HINTS):
            raise UnsupportedFormat(
                "Playlists and other text descriptions of media are not accepted; "
                "upload the media file itself.",
            )
        seen = _recognise(head)
        raise UnsupportedFormat(
            f"Received {seen}, which is not accepted. Allowed: MP4, MOV, WebM, AVI video; "
            "JPG, PNG, WebP images; MP3, WAV, M4A audio.",
            details={"received": seen},
        )
    return found


# Common files people pick by mistake, told by their first bytes (what the error names).
_OTHER_KINDS = (
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1aE\xdf\xa3", "a Matroska (MKV) video"),
    (b"OggS", "an Ogg file"),
    (b"fLaC", "a FLAC audio file"),
    (b"<svg", "an SVG drawing"),
    (b"<?xml", "an XML file"),
    (b"<!DOCTYPE", "an HTML page"),
    (b"<html", "an HTML page"),
)


def _recognise(head: bytes) -> str:
    for magic, words in _OTHER_KINDS:
        if head.startswith(magic):
            return words
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"avif"):
        return "a HEIC/AVIF image"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "a file of an unknown kind"
    return "a text file"


def _sniff_bytes(head: bytes) -> Sniffed | None:
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image", "jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image", "png")
    if head[:4] == b"RIFF" and len(head) >= 12:
        sub = head[8:12]
        if sub == b"WEBP":
            return Sniffed("image", "webp")
        if sub == b"AVI ":
            return Sniffed("video", "avi")
        if sub == b"WAVE":
            return Sniffed("audio", "wav")
        return None
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # EBML: only the WebM doc type is on the allow-list.
        return Sniffed("video", "webm") if b"webm" in head[:64] else None
    if len(head) >= 12 and head[4:8] in _ISO_BOXES:
        if head[4:8] == b"ftyp":
            brand = head[8:12]
            if brand in _IMAGE_BRANDS:
                return None
            if brand in _AUDIO_BRANDS:
                return Sniffed("audio", "m4a")
            if brand == b"qt  ":
                return Sniffed("video", "mov")
            return Sniffed("video", "mp4")
        return Sniffed("video", "mov")
    if head.startswith(b"ID3"):
        return Sniffed("audio", "mp3")
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0:
        layer = (head[1] >> 1) & 0x3
        if layer == 0x1:  # MPEG audio layer III; raw ADTS AAC (layer 0) is not allowed
            return Sniffed("audio", "mp3")
    return None
