"""Which URLs may be fetched: their syntax (`validate_public_url`, also run at submit
time) and the addresses they resolve to (`resolve_public`, at fetch time)."""

import ipaddress
import re
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from apps.core.errors import ApplicationError, ErrorCode

MAX_URL_LENGTH = 2048
# Where the app serves its own provider sandbox (PROVIDER_SANDBOX, apps/providers/sandbox).
SANDBOX_PATH = "/_sandbox/"

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


def _explicitly_allowed(host: str, port: int) -> bool:
    # Exact host:port pairs an operator trusts (tests and local sandboxes on 127.0.0.1).
    return f"{host}:{port}" in set(getattr(settings, "OUTBOUND_ALLOWED_NETLOCS", ()))


def _sandbox_allowed(target: httpx.URL) -> bool:
    """With PROVIDER_SANDBOX on, the app's own sandbox, and nothing else of the app: the
    scheme, host and port of PUBLIC_BASE_URL and a path under /_sandbox/ (httpx has
    already resolved any dot segments, so `/_sandbox/../admin/` is `/admin/`)."""
    if not getattr(settings, "PROVIDER_SANDBOX", False):
        return False
    try:
        base = httpx.URL(str(settings.PUBLIC_BASE_URL))
    except (httpx.InvalidURL, ValueError, UnicodeError):
        return False
    return (
        target.scheme == base.scheme
        and target.raw_host == base.raw_host
        and target.port == base.port
        and target.path.startswith(SANDBOX_PATH)
        and ".." not in target.path.split("/")  # %2e%2e, which httpx leaves alone
    )


def _is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        for network, shift in _EMBEDDING_IPV4:
            if ip in network:
                return _is_public(ipaddress.IPv4Address((int(ip) >> shift) & 0xFFFFFFFF))
    if not ip.is_global or ip.is_multicast:
        return False
    return not any(ip in net for net in _BLOCKED_NETWORKS)


def error_details(url: object, field: str | None, **extra: Any) -> dict[str, Any]:
    shown = url[:200] if isinstance(url, str) else type(url).__name__
    return {**({"field": field} if field else {}), "url": shown, **extra}


def _bad_url(reason: str, url: object, field: str | None) -> OutboundError:
    prefix = f"{field}: " if field else ""
    return OutboundError(f"{prefix}{reason}", details=error_details(url, field))


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
    if not _sandbox_allowed(target):
        _check_literal_address(host, port or (443 if scheme == "https" else 80), url, field)
    return target


def _check_literal_address(host: str, port: int, url: str, field: str | None) -> None:
    """An address written in the URL is refused at once when it is not public (a webhook
    to 169.254.169.254 is refused when it is saved, not at its first send); host names are
    checked when fetching, since what they resolve to can change."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return
    if not _is_public(ip) and not _explicitly_allowed(host, port):
        raise _bad_url(
            "The URL points at a private or reserved network address, which is not allowed.",
            url,
            field,
        )


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
            details=error_details(url, field, reason="timeout"),
        ) from None
    except (OSError, UnicodeError, ValueError):
        raise OutboundError(
            f"Cannot resolve host '{host}'.", details=error_details(url, field)
        ) from None
    addresses: list[IPAddress] = []
    for info in infos:
        try:
            addresses.append(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
        except ValueError:
            continue
    if not addresses:
        raise OutboundError(f"Cannot resolve host '{host}'.", details=error_details(url, field))
    allowed = _explicitly_allowed(host, port) or _sandbox_allowed(target)
    if not allowed and not all(_is_public(a) for a in addresses):
        raise OutboundError(
            "The URL points at a private or reserved network address, which is not allowed.",
            details=error_details(url, field),
        )
    return target, str(addresses[0])
