"""Text that may not enter the system: control characters and lone surrogates.

PostgreSQL refuses NUL in text (a 500 if it gets that far), a lone surrogate cannot be
encoded as UTF-8, and the other C0/C1 controls are never meaningful in a prompt, a title or
an id. Tab, line feed and carriage return are allowed (text areas send \\r\\n)."""

import re
from typing import Any

from rest_framework.exceptions import ParseError, ValidationError

# C0 controls but \t \n \r; DEL and the C1 controls; UTF-16 surrogates (only lone ones
# survive decoding into a Python str).
BAD_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Header values arrive decoded as latin-1, so UTF-8 bytes look like C1 controls there: only
# the C0 controls (but tab) and DEL are refused in headers, as RFC 9110 forbids them.
BAD_HEADER_CHARACTERS = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
MESSAGE = (
    "Contains a control character or an invalid code point (only tab and newlines are allowed)."
)
# Deeper than any request we accept (a storyboard is 4 levels); the C parser itself stops
# with RecursionError near 1,000.
MAX_JSON_DEPTH = 64
TOO_DEEP = f"The JSON is nested deeper than {MAX_JSON_DEPTH} levels."


def has_bad_characters(text: str) -> bool:
    return BAD_CHARACTERS.search(text) is not None


# In JSON text, a forbidden character can only come as a \\u escape (strict JSON refuses raw
# C0 controls in strings) or as raw DEL/C1. A body without any of these needs no walk for
# text; surrogate pairs (emoji escaped by Python's json.dumps) also match, harmlessly.
_SUSPECT_ESCAPE = r"\\u(?:00[01]|007[fF]|00[89]|[dD][89a-fA-F])"
SUSPECT_JSON_TEXT = re.compile(_SUSPECT_ESCAPE + "|[\x7f-\x9f]")
SUSPECT_JSON_BYTES = re.compile(_SUSPECT_ESCAPE.encode() + b"|\x7f|\xc2[\x80-\x9f]")
# Objects and arrays in one JSON document (like DATA_UPLOAD_MAX_NUMBER_FIELDS for forms): no
# request needs more, and it bounds the time spent walking what json.loads built.
MAX_JSON_CONTAINERS = 10_000
TOO_MANY = f"The JSON has more than {MAX_JSON_CONTAINERS} objects and arrays."
_CONTAINERS = (dict, list)
_SEPARATOR = "\t"  # an allowed character: joined strings are searched at once


def check_json_text(raw: str | bytes) -> bool | None:
    """Before parsing: refuses a document with too many objects and arrays (counting
    brackets, in C). Returns whether its text may hold a forbidden character, or None when
    the parsed data needs no check at all (nothing suspect, and too few brackets to be
    nested too deep)."""
    if isinstance(raw, bytes):
        containers = raw.count(b"[") + raw.count(b"{")
        suspect = SUSPECT_JSON_BYTES.search(raw) is not None
    else:
        containers = raw.count("[") + raw.count("{")
        suspect = SUSPECT_JSON_TEXT.search(raw) is not None
    if containers > MAX_JSON_CONTAINERS:
        raise ParseError(TOO_MANY)
    if not suspect and containers <= MAX_JSON_DEPTH:
        return None
    return suspect


def _path(locator: Any) -> str:
    keys = []
    while locator is not None:
        locator, key = locator
        keys.append(key)
    path = ""
    for key in reversed(keys):
        path = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)
    return path


def _refuse(locator: Any, key: Any) -> ValidationError:
    where = _path((locator, key)) if key is not None else _path(locator)
    if has_bad_characters(where):
        where = repr(where)
    return ValidationError({where or "body": [MESSAGE]})


def check_data(data: Any, *, path: str = "", text: bool = True) -> None:
    """Raises a 400 VALIDATION_ERROR naming the field (as a path like
    `storyboard.shots[1].prompt`) whose text or key has a forbidden character (unless
    `text` is False: check_json_text found none), or ParseError when the data is nested
    deeper than MAX_JSON_DEPTH or holds more than MAX_JSON_CONTAINERS objects and arrays.

    Level by level over containers only; strings are searched joined, per container, so
    the cost per scalar is a C-speed comprehension step."""
    root = (None, path) if path else None
    if isinstance(data, str):
        if text and has_bad_characters(data):
            raise _refuse(root, None)
        return
    level: list[tuple[Any, Any]] = [(data, root)] if isinstance(data, _CONTAINERS) else []
    depth = seen = 0
    while level:
        depth += 1
        seen += len(level)
        if depth > MAX_JSON_DEPTH:
            raise ParseError(TOO_DEEP)
        if seen > MAX_JSON_CONTAINERS:
            raise ParseError(TOO_MANY)
        deeper: list[tuple[Any, Any]] = []
        container: Any
        for container, locator in level:
            is_dict = type(container) is dict
            if text and is_dict and has_bad_characters(_SEPARATOR.join(container)):
                raise _refuse(locator, next(k for k in container if has_bad_characters(k)))
            values = container.values() if is_dict else container
            if text:
                strings = [v for v in values if type(v) is str]
                if strings and has_bad_characters(_SEPARATOR.join(strings)):
                    pairs = container.items() if is_dict else enumerate(container)
                    bad = next(k for k, v in pairs if type(v) is str and has_bad_characters(v))
                    raise _refuse(locator, bad)
            pairs = container.items() if is_dict else enumerate(container)
            deeper += [(v, (locator, k)) for k, v in pairs if type(v) in _CONTAINERS]
        level = deeper


def check_pairs(pairs: Any, *, kind: str = "") -> None:
    """Same for (name, value) pairs of a query string or form (values are strings)."""
    for name, values in pairs:
        label = f"{kind}{name}" if not has_bad_characters(name) else f"{kind}{name!r}"
        for text in [name, *values]:
            if isinstance(text, str) and has_bad_characters(text):
                raise ValidationError({label: [MESSAGE]})
