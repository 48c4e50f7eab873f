"""Public ids: a short type prefix and 20 random base62 characters (`ws_…`, `key_…`).

Integer primary keys stay internal; URLs and payloads carry these instead, so ids reveal
neither row counts nor creation order, and a mistyped id never names another object."""

import secrets
import string

ALPHABET = string.ascii_letters + string.digits
RANDOM_LENGTH = 20


# Random bytes below this map evenly onto the alphabet (248 = 4 x 62); the rest are
# skipped, so every character is uniform.
_EVEN = 256 - 256 % len(ALPHABET)


def new_public_id(prefix: str) -> str:
    return f"{prefix}_" + random_token(RANDOM_LENGTH)


def random_token(length: int) -> str:
    """`length` uniformly random characters of ALPHABET, from one read of the OS's
    randomness (secrets.choice would read it once per character)."""
    chars: list[str] = []
    while len(chars) < length:
        chars += [ALPHABET[b % len(ALPHABET)] for b in secrets.token_bytes(length + 8) if b < _EVEN]
    return "".join(chars[:length])
