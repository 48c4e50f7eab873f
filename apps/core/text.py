"""Text that may not enter the system: control characters and lone surrogates.

PostgreSQL refuses NUL in text (a 500 if it gets that far), a lone surrogate cannot be
encoded as UTF-8, and the other C0/C1 controls are never meaningful in a prompt, a title or
an id. Tab, line feed and carriage return are allowed (text areas send \\r\\n)."""

import re
from collections.abc import Iterator
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


def _children(value: Any) -> Iterator[tuple[str | int, Any]]:
    return iter(value.items()) if isinstance(value, dict) else enumerate(value)


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def check_data(data: Any, *, path: str = "") -> None:
    """Raises a 400 VALIDATION_ERROR naming the first field (as a path like
    `storyboard[2].prompt`) whose text (or key) has a forbidden character, or ParseError
    when the data is nested deeper than MAX_JSON_DEPTH. Depth-first with a stack of
    iterators: memory grows with the depth only, and no Python recursion."""
    if isinstance(data, str):
        if has_bad_characters(data):
            raise ValidationError({path or "body": [MESSAGE]})
        return
    if not isinstance(data, dict | list):
        return
    stack = [(_children(data), path)]
    while stack:
        children, where = stack[-1]
        for key, value in children:
            if isinstance(key, str) and has_bad_characters(key):
                raise ValidationError({repr(_join(where, key)): [MESSAGE]})
            if isinstance(value, str):
                if has_bad_characters(value):
                    raise ValidationError({_join(where, key): [MESSAGE]})
            elif isinstance(value, dict | list):
                if len(stack) >= MAX_JSON_DEPTH:
                    raise ParseError(TOO_DEEP)
                stack.append((_children(value), _join(where, key)))
                break
        else:
            stack.pop()


def check_pairs(pairs: Any, *, kind: str = "") -> None:
    """Same for (name, value) pairs of a query string or form (values are strings)."""
    for name, values in pairs:
        label = f"{kind}{name}" if not has_bad_characters(name) else f"{kind}{name!r}"
        for text in [name, *values]:
            if isinstance(text, str) and has_bad_characters(text):
                raise ValidationError({label: [MESSAGE]})
