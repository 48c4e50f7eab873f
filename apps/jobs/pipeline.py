"""What the start and poll tasks do: run a job inline or submit it to its provider, poll it,
fetch the result and hand it to delivery. Every step reloads the job and acts through a
compare-and-set transition, so running any of them twice changes nothing the second time."""

import logging
import random
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from apps import media
from apps.catalog.health import provider_call_record, provider_degraded
from apps.core import metrics
from apps.core.errors import ApplicationError, ErrorCode
from apps.core.http import fetch_to_file
from apps.gallery.objects import media_error
from apps.jobs.continuation import PARAM
from apps.jobs.delivery import job_deliver
from apps.jobs.enqueue import enqueue
from apps.jobs.failover import DEGRADED, error_falls_back, falls_back, job_fallback
from apps.jobs.models import Job, JobStatus
from apps.jobs.runfiles import job_output_joined, job_spec
from apps.jobs.services import job_fail, job_progress, job_transition
from apps.providers.base import PollState, ProviderError
from apps.providers.registry import provider_get

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # provider submissions per job, retryable failures included
PROGRESS_EVERY_S = 0.5


def _backoff(attempt: int, base: float = 5.0, cap: float = 120.0) -> float:
    """Exponential backoff with full jitter (seconds)."""
    return random.uniform(0, min(cap, base * 2**attempt))


# --- start -------------------------------------------------------------------------------


def job_start(*, job_id: int) -> None:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status != JobStatus.QUEUED:
        return
    try:
        provider = provider_get(name=job.provider)
    except ApplicationError as exc:
        job_fail(job_id=job_id, code=exc.code, message=exc.message)
        return
    now = timezone.now()
    job = job_transition(
        job_id=job_id,
        from_={JobStatus.QUEUED},
        to=JobStatus.RUNNING,
        message="Started",
        stage="Starting",
        started_at=job.started_at or now,
        heartbeat_at=now,
        attempts=job.attempts + 1,
    )
    if job is None:
        return
    if (
        not provider.inline
        and job.fallbacks
        and provider_degraded(provider=job.provider)
        and job_fallback(
            job_id=job_id,
            task_id="",
            code=DEGRADED,
            message=f"{job.provider} is degraded; skipped without a call.",
        )
    ):
        return
    if provider.inline:
        _run_inline(job, provider)
    else:
        _submit_remote(job, provider)


def _run_inline(job: Job, provider: object) -> None:
    """Runs a local-engine job inside this worker, with progress and cancellation."""
    workdir = Path(tempfile.mkdtemp(prefix=f"{job.public_id}-"))
    state = {"alive": True, "checked": 0.0, "reported": 0.0}
    deadline = job.deadline_at

    def on_progress(pct: int, stage: str) -> None:
        now = time.monotonic()
        if now - state["reported"] >= PROGRESS_EVERY_S or pct >= 100:
            state["reported"] = now
            state["alive"] = job_progress(job_id=job.pk, progress=pct, stage=stage)

    def should_cancel() -> bool:
        now = time.monotonic()
        if now - state["checked"] >= PROGRESS_EVERY_S:
            state["checked"] = now
            state["alive"] = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).exists()
        past_deadline = deadline is not None and timezone.now() > deadline
        return not state["alive"] or past_deadline

    try:
        spec = job_spec(job, workdir=workdir)
        output = provider.run(  # type: ignore[attr-defined]
            spec, workdir=workdir, on_progress=on_progress, should_cancel=should_cancel
        )
        job_deliver(job_id=job.pk, path=job_output_joined(job, output, workdir))
    except media.Cancelled:
        if deadline is not None and timezone.now() > deadline:
            job_fail(
                job_id=job.pk,
                code=ErrorCode.PROCESSING_TIMEOUT,
                message="The job ran past its deadline.",
                retryable=True,
            )
        # Otherwise it was cancelled: the cancel already settled it.
    except media.MediaError as exc:
        error = media_error(exc)
        job_fail(job_id=job.pk, code=error.code, message=error.message)
    except ProviderError as exc:
        job_fail(job_id=job.pk, code=exc.code, message=exc.message, retryable=exc.retryable)
    except ApplicationError as exc:
        job_fail(job_id=job.pk, code=exc.code, message=exc.message, retryable=exc.retryable)
    except Exception:
        logger.exception("local job %s crashed", job.public_id)
        job_fail(
            job_id=job.pk,
            code=ErrorCode.DELIVERY_FAILED,
            message="The local engine failed unexpectedly.",
            retryable=True,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- remote providers --------------------------------------------------------------------


def _call_failed(exc: ProviderError) -> bool:
    """Whether a failed call counts against the provider's health: it is in trouble (5xx,
    429, timeout), not refusing what we asked."""
    return exc.retryable or exc.ambiguous


def _submit_remote(job: Job, provider: object) -> None:
    try:
        spec = job_spec(job, workdir=None)
    except ApplicationError as exc:
        job_fail(job_id=job.pk, code=exc.code, message=exc.message)
        return
    started = time.monotonic()
    try:
        task_id = provider.submit(spec)  # type: ignore[attr-defined]
    except ProviderError as exc:
        provider_call_record(
            provider=job.provider,
            ok=not _call_failed(exc),
            latency_s=time.monotonic() - started,
            call="submit",
            code=exc.code,
        )
        if error_falls_back(exc) and job_fallback(
            job_id=job.pk, task_id="", code=exc.code, message=exc.message
        ):
            return
        if exc.retryable and not exc.ambiguous and job.attempts < MAX_ATTEMPTS:
            _retry(job, exc.message)
        else:
            job_fail(job_id=job.pk, code=exc.code, message=exc.message, retryable=exc.retryable)
        return
    except ApplicationError as exc:
        job_fail(job_id=job.pk, code=exc.code, message=exc.message)
        return
    provider_call_record(
        provider=job.provider, ok=True, latency_s=time.monotonic() - started, call="submit"
    )
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        provider_task_id=task_id, stage="Submitted", updated_at=timezone.now()
    )
    if not updated:  # cancelled while we were submitting: tell the provider too
        provider_cancel(job.provider, task_id)
        return
    _schedule_poll(job.pk, settings.JOBS_POLL_INTERVAL_S)


def _retry(job: Job, reason: str) -> None:
    """Back to the queue for another submission after a backoff."""
    moved = job_transition(
        job_id=job.pk,
        from_={JobStatus.RUNNING},
        to=JobStatus.QUEUED,
        message=f"Retrying after: {reason}",
        stage=f"Retrying (attempt {job.attempts + 1} of {MAX_ATTEMPTS})",
        provider_task_id="",
    )
    if moved:
        enqueue("jobs.start", job.pk, countdown=_backoff(job.attempts), provider=job.provider)


def _poll_key(job_id: int) -> str:
    return f"jobs:poll-scheduled:{job_id}"


def _schedule_poll(job_id: int, countdown: float) -> None:
    """One scheduled poll per job: a poll that a provider's webhook triggered early does
    not start a second chain (the key lives until the scheduled poll runs)."""
    if cache.add(_poll_key(job_id), 1, timeout=countdown + 60):
        enqueue("jobs.poll", job_id, countdown=countdown)


def job_poll(*, job_id: int, scheduled: bool = True) -> None:
    """One poll of a remote job. `scheduled` is False for a poll a webhook asked for,
    which leaves the scheduled chain's marker alone."""
    if scheduled:
        cache.delete(_poll_key(job_id))
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status != JobStatus.RUNNING or not job.provider_task_id:
        return
    provider = provider_get(name=job.provider)
    Job.objects.filter(pk=job_id).update(polls=F("polls") + 1, heartbeat_at=timezone.now())
    started = time.monotonic()
    try:
        result = provider.poll(job.provider_task_id)  # type: ignore[union-attr]
    except ProviderError as exc:
        provider_call_record(
            provider=job.provider,
            ok=not _call_failed(exc),
            latency_s=time.monotonic() - started,
            call="poll",
            code=exc.code,
        )
        if exc.retryable:
            enqueue("jobs.poll", job_id, countdown=_backoff(min(job.polls, 4), base=2.0))
        else:
            job_fail(job_id=job_id, code=exc.code, message=exc.message)
        return
    provider_call_record(
        provider=job.provider, ok=True, latency_s=time.monotonic() - started, call="poll"
    )
    if result.state == PollState.RUNNING:
        if result.progress is not None:
            job_progress(job_id=job_id, progress=result.progress, stage=result.stage or "Running")
        interval = min(settings.JOBS_POLL_INTERVAL_S * (1 + job.polls // 5), 15.0)
        _schedule_poll(job_id, interval)
    elif result.state == PollState.FAILED:
        # The call worked; the task did not: still an error the provider reported.
        metrics.PROVIDER_ERRORS.labels(job.provider, result.error_code or "UNKNOWN").inc()
        # The task ended without output: another model may be tried (the dead task's id
        # is the compare-and-set's condition, so no second task can be live).
        if falls_back(code=result.error_code, retryable=result.retryable) and job_fallback(
            job_id=job_id,
            task_id=job.provider_task_id,
            code=result.error_code,
            message=result.error_message,
        ):
            return
        if result.retryable and job.attempts < MAX_ATTEMPTS:
            _retry(job, result.error_message)
        else:
            job_fail(
                job_id=job_id,
                code=result.error_code,
                message=result.error_message,
                retryable=result.retryable,
            )
    else:
        _deliver_remote(job, result.output_url or "", headers=result.output_headers)


def _deliver_remote(job: Job, url: str, *, headers: dict[str, str] | None = None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"{job.public_id}-"))
    try:
        path = workdir / "output"
        try:
            fetch_to_file(
                url,
                dest=path,
                max_bytes=settings.JOBS_MAX_OUTPUT_BYTES,
                timeout_s=settings.JOBS_DOWNLOAD_TIMEOUT_S,
                headers=headers,
            )
            joined = job_output_joined(job, path, workdir)
        except ApplicationError as exc:
            # A continuation's join failure names itself; anything else is the fetch.
            message = (
                exc.message
                if job.params.get(PARAM) and path.exists()
                else (f"Could not fetch the provider's result: {exc.message}")
            )
            job_fail(
                job_id=job.pk,
                code=ErrorCode.DELIVERY_FAILED,
                message=message,
                retryable=exc.retryable,
            )
            return
        try:
            job_deliver(job_id=job.pk, path=joined)
        except ApplicationError as exc:
            job_fail(
                job_id=job.pk,
                code=ErrorCode.DELIVERY_FAILED,
                message=f"Could not fetch the provider's result: {exc.message}",
                retryable=exc.retryable,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def provider_cancel(provider_name: str, task_id: str) -> None:
    try:
        provider = provider_get(name=provider_name)
        if not provider.inline:
            provider.cancel(task_id)  # type: ignore[union-attr]
    except (ProviderError, ApplicationError) as exc:
        logger.info("provider cancel of %s failed: %s", task_id, exc)


def job_provider_cancel(*, job_id: int) -> None:
    job = Job.objects.filter(pk=job_id).first()
    if job is not None and job.provider_task_id:
        provider_cancel(job.provider, job.provider_task_id)
