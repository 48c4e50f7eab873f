"""Writes for jobs: submit, cancel, and every status transition.

Each transition locks the job row and acts only if the job is still in a state the
transition starts from (compare-and-set), so a task that runs twice, a cancel racing a
delivery or two overlapping sweeps leave every job in exactly one terminal state, with its
credit hold captured or released exactly once. Locks are always taken job first, then the
workspace, then the credit account."""

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import ApiKey, User, Workspace
from apps.accounts.services import api_key_check_models
from apps.billing.services import credits_hold, credits_release
from apps.catalog.preflight import Preflight, job_preflight
from apps.catalog.registry import Method
from apps.catalog.services import job_quote
from apps.catalog.timing import deadline_seconds
from apps.core.errors import (
    ApplicationError,
    AuthenticationFailed,
    Conflict,
    ErrorCode,
)
from apps.core.refcache import one_read
from apps.jobs.accepted import job_accepted_insert
from apps.jobs.admission import job_can_start_check, workspace_lock_open
from apps.jobs.continuation import PARAM, continuation_fields
from apps.jobs.enqueue import enqueue
from apps.jobs.events import job_event_emit
from apps.jobs.fallback import FIELD as FALLBACK_FIELD
from apps.jobs.fallback import fallbacks_preflight
from apps.jobs.inputs import ORIGINS as INPUT_SUFFIXES
from apps.jobs.inputs import inputs_collect, inputs_discard, inputs_store
from apps.jobs.models import TERMINAL, Job, JobEvent, JobStatus
from apps.jobs.observe import job_transition_observe
from apps.jobs.output import HLS, output_format_split
from apps.moderation.screening import job_screener
from apps.moderation.services import case_open_for_job, case_open_for_provider_block
from apps.providers.sandbox import inapp as provider_sandbox

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


# --- submit ------------------------------------------------------------------------------


def request_fingerprint(*, data: dict[str, Any], files: dict[str, Any]) -> str:
    """What makes two submits "the same request" for Idempotency-Key: the fields and the
    uploaded files' bytes."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode())
    for name in sorted(files):
        digest.update(name.encode())
        for chunk in files[name].chunks():
            digest.update(chunk)
        files[name].seek(0)
    return digest.hexdigest()


def _replay(workspace: Workspace, idempotency_key: str | None, fingerprint: str) -> Job | None:
    if not idempotency_key:
        return None
    job = Job.objects.filter(workspace=workspace, idempotency_key=idempotency_key).first()
    if job is not None and job.request_hash != fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used with a different request.",
            details={"idempotency_key": idempotency_key, "job": job.public_id},
        )
    return job


def _replay_retry(workspace: Workspace, fingerprint: str) -> Job | None:
    """The job an identical request created within the retry window (run under the
    workspace lock, so an attempt still in flight has committed or not started)."""
    since = timezone.now() - dt.timedelta(seconds=settings.JOBS_RETRY_REPLAY_WINDOW_S)
    return (
        Job.objects.filter(workspace=workspace, request_hash=fingerprint, created_at__gte=since)
        .order_by("-created_at")
        .first()
    )


def _deadline(preflight: Preflight, fallbacks: list[dict[str, Any]]) -> dt.datetime:
    # The same expected time the estimate showed, times a margin (see catalog/timing.py);
    # with fallbacks, the slowest candidate's.
    seconds = max([deadline_seconds(preflight)] + [c["deadline_s"] for c in fallbacks])
    return timezone.now() + dt.timedelta(seconds=seconds)


def job_submit(
    *,
    workspace: Workspace,
    user: User | None,
    data: dict[str, Any],
    files: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    client_retry: bool | None = None,
    remixed_from: Job | None = None,
    free_only: bool = False,
    api_key: ApiKey | None = None,
) -> tuple[Job, bool]:
    """Accepts a job: inputs → preflight → screening → price → one transaction creating
    the job with its credit hold under the tier's concurrency limit → on commit, start.

    Returns (job, created). A repeated Idempotency-Key with the same request returns the
    first job and created=False; with a different request, 409 CONFLICT.

    client_retry: for clients that mark their automatic retries (None: this one does
    not). False, a first attempt: its fingerprint is kept. True, a retry: the job an
    identical request of the workspace created in the last JOBS_RETRY_REPLAY_WINDOW_S
    seconds is returned (created=False) instead of a second job and hold; the check runs
    under the workspace lock, so it also sees a first attempt that was still in flight.

    free_only: accept only a combination the catalogue prices as a free perk (401
    otherwise): a visitor's job without an account (apps/jobs/anonymous.py).

    api_key: the key the request came with (None: a session); usage reports group by it.
    Its `allowed_models` must cover the model and every fallback candidate (403), and the
    hold counts against its `monthly_credit_limit`, checked atomically with the hold (402
    KEY_BUDGET_EXCEEDED)."""
    files = files or {}
    # Hashing means reading every upload once more: only done when a key or a retry-aware
    # client asks for it.
    wants_hash = bool(idempotency_key) or client_retry is not None
    fingerprint = request_fingerprint(data=data, files=files) if wants_hash else ""
    existing = _replay(workspace, idempotency_key, fingerprint)
    if existing is not None:
        return existing, False

    # The catalogue's overrides and the moderation terms: one cache read for both.
    with one_read(), inputs_collect(workspace=workspace, data=data, files=files) as found:
        fields = {
            k: v for k, v in data.items() if not k.endswith(INPUT_SUFFIXES) and k != FALLBACK_FIELD
        }
        fields, wants_hls = output_format_split(fields=fields, workspace=workspace)
        fields, probes, continuation = continuation_fields(
            fields, {role: item.as_probe() for role, item in found.items()}
        )
        preflight = job_preflight(fields=fields, inputs=probes)
        prompt = str(data.get("prompt") or "")
        # Raises CONTENT_POLICY to block; "review" holds the job for a moderator.
        verdict = job_screener(prompt=prompt, inputs=found)
        quote = job_quote(preflight=preflight, workspace=workspace)
        paid = quote.credits or not quote.breakdown.get("free_perk") or data.get(FALLBACK_FIELD)
        if free_only and paid:
            raise AuthenticationFailed(
                "Authentication required: send `Authorization: Bearer <key>` or "
                "`X-API-Key: <key>`. Without a key only the free perk runs.",
                details={"free_perk": False},
            )
        fallbacks = fallbacks_preflight(
            value=data.get(FALLBACK_FIELD),
            fields=fields,
            inputs=probes,
            primary=preflight,
            workspace=workspace,
        )
        if api_key is not None:
            api_key_check_models(
                api_key=api_key, models=[preflight.model_id, *(c["model"] for c in fallbacks)]
            )
        # The hold covers whichever candidate delivers: the highest price (credits).
        hold_credits = max([quote.credits] + [c["credits"] for c in fallbacks])
        job = Job(
            workspace=workspace,
            created_by=user,
            api_key=api_key,
            method=Method.EXTEND_VIDEO if continuation else preflight.method,
            model=preflight.model_id,
            provider=preflight.entry.spec.provider,
            provider_model=preflight.entry.spec.provider_model,
            sandbox=provider_sandbox.serves(preflight.entry.spec.provider),
            prompt=prompt,
            params={**preflight.job_fields(), **({PARAM: continuation} if continuation else {})},
            notes=preflight.notes,
            status=JobStatus.REVIEW if verdict == "review" else JobStatus.QUEUED,
            stage="Waiting for review" if verdict == "review" else "Queued",
            credits_estimated=quote.credits,
            idempotency_key=idempotency_key or None,
            request_hash=fingerprint,
            deadline_at=_deadline(preflight, fallbacks),
            fallback_models=[c["model"] for c in fallbacks],
            fallbacks=fallbacks,
            # Checked for syntax (a public http(s) URL) by inputs_collect, like every *_url.
            webhook_url=str(data.get("webhook_url") or ""),
            remixed_from=remixed_from,
        )
        if wants_hls:
            job.params = {**job.params, "output_format": HLS}
        job.inputs, created_assets = inputs_store(
            workspace=workspace, user=user, found=found, job_id=job.public_id
        )
    try:
        with transaction.atomic():
            workspace_lock_open(workspace=workspace)
            retried = _replay_retry(workspace, fingerprint) if client_retry else None
            if retried is not None:
                inputs_discard(created_assets)
                return retried, False
            job_can_start_check(workspace=workspace, credits=hold_credits)
            if hold_credits:
                job.hold = credits_hold(
                    workspace=workspace,
                    credits=hold_credits,
                    reference=job.public_id,
                    description=f"{preflight.model_id} ({preflight.method})",
                    api_key_id=api_key.pk if api_key is not None else None,
                    # A refusal ends this whole transaction anyway.
                    savepoint=False,
                )
                job.credits_held = hold_credits
            accepted = JobEvent(
                to_status=job.status,
                message="Accepted",
                data={
                    "credits": quote.credits,
                    "held": hold_credits,
                    "fallback_models": job.fallback_models,
                    "switched_from": preflight.switched_from,
                    "auto_selected": preflight.auto_selected,
                },
            )
            job_accepted_insert(job=job, event=accepted)
            if job.status == JobStatus.REVIEW:
                case_open_for_job(
                    workspace=workspace, job_public_id=job.public_id, prompt=prompt, verdict=verdict
                )
            job_transition_observe(job=job, from_status="", to_status=job.status)
            if job.status == JobStatus.REVIEW:
                job_event_emit(job=job)
            if job.status == JobStatus.QUEUED:
                job_id, provider = job.pk, job.provider
                transaction.on_commit(lambda: enqueue("jobs.start", job_id, provider=provider))
    except IntegrityError:
        inputs_discard(created_assets)
        # Two submits with one Idempotency-Key raced; the other one won.
        winner = _replay(workspace, idempotency_key, fingerprint)
        if winner is None:
            raise
        return winner, False
    except ApplicationError:
        inputs_discard(created_assets)
        raise
    if preflight.switched_from:
        job.switched_from = preflight.switched_from  # type: ignore[attr-defined]
    return job, True
