"""The staff Operations page: Celery queue depth, jobs stuck past their deadline (with a
button that runs the sweep now), provider health, webhook failures and the moderation
backlog. Platform staff only: anyone else signed in gets 403, a visitor the login page."""

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.catalog.health import provider_health
from apps.catalog.registry import PROVIDERS
from apps.core.queues import queue_depths
from apps.jobs.selectors import jobs_stuck
from apps.jobs.sweep import jobs_sweep
from apps.moderation.selectors import moderation_backlog
from apps.webhooks.selectors import deliveries_failed_recent, endpoints_failing

STUCK_SHOWN = 50
FAILURES_SHOWN = 20
FAILURES_WINDOW = dt.timedelta(hours=24)


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def age(seconds: float | None) -> str:
    """ "3 h 12 min", "4 min 5 s", "12 s"; "—" for none."""
    if seconds is None:
        return "—"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def _queues() -> dict[str, Any]:
    try:
        return {"depths": queue_depths(), "error": ""}
    except Exception as exc:  # the page still shows everything else
        return {"depths": {}, "error": f"The broker did not answer: {type(exc).__name__}"}


def _providers() -> list[dict[str, Any]]:
    rows = []
    for provider, (name, _setting) in PROVIDERS.items():
        health = provider_health(provider=provider)
        rows.append({"provider": provider, "name": name, **health.describe()})
    return rows


@staff_required
@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    stuck = jobs_stuck(now=now)
    since = now - FAILURES_WINDOW
    failed = deliveries_failed_recent(since=since)
    backlog = moderation_backlog(now=now)
    context = {
        "queues": _queues(),
        "stuck_count": stuck.count(),
        "stuck": [
            {"job": job, "overdue": age((now - job.deadline_at).total_seconds())}
            for job in stuck[:STUCK_SHOWN]
        ],
        "sweep_interval_s": settings.JOBS_SWEEP_INTERVAL_S,
        "providers": _providers(),
        "health_window_s": settings.PROVIDER_HEALTH_WINDOW_S,
        "failed_count": failed.count(),
        "failed": list(failed[:FAILURES_SHOWN]),
        "failing_endpoints": list(endpoints_failing()[:FAILURES_SHOWN]),
        "backlog": [
            {"subject_type": t, "open": row["open"], "oldest": age(row["oldest_age_s"])}
            for t, row in backlog.items()
        ],
        "backlog_open": sum(row["open"] for row in backlog.values()),
        "backlog_oldest": age(
            max((r["oldest_age_s"] for r in backlog.values() if r["oldest_age_s"]), default=None)
        ),
    }
    return render(request, "dashboard/operations.html", context)


@staff_required
@require_POST
def operations_sweep(request: HttpRequest) -> HttpResponse:
    """Runs the periodic sweep now (the same service beat runs every
    JOBS_SWEEP_INTERVAL_S): settles stuck jobs and orphaned holds exactly once."""
    counts = jobs_sweep()
    summary = ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in counts.items())
    messages.success(request, f"Sweep done — {summary}.")
    return redirect("dashboard:operations")
