"""Accepting a job (job_submit): inputs, preflight, screening and price, then one
transaction that admits it under the workspace's concurrency limit, holds its credits and
writes it with its first event (apps/jobs/accepted.py sends the common case in one round
trip), and on commit starts it."""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import ApiKey, User, Workspace
from apps.accounts.services import api_key_check_models
from apps.billing.services import credits_hold
from apps.catalog.preflight import Preflight, job_preflight
from apps.catalog.registry import Method
from apps.catalog.services import job_quote
from apps.catalog.timing import deadline_seconds
from apps.core.errors import ApplicationError, AuthenticationFailed, Conflict
from apps.core.refcache import one_read
from apps.jobs.accepted import (
    StepByStep,
    job_accept_pipelined,
    job_accepted_insert,
    pipelined_acceptance_available,
)
from apps.jobs.admission import job_can_start_check, workspace_lock_open
from apps.jobs.continuation import PARAM, continuation_fields
from apps.jobs.enqueue import enqueue
from apps.jobs.events import job_event_emit
from apps.jobs.fallback import FIELD as FALLBACK_FIELD
from apps.jobs.fallback import fallbacks_preflight
from apps.jobs.inputs import ORIGINS as INPUT_SUFFIXES
from apps.jobs.inputs import inputs_collect, inputs_discard, inputs_store
from apps.jobs.models import Job, JobEvent, JobStatus
from apps.jobs.observe import job_transition_observe
from apps.jobs.output import HLS, output_format_split
from apps.moderation.screening import job_screener
from apps.moderation.services import case_open_for_job
from apps.providers.sandbox import inapp as provider_sandbox


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


def _accept_pipelined(job: Job, accept: Callable[[], None]) -> bool:
    """`accept` (job_accept_pipelined with its arguments) in its own transaction: True when
    it accepted `job`, False when it rolled back for the step-by-step path."""
    try:
        with transaction.atomic():
            accept()
            _accepted_observe(job)
    except StepByStep:
        return False
    return True


def _accepted_observe(job: Job) -> None:
    """Inside the accepting transaction: the log line and metrics, the review event, and
    the start once it commits."""
    job_transition_observe(job=job, from_status="", to_status=job.status)
    if job.status == JobStatus.REVIEW:
        job_event_emit(job=job)
    if job.status == JobStatus.QUEUED:
        job_id, provider = job.pk, job.provider
        transaction.on_commit(lambda: enqueue("jobs.start", job_id, provider=provider))


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
    copy_versions: Mapping[str, str] | None = None,
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
    KEY_BUDGET_EXCEEDED).

    copy_versions: the process copies' versions, read with the key in the request's
    authentication (apps/core/refcache.prefetched); None: read here."""
    files = files or {}
    # Hashing means reading every upload once more: only done when a key or a retry-aware
    # client asks for it.
    wants_hash = bool(idempotency_key) or client_retry is not None
    fingerprint = request_fingerprint(data=data, files=files) if wants_hash else ""
    existing = _replay(workspace, idempotency_key, fingerprint)
    if existing is not None:
        return existing, False

    # The catalogue's overrides and the moderation terms: one cache read for both (none
    # when the key lookup read their versions along).
    with (
        one_read(copy_versions),
        inputs_collect(workspace=workspace, data=data, files=files) as found,
    ):
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
    description = f"{preflight.model_id} ({preflight.method})"
    api_key_id = api_key.pk if api_key is not None else None
    try:
        # The common case in one round trip (apps/jobs/accepted.py); the rest, and
        # every refusal, step by step.
        pipelined = (
            hold_credits
            and not client_retry
            and job.status == JobStatus.QUEUED
            and pipelined_acceptance_available()
            and _accept_pipelined(
                job,
                partial(
                    job_accept_pipelined,
                    workspace=workspace,
                    job=job,
                    event=accepted,
                    credits=hold_credits,
                    description=description,
                    api_key_id=api_key_id,
                ),
            )
        )
        if not pipelined:
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
                        description=description,
                        api_key_id=api_key_id,
                        # A refusal ends this whole transaction anyway.
                        savepoint=False,
                    )
                    job.credits_held = hold_credits
                job_accepted_insert(job=job, event=accepted)
                if job.status == JobStatus.REVIEW:
                    case_open_for_job(
                        workspace=workspace,
                        job_public_id=job.public_id,
                        prompt=prompt,
                        verdict=verdict,
                    )
                _accepted_observe(job)
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
