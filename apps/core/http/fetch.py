"""Fetching: a streamed response (`open_stream`) or a file (`fetch_to_file`), every hop
checked and pinned, all of it within one Budget."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from apps.core.errors import ApplicationError, ErrorCode
from apps.core.http.addresses import OutboundError, error_details, resolve_public
from apps.core.http.budget import Budget, BudgetTransport

MAX_REDIRECTS = 5
CHUNK = 256 * 1024


@dataclass(frozen=True)
class FetchResult:
    final_url: str
    status: int
    content_type: str
    size_bytes: int


def _transport_error(
    exc: httpx.HTTPError, budget: Budget, url: str, field: str | None
) -> OutboundError:
    if budget.tripped == "deadline":
        return OutboundError(
            f"Fetching the URL took longer than {budget.total_s:g} s.",
            retryable=True,
            details=error_details(url, field, reason="timeout", limit_s=budget.total_s),
        )
    if budget.tripped == "rate":
        return OutboundError(
            f"The server at the URL sent data slower than {budget.min_rate:g} bytes/s.",
            retryable=True,
            details=error_details(url, field, reason="too_slow", min_rate_bps=budget.min_rate),
        )
    host = urlsplit(url).hostname or ""
    return OutboundError(
        f"Could not fetch from {host}: {type(exc).__name__}.",
        retryable=True,
        details=error_details(url, field),
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
    budget = Budget(timeout_s)
    timeout = httpx.Timeout(min(timeout_s, 10.0), read=min(timeout_s, 30.0))
    transport = BudgetTransport(budget)
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
    raise OutboundError("Too many redirects.", details=error_details(url, field))


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
                details=error_details(url, field, status=response.status_code),
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
