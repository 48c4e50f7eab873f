"""Typed errors of the media engine.

Higher layers convert these by ``.code`` into API errors, so the codes are exactly the
strings of the product spec.
"""

from __future__ import annotations

from typing import Any


class MediaError(Exception):
    """Base of every error the media engine raises on purpose."""

    code = "MEDIA_ERROR"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class UnsupportedFormat(MediaError):
    """The content is not one of the allowed containers or codecs."""

    code = "UNSUPPORTED_FORMAT"


class CorruptionDetected(MediaError):
    """The content claims an allowed format but cannot be read (truncated, damaged)."""

    code = "CORRUPTION_DETECTED"


class MediaValidationError(MediaError):
    """The media is readable but outside the limits, or a parameter is invalid."""

    code = "VALIDATION_ERROR"


class Cancelled(MediaError):
    """The caller's cancel check asked the operation to stop."""

    code = "CANCELLED"
