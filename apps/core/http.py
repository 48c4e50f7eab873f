"""The one outbound HTTP client for URLs a user gave us (source media, webhook endpoints).

Guards against server-side request forgery:
- http and https only, no credentials in the URL;
- the host is resolved once and the connection is pinned to that address (no DNS
  rebinding between the check and the connect), TLS still verifies the real hostname;
- loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved and
  unspecified addresses are refused — at send time and again on every redirect hop;
- a cap on bytes and on total time.
"""

import ipaddress
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

from apps.core.errors import ApplicationError, ErrorCode

MAX_REDIRECTS = 5
CHUNK = 256 * 1024
_BLOCKED_NETWORKS = [
    ipaddress.ip_network(n)
    for n in (
        "100.64.0.0/10",  # CGNAT
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
        "64:ff9b::/96",  # NAT64 can reach private IPv4
    )
]


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


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast:
        return False
    return not any(ip in net for net in _BLOCKED_NETWORKS)


def resolve_public(url: str) -> tuple[httpx.URL, str]:
    """Validates `url` and returns it together with the one address to connect to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise OutboundError("Only http and https URLs can be fetched.", details={"url": url})
    if parts.username or parts.password:
        raise OutboundError("URLs with credentials are not accepted.", details={"url": url})
    host = parts.hostname
    if not host:
        raise OutboundError("The URL has no host.", details={"url": url})
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutboundError(f"Cannot resolve host '{host}'.", details={"url": url}) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not _explicitly_allowed(host, port) and not all(_is_public(a) for a in addresses):
        raise OutboundError(
            "The URL points at a private or reserved network address, which is not allowed.",
            details={"url": url},
        )
    return httpx.URL(url), str(addresses[0])


def _pinned_request(
    client: httpx.Client, method: str, url: httpx.URL, ip: str, **kwargs: Any
) -> httpx.Request:
    host_header = url.host if url.port is None else f"{url.host}:{url.port}"
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
) -> Iterator[httpx.Response]:
    """A streamed response from `url`, every hop checked; the caller reads the body."""
    deadline = time.monotonic() + timeout_s
    timeout = httpx.Timeout(min(timeout_s, 10.0), read=min(timeout_s, 30.0))
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        current = url
        origin = httpx.URL(url).netloc
        for _ in range(MAX_REDIRECTS + 1):
            target, ip = resolve_public(current)
            # Credentials meant for the first host never follow a redirect to another one.
            hop_headers = dict(headers or {}) if target.netloc == origin else {}
            request = _pinned_request(
                client, method, target, ip, headers=hop_headers, content=content
            )
            try:
                response = client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise OutboundError(
                    f"Could not reach {target.host}: {type(exc).__name__}.",
                    retryable=True,
                    details={"url": current},
                ) from None
            if follow_redirects and response.is_redirect:
                response.close()
                location = response.headers.get("location", "")
                current = urljoin(current, location)
                if method not in ("GET", "HEAD"):
                    method, content = "GET", None
                if time.monotonic() > deadline:
                    break
                continue
            response.logical_url = current  # type: ignore[attr-defined]
            try:
                yield response
            finally:
                response.close()
            return
    raise OutboundError("Too many redirects or too slow.", details={"url": url})


def fetch_to_file(
    url: str,
    *,
    dest: Path,
    max_bytes: int,
    timeout_s: float = 120.0,
    headers: dict[str, str] | None = None,
) -> FetchResult:
    """Downloads `url` into `dest`, refusing more than `max_bytes` (FILE_TOO_LARGE).
    `headers` (e.g. a provider's auth) are sent to the URL's own host only."""
    deadline = time.monotonic() + timeout_s
    with open_stream("GET", url, timeout_s=timeout_s, headers=headers) as response:
        if response.status_code != 200:
            raise OutboundError(
                f"Fetching the URL returned HTTP {response.status_code}.",
                details={"url": url, "status": response.status_code},
            )
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
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
                    if time.monotonic() > deadline:
                        raise OutboundError(
                            f"Fetching the URL took longer than {timeout_s:.0f} s.",
                            retryable=True,
                            details={"url": url},
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
