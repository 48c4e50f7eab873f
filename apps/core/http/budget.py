"""Time for a fetch: one wall-clock deadline over every socket operation, and a least
average transfer rate. httpx's read timeout is per read, so a server sending a byte a
second never trips it; these streams bound each wait by what is left of the fetch."""

import functools
import ssl
import time
from typing import Any

import httpcore
import httpx
from django.conf import settings


class Budget:
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
    def __init__(self, inner: httpcore.NetworkStream, budget: Budget) -> None:
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


class BudgetBackend(httpcore.NetworkBackend):
    def __init__(self, budget: Budget) -> None:
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


class BudgetTransport(httpx.HTTPTransport):
    def __init__(self, budget: Budget) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False)
        # httpx has no public hook for httpcore's network backend, so the pool is made
        # again with one that holds every socket operation to the fetch's budget: httpx's
        # read timeout is per read, and a server sending a byte a second never trips it.
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(), network_backend=BudgetBackend(budget)
        )
