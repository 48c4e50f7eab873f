"""What a job's acceptance and each status transition tell operators: a log line (JSON with
LOG_FORMAT=json: job, workspace, from -> to, the request id when the change came from a
request or a task it sent) and the job metrics (apps/core/metrics.py). Both happen when
the transition's transaction commits: a transition that rolls back never happened."""

import logging

from apps.core import metrics, requestid
from apps.jobs.models import Job, JobStatus

logger = logging.getLogger("reelsmith.jobs")


def job_transition_observe(*, job: Job, from_status: str, to_status: str) -> None:
    """Call inside the transition's transaction, after the job row is saved."""
    fields = {
        "event": "job.transition",
        "job_id": job.public_id,
        "workspace_id": job.workspace.public_id,
        "from_status": from_status or None,
        "to_status": to_status,
        "provider": job.provider,
        "model": job.model,
        "error_code": job.error_code or None,
        "request_id": requestid.current(),
    }
    turnaround_s = None
    if job.completed_at is not None and job.created_at is not None:
        turnaround_s = max(0.0, (job.completed_at - job.created_at).total_seconds())
    provider, model, code = job.provider, job.model, job.error_code or "UNKNOWN"

    def record() -> None:
        logger.info(
            "job %s %s -> %s", fields["job_id"], from_status or "-", to_status, extra=fields
        )
        if not from_status:
            metrics.JOBS_SUBMITTED.labels(provider, model).inc()
        if to_status == JobStatus.COMPLETED:
            metrics.JOBS_COMPLETED.labels(provider, model).inc()
        elif to_status == JobStatus.FAILED:
            metrics.JOBS_FAILED.labels(provider, model, code).inc()
        elif to_status == JobStatus.CANCELLED:
            metrics.JOBS_CANCELLED.labels(provider, model).inc()
        elif to_status == JobStatus.REJECTED:
            metrics.JOBS_REJECTED.labels(provider, model).inc()
        if turnaround_s is not None and to_status in (
            JobStatus.COMPLETED,
            JobStatus.FAILED,
            JobStatus.CANCELLED,
            JobStatus.REJECTED,
        ):
            metrics.JOB_TURNAROUND.labels(provider, model, to_status).observe(turnaround_s)

    metrics.after_commit(record)
