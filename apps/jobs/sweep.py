"""The periodic sweep: settles jobs past their deadline or stale, requeues lost starts and
releases holds left without a live job."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.billing.models import CreditHold
from apps.billing.services import credits_release
from apps.core.errors import ErrorCode
from apps.jobs.anonymous import anonymous_jobs_expire
from apps.jobs.enqueue import enqueue
from apps.jobs.models import TERMINAL, Job, JobStatus
from apps.jobs.pipeline import provider_cancel
from apps.jobs.services import settle_locked

SWEEP_BATCH = 200


def jobs_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Settles what no task will: jobs past their deadline, local runs whose worker died,
    queued jobs whose start message was lost, and holds left without a live job. Rows
    another process holds locked are skipped (they are being settled already)."""
    now = now or timezone.now()
    counts = {"timed_out": 0, "lost": 0, "requeued": 0, "holds_released": 0, "anonymous_expired": 0}
    live: set[str] = {JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DELIVERING}
    for job_id in Job.objects.filter(status__in=live, deadline_at__lt=now).values_list(
        "pk", flat=True
    )[:SWEEP_BATCH]:
        if _sweep_fail(
            job_id,
            live,
            ErrorCode.PROCESSING_TIMEOUT,
            "The job did not finish before its deadline.",
            now=now,
        ):
            counts["timed_out"] += 1
    stale = now - dt.timedelta(seconds=settings.JOBS_HEARTBEAT_STALE_S)
    for job_id in Job.objects.filter(
        status__in={JobStatus.RUNNING, JobStatus.DELIVERING},
        provider="local",
        heartbeat_at__lt=stale,
    ).values_list("pk", flat=True)[:SWEEP_BATCH]:
        if _sweep_fail(
            job_id,
            {JobStatus.RUNNING, JobStatus.DELIVERING},
            ErrorCode.PROCESSING_TIMEOUT,
            "The worker running this job stopped; please submit it again.",
            stale=stale,
        ):
            counts["lost"] += 1
    for job_id in Job.objects.filter(
        status=JobStatus.QUEUED, updated_at__lt=now - dt.timedelta(seconds=300)
    ).values_list("pk", flat=True)[:SWEEP_BATCH]:
        enqueue("jobs.start", job_id)  # start is idempotent
        counts["requeued"] += 1
    # A held hold whose job has ended (a crash between the two writes). Release is a no-op
    # on a settled hold, so overlapping sweeps are harmless.
    for hold in CreditHold.objects.filter(state=CreditHold.State.HELD, job__status__in=TERMINAL)[
        :SWEEP_BATCH
    ]:
        if credits_release(hold=hold).state == CreditHold.State.RELEASED:
            counts["holds_released"] += 1
    # Visitors' free-perk jobs live ANONYMOUS_JOB_RETENTION_S (apps/jobs/anonymous.py).
    counts["anonymous_expired"] = anonymous_jobs_expire(now=now)
    return counts


def _sweep_fail(
    job_id: int,
    from_: set[str],
    code: str,
    message: str,
    now: dt.datetime | None = None,
    stale: dt.datetime | None = None,
) -> bool:
    with transaction.atomic():
        job = Job.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or job.status not in from_:
            return False
        if now is not None and not (job.deadline_at and job.deadline_at < now):
            return False
        if stale is not None and not (job.heartbeat_at and job.heartbeat_at < stale):
            return False
        settle_locked(job, JobStatus.FAILED, code=code, message=message, retryable=True)
        task_id, provider = job.provider_task_id, job.provider
    if task_id:
        provider_cancel(provider, task_id)
    return True
