"""Writes for jobs: cancel and every status transition; submit is apps/jobs/submit.py
(re-exported here with the rest of the writes).

Each transition locks the job row and acts only if the job is still in a state the
transition starts from (compare-and-set), so a task that runs twice, a cancel racing a
delivery or two overlapping sweeps leave every job in exactly one terminal state, with its
credit hold captured or released exactly once. Locks are always taken job first, then the
workspace, then the credit account."""

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.billing.services import credits_release
from apps.core.errors import (
    Conflict,
    ErrorCode,
)
from apps.jobs.enqueue import enqueue
from apps.jobs.events import job_event_emit
from apps.jobs.models import TERMINAL, Job, JobEvent, JobStatus
from apps.jobs.observe import job_transition_observe
from apps.jobs.submit import job_submit, request_fingerprint  # noqa: F401 (the writes' API)
from apps.moderation.services import case_open_for_provider_block

logger = logging.getLogger(__name__)


# --- transitions -------------------------------------------------------------------------


def lock_job(job_id: int) -> Job:
    return Job.objects.select_for_update().get(pk=job_id)


def move_locked(
    job: Job, to: str, message: str = "", data: dict | None = None, **changes: Any
) -> Job:
    """Sets the status of a locked job and records the event (inside the caller's
    transaction)."""
    old = job.status
    job.status = to
    for name, value in changes.items():
        setattr(job, name, value)
    if to in TERMINAL:
        job.completed_at = timezone.now()
    job.save()
    JobEvent.objects.create(
        job=job, from_status=old, to_status=to, message=message[:500], data=data or {}
    )
    job_transition_observe(job=job, from_status=old, to_status=to)
    # The outgoing webhook is part of the transition: same transaction, sent on commit.
    job_event_emit(job=job)
    return job


def attempt_entry(job: Job, *, code: str = "", message: str = "") -> dict[str, Any]:
    """One line of the job's `attempts`: the model tried and how it ended (error None:
    it delivered)."""
    return {
        "model": job.model,
        "provider": job.provider,
        "error": {"code": code, "message": message[:500]} if code else None,
        "at": timezone.now().isoformat(),
    }


def job_transition(
    *, job_id: int, from_: Iterable[str], to: str, message: str = "", **changes: Any
) -> Job | None:
    """Compare-and-set: moves the job to `to` if it is in one of `from_`; None if not."""
    with transaction.atomic():
        job = lock_job(job_id)
        if job.status not in set(from_):
            return None
        return move_locked(job, to, message, **changes)


def settle_locked(
    job: Job,
    to: str,
    *,
    code: str = "",
    message: str = "",
    retryable: bool = False,
    data: dict | None = None,
) -> Job:
    """A terminal state other than completed: the hold goes back (inside the lock)."""
    if job.hold_id:
        credits_release(hold=job.hold)  # type: ignore[arg-type]
    return move_locked(
        job,
        to,
        message or to,
        data,
        error_code=code,
        error_message=message,
        error_retryable=retryable,
    )


def job_fail(*, job_id: int, code: str, message: str, retryable: bool = False) -> Job | None:
    """Ends a non-terminal job as failed and releases its credits. None if it had already
    ended (the first ending stands)."""
    with transaction.atomic():
        job = lock_job(job_id)
        if job.status in TERMINAL:
            return None
        logger.info("job %s failed: %s %s", job.public_id, code, message)
        if job.started_at is not None:  # a model was tried: its attempt ends here
            job.attempt_log = [*job.attempt_log, attempt_entry(job, code=code, message=message)]
        if code == ErrorCode.CONTENT_POLICY:
            # A provider refused the content: the moderators see it as a case.
            case_open_for_provider_block(
                workspace=job.workspace,
                job_public_id=job.public_id,
                prompt=job.prompt,
                message=message,
            )
        return settle_locked(job, JobStatus.FAILED, code=code, message=message, retryable=retryable)


def job_cancel(*, job: Job) -> Job:
    """Cancels a job that has not ended (409 on an ended one) and releases its credits;
    the provider is told afterwards, best effort."""
    with transaction.atomic():
        job = lock_job(job.pk)
        if job.status in TERMINAL:
            raise Conflict(
                f"The job has already ended ({job.status}); there is nothing to cancel.",
                details={"status": job.status},
            )
        settle_locked(job, JobStatus.CANCELLED, message="Cancelled at the owner's request.")
        if job.provider_task_id:
            job_id = job.pk
            transaction.on_commit(lambda: enqueue("jobs.provider_cancel", job_id))
    return job


def job_review_decide(*, job_id: int, approve: bool, reason: str = "") -> Job | None:
    """A moderator's decision on a job waiting in review: approval queues it (its credits
    stay held), rejection ends it as rejected with its credits released."""
    with transaction.atomic():
        job = lock_job(job_id)
        if job.status != JobStatus.REVIEW:
            return None
        if not approve:
            return settle_locked(
                job,
                JobStatus.REJECTED,
                code=ErrorCode.CONTENT_POLICY,
                message=reason or "Rejected by moderation.",
            )
        # The time in review is not the job's: its whole budget starts again from now.
        deadline = job.deadline_at and timezone.now() + (job.deadline_at - job.created_at)
        move_locked(
            job,
            JobStatus.QUEUED,
            reason or "Approved by moderation.",
            stage="Queued",
            deadline_at=deadline,
        )
        job_id, provider = job.pk, job.provider
        transaction.on_commit(lambda: enqueue("jobs.start", job_id, provider=provider))
        return job


def job_progress(*, job_id: int, progress: int, stage: str = "") -> bool:
    """Records progress of a running job without locking it (progress only moves up).
    False when the job is no longer running, which is how a worker learns to stop."""
    now = timezone.now()
    changed = Job.objects.filter(
        pk=job_id, status=JobStatus.RUNNING, progress__lte=progress
    ).update(progress=min(progress, 99), stage=stage[:120], heartbeat_at=now, updated_at=now)
    if changed:
        return True
    return Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).exists()
