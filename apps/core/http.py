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

import functools
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from django.conf import settings

from apps.core.errors import ApplicationError, ErrorCode

MAX_REDIRECTS = 5
MAX_URL_LENGTH = 2048
CHUNK = 256 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_BLOCKED_NETWORKS = [
    ipaddress.ip_network(n)
    for n in (
        "100.64.0.0/10",  # CGNAT
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
        "::/96",  # IPv4-compatible (deprecated by RFC 4291), with :: and ::1
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215): made to reach private IPv4
        "2001::/32",  # Teredo: where it ends up is up to a relay, not this address
        "fec0::/10",  # site-local (deprecated)
        "100::/64",  # discard-only
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing
    )
]
# IPv6 forms that carry an IPv4 address the traffic is delivered to: such an address is
# as public as the IPv4 address inside it. NAT64's well-known prefix stays usable with a
# public IPv4 (on IPv6-only networks DNS64 answers every IPv4-only host that way).
_EMBEDDING_IPV4 = [
    (ipaddress.ip_network("::ffff:0:0/96"), 0),  # IPv4-mapped
    (ipaddress.ip_network("::ffff:0:0:0/96"), 0),  # IPv4-translated (SIIT)
    (ipaddress.ip_network("64:ff9b::/96"), 0),  # NAT64, well-known prefix
    (ipaddress.ip_network("2002::/16"), 80),  # 6to4: the IPv4 is bits 16 to 48
]
# A last label that is a number makes the host an IPv4 address to URL parsers and to
# inet_aton (2130706433, 0x7f.1, 0177.0.0.1 all mean 127.0.0.1).
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_HOST_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$")


class OutboundError(ApplicationError):
    """A URL we were asked to fetch or call could not be used."""

    code = ErrorCode.VALIDATION_ERROR
    status = 400


@dataclass(frozen=True)
class FetchResult:
    final_url: str
    status: int
    content_type: str
    size_bytes: int


def _explicitly_allowed(host: str, port: int) -> bool:
    # Exact host:port pairs an operator trusts (tests and local sandboxes on 127.0.0.1).
    return f"{host}:{port}" in set(getattr(settings, "OUTBOUND_ALLOWED_NETLOCS", ()))


def _is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        for network, shift in _EMBEDDING_IPV4:
            if ip in network:
                return _is_public(ipaddress.IPv4Address((int(ip) >> shift) & 0xFFFFFFFF))
    if not ip.is_global or ip.is_multicast:
        return False
    return not any(ip in net for net in _BLOCKED_NETWORKS)


def _details(url: object, field: str | None, **extra: Any) -> dict[str, Any]:
    shown = url[:200] if isinstance(url, str) else type(url).__name__
    return {**({"field": field} if field else {}), "url": shown, **extra}


def _bad_url(reason: str, url: object, field: str | None) -> OutboundError:
    prefix = f"{field}: " if field else ""
    return OutboundError(f"{prefix}{reason}", details=_details(url, field))


def _check_host(host: str, url: str, field: str | None) -> None:
    """`host` as httpx will connect to it (lower case, IDNA-encoded, IPv6 unbracketed)."""
    if ":" in host:
        if "%" in host:
            raise _bad_url("IPv6 zone identifiers are not accepted.", url, field)
        return  # httpx has checked it is an IPv6 address
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if _NUMERIC_LABEL.match(labels[-1]):
        try:
            ipaddress.IPv4Address(name)
        except ValueError:
            raise _bad_url(
                "The host is not a valid IPv4 address (write it as four decimal numbers).",
                url,
                field,
            ) from None
        return
    if len(name) > 253 or not all(len(lb) <= 63 and _HOST_LABEL.match(lb) for lb in labels):
        raise _bad_url("The URL's host is not a valid host name.", url, field)


def validate_public_url(url: object, *, field: str | None = None) -> httpx.URL:
    """Checks the syntax of a URL we may fetch later; raises OutboundError (400 naming
    `field`) for anything else. No DNS here: addresses are checked when fetching."""
    if not isinstance(url, str):
        raise _bad_url("A URL must be a string.", url, field)
    if len(url) > MAX_URL_LENGTH:
        raise _bad_url(f"The URL is longer than {MAX_URL_LENGTH} characters.", url, field)
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in url):
        # urlsplit drops tabs and newlines, httpx refuses them: refuse instead of guessing.
        raise _bad_url("The URL contains a control character.", url, field)
    authority = re.split(r"[/?#]", url.partition("://")[2], maxsplit=1)[0]
    if any(c.isspace() for c in authority) or "\\" in authority:
        # Parsers differ on where such a host ends (WHATWG reads a backslash as "/").
        raise _bad_url("The URL's host contains whitespace or a backslash.", url, field)
    try:
        parts = urlsplit(url)
        scheme, netloc = parts.scheme.lower(), parts.netloc
    except ValueError:
        raise _bad_url("The URL cannot be parsed.", url, field) from None
    if scheme not in ("http", "https"):
        raise _bad_url("Only http and https URLs can be fetched.", url, field)
    if "@" in netloc:
        raise _bad_url("URLs with credentials are not accepted.", url, field)
    try:
        target = httpx.URL(url)
        host = target.raw_host.decode("ascii")
        port = target.port
    except (httpx.InvalidURL, ValueError, UnicodeError):
        # Say what is wrong with the host when that is it (0177.0.0.1, ①②⑦, ...).
        _check_host((parts.hostname or "").lower(), url, field)
        raise _bad_url("The URL cannot be parsed.", url, field) from None
    if not host:
        raise _bad_url("The URL has no host.", url, field)
    if port is not None and not 1 <= port <= 65535:
        raise _bad_url("The URL's port is not between 1 and 65535.", url, field)
    _check_host(host, url, field)
    return target


def _getaddrinfo(host: str, port: int, timeout_s: float | None) -> list[Any]:
    """getaddrinfo bounded by `timeout_s`: the resolver's own timeouts can add up to far
    more than a fetch may take. A resolver still running past it finishes unobserved."""
    if timeout_s is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=run, name="outbound-dns", daemon=True)
    thread.start()
    thread.join(max(timeout_s, 0.0))
    if thread.is_alive():
        raise TimeoutError
    if "error" in box:
        raise box["error"]
    return list(box["infos"])


def resolve_public(
    url: str, *, field: str | None = None, timeout_s: float | None = None
) -> tuple[httpx.URL, str]:
    """Validates `url` and returns it together with the one address to connect to.
    Raises only OutboundError, whatever the string."""
    target = validate_public_url(url, field=field)
    host = target.raw_host.decode("ascii")
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        infos = _getaddrinfo(host, port, timeout_s)
    except TimeoutError:
        raise OutboundError(
            f"Resolving host '{host}' took too long.",
            retryable=True,
            details=_details(url, field, reason="timeout"),
        ) from None
    except (OSError, UnicodeError, ValueError):
        raise OutboundError(
            f"Cannot resolve host '{host}'.", details=_details(url, field)
        ) from None
    addresses: list[IPAddress] = []
    for info in infos:
        try:
            addresses.append(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
        except ValueError:
            continue
    if not addresses:
        raise OutboundError(f"Cannot resolve host '{host}'.", details=_details(url, field))
    if not _explicitly_allowed(host, port) and not all(_is_public(a) for a in addresses):
        raise OutboundError(
            "The URL points at a private or reserved network address, which is not allowed.",
            details=_details(url, field),
        )
    return target, str(addresses[0])


# --- time: one deadline over the whole fetch, and a least transfer rate -----------------


class _Budget:
    """One fetch's time. Every socket operation waits at most until the deadline; once a
    connection has sent its first byte, it must keep an average of `min_rate` bytes/s
    (after a grace period) or the read in progress is cut short."""

    def __init__(self, total_s: float) -> None:
        self.total_s = total_s
        self.deadline = time.monotonic() + total_s
        self.min_rate = float(settings.OUTBOUND_MIN_RATE_BPS)
        self.grace_s = float(settings.OUTBOUND_RATE_GRACE_S)
        self.tripped: str | None = None  # "deadline" or "rate", once one has ended it

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def bound(self, timeout: float | None, exc: type[Exception]) -> float:
        """The wait allowed for one socket operation whose own timeout is `timeout`."""
        remaining = self.remaining()
        if remaining <= 0:
            self.tripped = "deadline"
            raise exc("deadline")
        return remaining if timeout is None else min(timeout, remaining)

    def timed_out(self) -> None:
        """A socket operation timed out: the deadline's doing if it has passed."""
        if self.tripped is None and self.remaining() <= 0.01:
            self.tripped = "deadline"


class _MeteredStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, budget: _Budget) -> None:
        self._inner = inner
        self._budget = budget
        self._first: float | None = None
        self._bytes = 0

    def _rate_due(self) -> float | None:
        """When the average rate falls below the floor if nothing more arrives."""
        if self._first is None or self._budget.min_rate <= 0:
            return None
        return self._first + max(self._budget.grace_s, self._bytes / self._budget.min_rate)

    def _too_slow(self) -> httpcore.ReadTimeout:
        self._budget.tripped = "rate"
        return httpcore.ReadTimeout("rate")

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        limit = self._budget.bound(timeout, httpcore.ReadTimeout)
        due = self._rate_due()
        rate_bound = due is not None and due - time.monotonic() < limit
        if rate_bound:
            assert due is not None
            limit = due - time.monotonic()
            if limit <= 0:
                raise self._too_slow()
        try:
            data = self._inner.read(max_bytes, limit)
        except httpcore.ReadTimeout:
            if rate_bound:
                raise self._too_slow() from None
            self._budget.timed_out()
            raise
        now = time.monotonic()
        if data:
            self._first = self._first or now
            self._bytes += len(data)
            due = self._rate_due()
            if due is not None and now > due:
                raise self._too_slow()
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._inner.write(buffer, self._budget.bound(timeout, httpcore.WriteTimeout))
        except httpcore.WriteTimeout:
            self._budget.timed_out()
            raise

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        limit = self._budget.bound(timeout, httpcore.ConnectTimeout)
        try:
            inner = self._inner.start_tls(ssl_context, server_hostname, limit)
        except httpcore.ConnectTimeout:
            self._budget.timed_out()
            raise
        return _MeteredStream(inner, self._budget)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _BudgetBackend(httpcore.NetworkBackend):
    def __init__(self, budget: _Budget) -> None:
        self._budget = budget
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        limit = self._budget.bound(timeout, httpcore.ConnectTimeout)
        try:
            stream = self._inner.connect_tcp(host, port, limit, local_address, socket_options)
        except httpcore.ConnectTimeout:
            self._budget.timed_out()
            raise
        return _MeteredStream(stream, self._budget)

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Unix sockets are not fetched.")


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context(trust_env=False)  # loads the CA bundle: once


class _BudgetTransport(httpx.HTTPTransport):
    def __init__(self, budget: _Budget) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False)
        # httpx has no public hook for httpcore's network backend, so the pool is made
        # again with one that holds every socket operation to the fetch's budget: httpx's
        # read timeout is per read, and a server sending a byte a second never trips it.
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(), network_backend=_BudgetBackend(budget)
        )


def _transport_error(
    exc: httpx.HTTPError, budget: _Budget, url: str, field: str | None
) -> OutboundError:
    if budget.tripped == "deadline":
        return OutboundError(
            f"Fetching the URL took longer than {budget.total_s:g} s.",
            retryable=True,
            details=_details(url, field, reason="timeout", limit_s=budget.total_s),
        )
    if budget.tripped == "rate":
        return OutboundError(
            f"The server at the URL sent data slower than {budget.min_rate:g} bytes/s.",
            retryable=True,
            details=_details(url, field, reason="too_slow", min_rate_bps=budget.min_rate),
        )
    host = urlsplit(url).hostname or ""
    return OutboundError(
        f"Could not fetch from {host}: {type(exc).__name__}.",
        retryable=True,
        details=_details(url, field),
    )


def _pinned_request(
    client: httpx.Client, method: str, url: httpx.URL, ip: str, **kwargs: Any
) -> httpx.Request:
    host_header = url.host if url.port is None else f"{url.host}:{url.port}"
    if ":" in url.host:
        host_header = f"[{url.host}]" if url.port is None else f"[{url.host}]:{url.port}"
    pinned = url.copy_with(host=ip)
    headers = {**kwargs.pop("headers", {}), "Host": host_header}
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    return client.build_request(method, pinned, headers=headers, extensions=extensions, **kwargs)


@contextmanager
def open_stream(
    method: str,
    url: str,
    *,
    timeout_s: float = 30.0,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    follow_redirects: bool = True,
    field: str | None = None,
) -> Iterator[httpx.Response]:
    """A streamed response from `url`, every hop checked; the caller reads the body.
    Everything — redirects, headers and the caller's reads of the body — must be done
    within `timeout_s`; a failure to fetch is an OutboundError (400, `field` named)."""
    budget = _Budget(timeout_s)
    timeout = httpx.Timeout(min(timeout_s, 10.0), read=min(timeout_s, 30.0))
    transport = _BudgetTransport(budget)
    with httpx.Client(
        transport=transport, timeout=timeout, follow_redirects=False, trust_env=False
    ) as client:
        current = url
        origin: str | None = None
        for _ in range(MAX_REDIRECTS + 1):
            if budget.remaining() <= 0:
                budget.tripped = "deadline"
                raise _transport_error(httpx.TimeoutException("deadline"), budget, url, field)
            target, ip = resolve_public(current, field=field, timeout_s=budget.remaining())
            origin = origin or target.netloc.decode("ascii")
            # Credentials meant for the first host never follow a redirect to another one.
            same_host = target.netloc.decode("ascii") == origin
            hop_headers = dict(headers or {}) if same_host else {}
            request = _pinned_request(
                client, method, target, ip, headers=hop_headers, content=content
            )
            try:
                response = client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise _transport_error(exc, budget, current, field) from None
            if follow_redirects and response.is_redirect:
                response.close()
                location = response.headers.get("location", "")
                current = urljoin(current, location)
                if method not in ("GET", "HEAD"):
                    method, content = "GET", None
                continue
            response.logical_url = current  # type: ignore[attr-defined]
            try:
                yield response
            except httpx.HTTPError as exc:  # raised while the caller read the body
                raise _transport_error(exc, budget, current, field) from None
            finally:
                response.close()
            return
    raise OutboundError("Too many redirects.", details=_details(url, field))


def fetch_to_file(
    url: str,
    *,
    dest: Path,
    max_bytes: int,
    timeout_s: float = 120.0,
    headers: dict[str, str] | None = None,
    field: str | None = None,
) -> FetchResult:
    """Downloads `url` into `dest`, refusing more than `max_bytes` (FILE_TOO_LARGE) and
    taking at most `timeout_s` in all. `headers` (e.g. a provider's auth) are sent to the
    URL's own host only. Errors name `field` (the request field the URL came from)."""
    try:
        return _fetch_to_file(url, dest, max_bytes, timeout_s, headers, field)
    except ApplicationError as exc:
        if field and "field" not in exc.details:
            exc.details = {"field": field, **exc.details}
        raise


def _fetch_to_file(
    url: str,
    dest: Path,
    max_bytes: int,
    timeout_s: float,
    headers: dict[str, str] | None,
    field: str | None,
) -> FetchResult:
    with open_stream("GET", url, timeout_s=timeout_s, headers=headers, field=field) as response:
        if response.status_code != 200:
            raise OutboundError(
                f"Fetching the URL returned HTTP {response.status_code}.",
                details=_details(url, field, status=response.status_code),
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise ApplicationError(
                f"The file at the URL is {int(declared)} bytes; the limit is {max_bytes} bytes.",
                code=ErrorCode.FILE_TOO_LARGE,
                status=413,
                details={"limit_bytes": max_bytes, "size_bytes": int(declared)},
            )
        size = 0
        try:
            with dest.open("wb") as fh:
                for chunk in response.iter_raw(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise ApplicationError(
                            f"The file at the URL exceeds the limit of {max_bytes} bytes.",
                            code=ErrorCode.FILE_TOO_LARGE,
                            status=413,
                            details={"limit_bytes": max_bytes},
                        )
                    fh.write(chunk)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise
        return FetchResult(
            final_url=response.logical_url,  # type: ignore[attr-defined]
            status=response.status_code,
            content_type=response.headers.get("content-type", ""),
            size_bytes=size,
        )
