"""The API's request parsers (REST_FRAMEWORK DEFAULT_PARSER_CLASSES): DRF's, plus the checks
every text input gets in one place — no control characters or lone surrogates in any field
name or value (apps/core/text.py), JSON nested at most 64 deep.

Size limits are Django's and are checked before the body is read: a JSON body over
DATA_UPLOAD_MAX_MEMORY_SIZE (by Content-Length) raises RequestDataTooBig, a multipart form
with more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields TooManyFieldsSent; the exception handler
turns those into 413 PAYLOAD_TOO_LARGE / 400 VALIDATION_ERROR."""

import io
import json
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from apps.core import text


def json_loads(raw: bytes | str, *, path: str = "") -> Any:
    """json.loads for bodies and fields a view parses itself (multipart JSON fields, provider
    callbacks): a 400 for bad JSON, too-deep nesting or forbidden characters, never a 500."""
    suspect = text.check_json_text(raw)
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ParseError(text.TOO_DEEP) from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise ParseError(f"JSON parse error - {exc}") from None
    if suspect is not None:
        text.check_data(data, path=path, text=suspect)
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        # DRF hands JSON over as BytesIO(request.body): already in memory, and already
        # refused by Content-Length when over DATA_UPLOAD_MAX_MEMORY_SIZE.
        raw = stream.read()
        suspect = text.check_json_text(raw)
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        if encoding.lower().replace("-", "") != "utf8":
            suspect = True  # the byte prefilter reads UTF-8 only
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise ParseError(text.TOO_DEEP) from None
        if suspect is not None:
            text.check_data(data, text=suspect)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """File names need no check: Django drops their non-printable characters."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        text.check_pairs(parsed.data.lists())
        text.check_pairs((name, []) for name in parsed.files)
        return parsed
