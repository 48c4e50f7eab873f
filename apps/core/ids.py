"""Public ids: a short type prefix and 20 random base62 characters (`ws_…`, `key_…`).

Integer primary keys stay internal; URLs and payloads carry these instead, so ids reveal
neither row counts nor creation order, and a mistyped id never names another object."""

import secrets
import string

ALPHABET = string.ascii_letters + string.digits
RANDOM_LENGTH = 20


def new_public_id(prefix: str) -> str:
    return f"{prefix}_" + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))


def random_token(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
