"""The free perk without an account (spec 003: "Seedance Lite I2V at 5 s @ 480p is FREE
for all users including anonymous"); docs/jobs.md.

A visitor's job is an ordinary job owned by one system workspace per platform (tier
"anonymous": no credits, no members, no monthly grant), accepted only when the catalogue
prices the combination as a free perk, so no credit account is ever held or charged. Each
client address gets ANONYMOUS_FREE_JOBS_PER_DAY per UTC day (an atomic cache counter).
The submit returns a capability token, the only way to read the job; the job, its input
and its result are deleted by the jobs sweep ANONYMOUS_JOB_RETENTION_S after submission."""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Tier, Workspace
from apps.catalog.pricing import spec_pricing
from apps.catalog.registry import spec_for
from apps.core.errors import AuthenticationFailed, NotFound, RateLimitExceeded
from apps.core.throttling import count_hit, count_undo
from apps.gallery.models import Asset
from apps.gallery.services import asset_delete
from apps.jobs.models import TERMINAL, AnonymousJob, Job
from apps.jobs.services import job_submit

TIER_NAME = "anonymous"
WORKSPACE_NAME = "Anonymous visitors (free perk)"
CAPABILITY_PREFIX = "/api/v1/anonymous/tasks/"
# The only input origins a visitor may use: their own upload, a URL or inline data (an
# asset id would name a file of the shared anonymous workspace, i.e. another visitor's).
VISITOR_INPUT_ORIGINS = ("_file", "_url", "_data")
MAX_TOKEN_LENGTH = 128
EXPIRE_BATCH = 200


def _not_a_perk(reason: str) -> AuthenticationFailed:
    return AuthenticationFailed(
        "Authentication required: send `Authorization: Bearer <key>` or `X-API-Key: <key>`. "
        f"Without a key only the free perk runs ({reason}).",
        details={"free_perk": False},
    )


def _seconds(value: Any, default: int | None) -> int | None:
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def perk_check(*, data: dict[str, Any], files: dict[str, Any]) -> None:
    """401 unless the request names a combination the catalogue prices as a free perk,
    and uses nothing that needs an account. Checked before anything is counted or read;
    job_submit checks the final quote again (free_only)."""
    model_id = data.get("model")
    spec = spec_for(model_id) if isinstance(model_id, str) else None
    pricing = spec_pricing(spec) if spec is not None else None
    if spec is None or pricing is None or not pricing.free:
        return_reason = "name a free-perk model, see free_perk in GET /api/v1/models"
        raise _not_a_perk(return_reason)
    resolution = data.get("resolution") or spec.default_resolution
    seconds = _seconds(data.get("duration"), spec.default_duration)
    if (
        not isinstance(resolution, str)
        or seconds is None
        or not pricing.is_free(seconds=seconds, resolution=resolution)
    ):
        perks = ", ".join(f"{p.resolution} up to {p.max_duration} s" for p in pricing.free)
        raise _not_a_perk(f"{spec.id} is free at {perks}")
    for name in list(data) + list(files):
        if name.endswith("_asset") and data.get(name) not in (None, ""):
            raise _not_a_perk("gallery assets need an account; upload the file instead")
    if data.get("webhook_url"):
        raise _not_a_perk("webhooks need an account")


def anonymous_workspace() -> Workspace:
    """The platform's system workspace for visitors' jobs (created on first use)."""
    tier, _ = Tier.objects.get_or_create(
        name=TIER_NAME,
        defaults={
            "display_name": "Anonymous (free perk)",
            "max_upload_bytes": 20 * 1024 * 1024,
            "storage_quota_bytes": None,
            "max_concurrent_jobs": settings.ANONYMOUS_MAX_CONCURRENT_JOBS,
            "requests_per_minute": settings.ANONYMOUS_REQUESTS_PER_MINUTE,
            "monthly_credits": 0,
            "max_webhook_endpoints": 0,
            "sort_order": 999,
        },
    )
    if tier.max_concurrent_jobs != settings.ANONYMOUS_MAX_CONCURRENT_JOBS:
        tier.max_concurrent_jobs = settings.ANONYMOUS_MAX_CONCURRENT_JOBS
        tier.save(update_fields=["max_concurrent_jobs"])
    with transaction.atomic():
        # The tier row serialises the first creation of the workspace.
        Tier.objects.select_for_update().filter(pk=tier.pk).first()
        workspace = Workspace.objects.filter(tier=tier).order_by("pk").first()
        if workspace is None:
            workspace = Workspace.objects.create(name=WORKSPACE_NAME, tier=tier)
    return workspace


def anonymous_workspace_existing() -> Workspace | None:
    return Workspace.objects.filter(tier__name=TIER_NAME).order_by("pk").first()


def _day_key(address: str, now: dt.datetime) -> tuple[str, int]:
    day = now.astimezone(dt.UTC).date()
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return f"anonperk:{address}:{day.isoformat()}", int((midnight - now).total_seconds()) + 60


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def anonymous_submit(
    *, data: dict[str, Any], files: dict[str, Any], address: str
) -> tuple[Job, str]:
    """Accepts a visitor's free-perk job; returns it with its capability token (shown
    once). 401 for anything that is not a free perk, 429 past the daily limit."""
    perk_check(data=data, files=files)
    limit = settings.ANONYMOUS_FREE_JOBS_PER_DAY
    now = timezone.now()
    key, ttl_s = _day_key(address, now)
    if count_hit(key, ttl_s=ttl_s) > limit:
        count_undo(key)
        retry_after = ttl_s - 60
        raise RateLimitExceeded(
            f"ANONYMOUS_FREE_JOBS_PER_DAY: at most {limit} free jobs per day without an "
            f"account from one address; create an account or retry in {retry_after} s.",
            details={"anonymous_free_jobs_per_day": limit, "retry_after_s": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
    try:
        job, _ = job_submit(
            workspace=anonymous_workspace(), user=None, data=data, files=files, free_only=True
        )
        token = secrets.token_urlsafe(32)
        AnonymousJob.objects.create(
            job=job, token_sha256=token_digest(token), client_address=address[:64]
        )
    except BaseException:
        count_undo(key)  # not accepted: it does not use up one of the day's jobs
        raise
    return job, token


def anonymous_job_get(*, token: str) -> Job:
    """The job this capability token opens; 404 for any other string, and once expired."""
    missing = NotFound("No such task.")
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise missing
    since = timezone.now() - dt.timedelta(seconds=settings.ANONYMOUS_JOB_RETENTION_S)
    record = (
        AnonymousJob.objects.select_related("job__result_asset", "job__workspace__tier")
        .filter(token_sha256=token_digest(token), created_at__gte=since)
        .first()
    )
    if record is None:
        raise missing
    return record.job


def anonymous_jobs_expire(*, now: dt.datetime | None = None) -> int:
    """Deletes visitors' ended jobs older than ANONYMOUS_JOB_RETENTION_S with their input
    uploads and results (called by the jobs sweep). Returns how many jobs went."""
    workspace = anonymous_workspace_existing()
    if workspace is None:
        return 0
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.ANONYMOUS_JOB_RETENTION_S)
    expired = Job.objects.filter(
        workspace=workspace, created_at__lt=cutoff, status__in=TERMINAL
    ).order_by("pk")[:EXPIRE_BATCH]
    count = 0
    for job in expired:
        asset_ids = {str(v) for v in (job.inputs or {}).values()}
        with transaction.atomic():
            if not Job.objects.filter(pk=job.pk).delete()[0]:
                continue  # another sweep got it
            assets = Asset.objects.filter(workspace=workspace).filter(
                Q(public_id__in=asset_ids)
                | Q(source_job_id=job.public_id)
                | Q(pk=job.result_asset_id)
            )
            for asset in assets:
                asset_delete(asset=asset)
        count += 1
    return count
