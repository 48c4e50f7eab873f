"""Moving a job to its next fallback model (see apps/jobs/fallback.py for how candidates
are chosen at submit).

When: the provider failed with a retryable or unavailable error before any output exists
— a submit refused with 5xx / 429 / connection error, a task the provider reports failed
and retryable, or a provider already degraded (apps/catalog/health.py) before we call it.
Never on CONTENT_POLICY (another model would be asked the same refused thing), never on
an ambiguous submit (a timeout: the provider may have accepted the task, and a second
provider's task would make two live ones), never on a failure to poll (the task may
still be running).

Exactly one provider task is live per job: the switch is a compare-and-set on the locked
job row that requires the job to be running with the task we know ended (or none at all),
clears the task id and sends the job back to the queue on the next model."""

import logging
from typing import Any

from django.db import transaction

from apps.catalog.health import provider_degraded
from apps.core.errors import ErrorCode
from apps.jobs.enqueue import enqueue
from apps.jobs.models import JobStatus
from apps.jobs.services import attempt_entry, lock_job, move_locked
from apps.providers.base import ProviderError

logger = logging.getLogger(__name__)

DEGRADED = "PROVIDER_DEGRADED"  # the attempt's code when a degraded provider is skipped


def falls_back(*, code: str, retryable: bool, ambiguous: bool = False) -> bool:
    """Whether a failure lets the job move on to its next model."""
    if ambiguous or code == ErrorCode.CONTENT_POLICY:
        return False
    return retryable or code in (ErrorCode.MODEL_UNAVAILABLE, DEGRADED)


def error_falls_back(exc: ProviderError) -> bool:
    return falls_back(code=exc.code, retryable=exc.retryable, ambiguous=exc.ambiguous)


def _next(fallbacks: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The first candidate whose provider is not degraded, and those after it."""
    for index, candidate in enumerate(fallbacks):
        if not provider_degraded(provider=candidate["provider"]):
            return candidate, fallbacks[index + 1 :]
    return None, []


def job_fallback(*, job_id: int, task_id: str, code: str, message: str) -> bool:
    """Moves a running job whose current provider task is `task_id` ("" = none was
    created) to its next fallback model and queues it. False (nothing changed) if the job
    moved on meanwhile, has another task, or has no candidate left."""
    with transaction.atomic():
        job = lock_job(job_id)
        if job.status != JobStatus.RUNNING or job.provider_task_id != task_id:
            return False
        candidate, rest = _next(list(job.fallbacks))
        if candidate is None:
            return False
        failed = attempt_entry(job, code=code, message=message)
        move_locked(
            job,
            JobStatus.QUEUED,
            f"Falling back to {candidate['model']} after {job.model} failed: {code}",
            {"from": job.model, "to": candidate["model"], "code": code},
            model=candidate["model"],
            provider=candidate["provider"],
            provider_model=candidate["provider_model"],
            params=candidate["params"],
            sandbox=candidate["sandbox"],
            # The price of the model now trying; delivery captures it (credits).
            credits_estimated=candidate["credits"],
            fallbacks=rest,
            attempt_log=[*job.attempt_log, failed],
            provider_task_id="",
            progress=0,
            stage=f"Falling back to {candidate['model']}",
        )
        logger.info("job %s falls back to %s (%s)", job.public_id, candidate["model"], code)
        provider = candidate["provider"]
        transaction.on_commit(lambda: enqueue("jobs.start", job_id, provider=provider))
        return True
