"""API key format: `rsk_<10-char lookup prefix>_<40-char secret>` (base62, ~238 bits).

The prefix finds the row; the SHA-256 of the whole key is compared in constant time."""

import hashlib
import hmac
import re

from apps.core.ids import random_token

KEY_RE = re.compile(r"^rsk_([A-Za-z0-9]{10})_([A-Za-z0-9]{40})$")


def generate() -> tuple[str, str]:
    """A new (prefix, full key)."""
    prefix = random_token(10)
    return prefix, f"rsk_{prefix}_{random_token(40)}"


def hash_key(full_key: str) -> str:
    return hashlib.sha256(full_key.encode()).hexdigest()


def parse_prefix(full_key: str) -> str | None:
    match = KEY_RE.match(full_key)
    return match.group(1) if match else None


def matches(full_key: str, hashed: str) -> bool:
    return hmac.compare_digest(hash_key(full_key), hashed)


def display(prefix: str) -> str:
    return f"rsk_{prefix}…"
