"""PROVIDER_SANDBOX: the seven fake provider APIs served by the app itself under
`/_sandbox/<provider>/` (views.py), reached through PUBLIC_BASE_URL like any provider.

While it is on, every remote adapter talks to the sandbox with the sandbox's own keys
(a real key, the platform's or a workspace's, is never sent to it), every model of the
catalog is available at its real price, and jobs are marked `sandbox`. The SSRF guard
lets exactly that prefix through (apps/core/http/addresses.py). Production settings
refuse it (config/settings/production.py)."""

from __future__ import annotations

import threading

from django.conf import settings

from apps.core.http import SANDBOX_PATH
from apps.providers.sandbox.core import PROVIDERS, Sandbox

# Tasks a long `make run` remembers; the oldest are forgotten first (a job polls its task
# within seconds, so only an absurd backlog would lose one).
MAX_TASKS = 10_000

_lock = threading.Lock()
_instance: Sandbox | None = None


def enabled() -> bool:
    return bool(getattr(settings, "PROVIDER_SANDBOX", False))


def root() -> str:
    """`<PUBLIC_BASE_URL>/_sandbox` (no trailing slash)."""
    return str(settings.PUBLIC_BASE_URL).rstrip("/") + SANDBOX_PATH.rstrip("/")


def provider_url(provider: str) -> str:
    return f"{root()}/{provider}"


def provider_key(provider: str) -> str:
    return f"sk-sandbox-{provider}"


def instance() -> Sandbox:
    """This process's sandbox (tasks live in memory: one web process serves them, as
    `make run`'s does). A new one when PUBLIC_BASE_URL changed (tests' live servers)."""
    global _instance
    with _lock:
        if _instance is None or _instance.root != root():
            _instance = Sandbox(
                base_url=root(),
                polls_needed=int(getattr(settings, "PROVIDER_SANDBOX_POLLS", 3)),
                max_received=100,
                max_tasks=MAX_TASKS,
            )
        return _instance


def serves(provider: str) -> bool:
    """Whether a job on `provider` runs on the sandbox (every remote provider, while on)."""
    return enabled() and provider in PROVIDERS
