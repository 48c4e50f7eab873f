"""The one outbound HTTP client for URLs a user gave us (source media, webhook endpoints).

Guards against server-side request forgery:
- a URL is checked for syntax first (`validate_public_url`, also called at submit time):
  http(s), a well-formed host (IPv4 only as four decimal numbers, no octal/hex/integer
  forms), a port in 1-65535, no credentials, no control characters (nor whitespace in the
  host), at most 2,048 characters; anything else is a 400 naming the field, never a
  parser's exception;
- the host is resolved once and the connection is pinned to that address (no DNS
  rebinding between the check and the connect), TLS still verifies the real hostname;
- loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved and
  unspecified addresses are refused — also when wrapped in an IPv6 form that carries an
  IPv4 address (mapped, translated, compatible, 6to4, NAT64, Teredo) — at send time and
  again on every redirect hop;
- a cap on bytes, a wall-clock deadline over the whole fetch (DNS, connect, TLS, headers
  and every read of the body) and a least average transfer rate (docs/storage.md).
"""

from apps.core.http.addresses import (
    MAX_URL_LENGTH,
    SANDBOX_PATH,
    OutboundError,
    resolve_public,
    validate_public_url,
)
from apps.core.http.fetch import FetchResult, fetch_to_file, open_stream

__all__ = [
    "MAX_URL_LENGTH",
    "SANDBOX_PATH",
    "FetchResult",
    "OutboundError",
    "fetch_to_file",
    "open_stream",
    "resolve_public",
    "validate_public_url",
]
