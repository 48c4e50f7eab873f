"""Per-workspace request rate limits, by tier (Free 60/min, Pro 300/min, ...), and the
limit on failed API-key authentications per client address.

A fixed one-minute window counted atomically in the cache (Redis in production), keyed by
workspace; callers without a workspace are counted by client address."""

import contextlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import BaseThrottle

from apps.core.errors import RateLimitExceeded

WINDOW_S = 60


class TierRateThrottle(BaseThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        workspace = getattr(request, "workspace", None)
        if workspace is not None:
            limit = workspace.tier.requests_per_minute
            subject = f"ws:{workspace.pk}"
            scope = f"the {workspace.tier.display_name} tier"
        else:
            limit = settings.ANONYMOUS_REQUESTS_PER_MINUTE
            subject = f"ip:{client_address(request)}"
            scope = "unauthenticated callers"
        now = time.time()
        window = int(now // WINDOW_S)
        key = f"ratelimit:{subject}:{window}"
        precounted = _precount_take(request)
        if precounted is not None and precounted[0].startswith(f"ratelimit:{subject}:"):
            # Counted with the key lookup, in the same Redis round trip (accounts/keycache).
            key, count, window = precounted
        else:
            if precounted is not None:  # counted for another subject: take it back
                count_undo(precounted[0])
            count = _count_hit(key)
        if count <= limit:
            return True
        retry_after = _seconds_left(window, now)
        raise RateLimitExceeded(
            f"Rate limit of {limit} requests per minute for {scope} exceeded; "
            f"retry in {retry_after} s.",
            details={"limit_per_minute": limit, "retry_after_s": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


_PRECOUNT = "_ratelimit_precount"


def counts_tier_rate(view: Any) -> bool:
    """Whether `view`'s throttles include the tier limit (so a lookup may count for it)."""
    return any(
        isinstance(cls, type) and issubclass(cls, TierRateThrottle)
        for cls in getattr(view, "throttle_classes", ())
    )


def precount_hit(request: Any, *, key: str, count: int, window: int) -> None:
    """Records that this request was already counted under `key` (as `count`): the
    throttle uses it instead of counting again; if the request is refused before the
    throttle runs, `precount_release` takes the hit back so refusals never count."""
    setattr(request, _PRECOUNT, (key, count, window))


def _precount_take(request: Any) -> tuple[str, int, int] | None:
    found = request.__dict__.pop(_PRECOUNT, None)
    return found


def precount_release(request: Any) -> None:
    """Takes back a hit counted with the key lookup that no throttle consumed."""
    if request is None:
        return
    found = _precount_take(request)
    if found is not None:
        count_undo(found[0])


def client_address(request: Any) -> str:
    """The caller's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n > 0 the n-th
    X-Forwarded-For entry from the right (the one the outermost trusted proxy saw).
    Entries further left are whatever the client sent, so they are never trusted."""
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR") or ""
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if proxies <= 0 or not hops:
        return remote
    return hops[-min(proxies, len(hops))]


def _seconds_left(window: int, now: float) -> int:
    """Whole seconds until `window` ends (at least 1): the Retry-After of a 429."""
    return max(1, int((window + 1) * WINDOW_S - now + 0.999))


def _auth_failures_key(address: str, window: int) -> str:
    return f"authfail:{address}:{window}"


def auth_failures_check(*, address: str) -> None:
    """429 once `address` has failed AUTH_FAILURES_PER_MINUTE authentications this minute.
    Called before the key lookup, so every credential from that address is refused (a
    valid one included) until the minute ends: refusing only wrong keys would still
    answer a right guess, and each guess would still cost a lookup."""
    limit = settings.AUTH_FAILURES_PER_MINUTE
    if limit <= 0:
        return
    now = time.time()
    window = int(now // WINDOW_S)
    if (cache.get(_auth_failures_key(address, window)) or 0) < limit:
        return
    auth_failures_refuse()


def auth_failures_refuse() -> None:
    """The 429 of an address over AUTH_FAILURES_PER_MINUTE this minute."""
    limit = settings.AUTH_FAILURES_PER_MINUTE
    now = time.time()
    retry_after = _seconds_left(int(now // WINDOW_S), now)
    raise RateLimitExceeded(
        f"Too many failed authentications from your address: the limit is {limit} per "
        f"minute; retry in {retry_after} s.",
        details={"auth_failures_per_minute": limit, "retry_after_s": retry_after},
        headers={"Retry-After": str(retry_after)},
    )


def auth_failure_record(*, address: str) -> None:
    if settings.AUTH_FAILURES_PER_MINUTE > 0:
        _count_hit(_auth_failures_key(address, int(time.time() // WINDOW_S)))


def _count_hit(key: str) -> int:
    return count_hit(key, ttl_s=WINDOW_S + 5)


def count_hit(key: str, *, ttl_s: int) -> int:
    """Increments a counter that lives `ttl_s` seconds from its first hit and returns the
    new count; atomic, one round trip on Redis (INCR + EXPIRE NX)."""
    backend: Any = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(key, write=True)
        pipe = client.pipeline(transaction=False)
        full_key = backend.make_and_validate_key(key)
        pipe.incr(full_key)
        pipe.expire(full_key, ttl_s, nx=True)
        return int(pipe.execute()[0])
    cache.add(key, 0, timeout=ttl_s)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=ttl_s)
        return 1


def count_undo(key: str) -> None:
    """Takes back one hit of `count_hit` (a request it counted was not accepted after all)."""
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to take back
        cache.decr(key)
