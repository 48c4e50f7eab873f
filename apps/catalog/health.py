"""Provider health: recent error rate and latency per provider, from the job pipeline's
real calls (submit and poll), kept in the cache (Redis) in a sliding window of small
buckets, so every worker and web process sees the same figures.

A provider whose window holds at least PROVIDER_HEALTH_MIN_CALLS calls with an error rate
at or above PROVIDER_HEALTH_ERROR_RATE (or, when PROVIDER_HEALTH_MAX_LATENCY_MS is set, a
mean latency at or above it) is "degraded" for PROVIDER_HEALTH_COOLDOWN_S seconds: its
models are listed as `available: false, reason: "degraded"`, auto-selection and job
fallbacks skip it. The window starts afresh when it is marked, so when the cool-down ends
the next real call tries it again and a fresh run of errors is needed to mark it again.

Errors are what say the provider itself is in trouble: 5xx, 429, timeouts, connection
failures (a retryable or ambiguous ProviderError). A refusal of the request (bad input,
content policy) is an answer, not an error of the provider's.

The catalogue reads this (it decides availability); the job pipeline writes it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from apps.core import metrics

PREFIX = "provider-health"
BUCKETS = 12  # the window is cut into this many buckets


@dataclass(frozen=True)
class Health:
    provider: str
    calls: int
    errors: int
    latency_ms: int | None  # mean over the window
    degraded: bool

    @property
    def error_rate(self) -> float:
        return self.errors / self.calls if self.calls else 0.0

    def describe(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "errors": self.errors,
            "error_rate": round(self.error_rate, 3),
            "latency_ms": self.latency_ms,
            "degraded": self.degraded,
        }


def _bucket_s() -> int:
    return max(1, settings.PROVIDER_HEALTH_WINDOW_S // BUCKETS)


def _buckets(now: float) -> list[int]:
    size = _bucket_s()
    current = int(now) // size
    return [current - i for i in range(BUCKETS)]


def _key(provider: str, bucket: int, what: str) -> str:
    return f"{PREFIX}:{provider}:{bucket}:{what}"


def _degraded_key(provider: str) -> str:
    return f"{PREFIX}:{provider}:degraded"


def _add(key: str, amount: int, timeout: int) -> None:
    cache.add(key, 0, timeout=timeout)
    try:
        cache.incr(key, amount)
    except ValueError:  # expired between add and incr
        cache.set(key, amount, timeout=timeout)


def provider_health(*, provider: str, now: float | None = None) -> Health:
    """The provider's figures over the current window."""
    buckets = _buckets(now if now is not None else time.time())
    keys = [_key(provider, b, w) for b in buckets for w in ("calls", "errors", "ms")]
    found = cache.get_many([*keys, _degraded_key(provider)])
    total = {"calls": 0, "errors": 0, "ms": 0}
    for b in buckets:
        for what in total:
            total[what] += int(found.get(_key(provider, b, what)) or 0)
    calls = total["calls"]
    return Health(
        provider=provider,
        calls=calls,
        errors=total["errors"],
        latency_ms=round(total["ms"] / calls) if calls else None,
        degraded=_degraded_key(provider) in found,
    )


def providers_degraded(*, providers: list[str]) -> set[str]:
    """The providers that are degraded right now (one cache round trip)."""
    keys = {_degraded_key(p): p for p in providers}
    return {keys[k] for k in cache.get_many(list(keys))}


def provider_degraded(*, provider: str) -> bool:
    return cache.get(_degraded_key(provider)) is not None


def _too_unhealthy(health: Health) -> bool:
    if health.calls < settings.PROVIDER_HEALTH_MIN_CALLS:
        return False
    if health.error_rate >= settings.PROVIDER_HEALTH_ERROR_RATE:
        return True
    limit = settings.PROVIDER_HEALTH_MAX_LATENCY_MS
    return bool(limit) and (health.latency_ms or 0) >= limit


def provider_call_record(
    *,
    provider: str,
    ok: bool,
    latency_s: float,
    now: float | None = None,
    call: str = "call",
    code: str = "",
) -> bool:
    """Counts one real call to the provider; marks it degraded when the window crosses the
    threshold. Returns whether it is degraded now. Never raises: health is advice, a cache
    outage must not fail a job.

    Also the Prometheus figures: the call's latency by `call` (submit, poll) and outcome,
    and `code` (the ProviderError's, when the call raised one — an error of the provider's
    when not `ok`, else a refusal) in the provider errors."""
    try:
        outcome = "ok" if not code else ("refused" if ok else "error")
        metrics.PROVIDER_CALL_DURATION.labels(provider, call, outcome).observe(max(0.0, latency_s))
        if code:
            metrics.PROVIDER_ERRORS.labels(provider, code).inc()
        now = now if now is not None else time.time()
        bucket = _buckets(now)[0]
        ttl = settings.PROVIDER_HEALTH_WINDOW_S + 2 * _bucket_s()
        _add(_key(provider, bucket, "calls"), 1, ttl)
        _add(_key(provider, bucket, "ms"), max(0, int(latency_s * 1000)), ttl)
        if not ok:
            _add(_key(provider, bucket, "errors"), 1, ttl)
        health = provider_health(provider=provider, now=now)
        if health.degraded:
            return True
        if not _too_unhealthy(health):
            return False
        cache.set(
            _degraded_key(provider),
            {"since": now, **health.describe()},
            timeout=settings.PROVIDER_HEALTH_COOLDOWN_S,
        )
        # A fresh window once the cool-down ends: the next real call is the trial.
        cache.delete_many(
            [_key(provider, b, w) for b in _buckets(now) for w in ("calls", "errors", "ms")]
        )
        return True
    except Exception:  # see the docstring
        return False


def provider_health_reset(*, provider: str) -> None:
    """Forgets the provider's figures and any degraded mark (tests, operators)."""
    now = time.time()
    cache.delete_many(
        [_key(provider, b, w) for b in _buckets(now) for w in ("calls", "errors", "ms")]
        + [_degraded_key(provider)]
    )
