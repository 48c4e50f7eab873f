"""Text fields take text only.

DRF's CharField turns numbers into strings (`{"name": 0}` is saved as the name "0"), so a
body the schema calls invalid is accepted. `strict_text_fields()` (run once at start-up
by the core app) makes every CharField — and EmailField, URLField, SlugField, RegexField,
which inherit from it — refuse anything but a string with a 400 VALIDATION_ERROR. Forms
and multipart bodies are unaffected: their values are always strings."""

from typing import Any

from rest_framework import serializers

_original = serializers.CharField.to_internal_value


def _to_internal_value(self: serializers.CharField, data: Any) -> str:
    if not isinstance(data, str):
        self.fail("invalid")
    return _original(self, data)


def strict_text_fields() -> None:
    serializers.CharField.to_internal_value = _to_internal_value  # type: ignore[method-assign]
