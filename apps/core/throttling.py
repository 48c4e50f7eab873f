"""Per-workspace request rate limits, by tier (Free 60/min, Pro 300/min, ...).

A fixed one-minute window counted atomically in the cache (Redis in production), keyed by
workspace; callers without a workspace are counted by client address."""

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
            subject = f"ip:{self.get_ident(request)}"
            scope = "unauthenticated callers"
        now = time.time()
        window = int(now // WINDOW_S)
        count = _count_hit(f"ratelimit:{subject}:{window}")
        if count <= limit:
            return True
        retry_after = max(1, int((window + 1) * WINDOW_S - now + 0.999))
        raise RateLimitExceeded(
            f"Rate limit of {limit} requests per minute for {scope} exceeded; "
            f"retry in {retry_after} s.",
            details={"limit_per_minute": limit, "retry_after_s": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


def _count_hit(key: str) -> int:
    """Increments the window's counter; one round trip on Redis (INCR + EXPIRE NX)."""
    backend: Any = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(key, write=True)
        pipe = client.pipeline(transaction=False)
        full_key = backend.make_and_validate_key(key)
        pipe.incr(full_key)
        pipe.expire(full_key, WINDOW_S + 5, nx=True)
        return int(pipe.execute()[0])
    cache.add(key, 0, timeout=WINDOW_S + 5)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_S + 5)
        return 1
