"""Receivers for signals from apps below jobs (connected in JobsConfig.ready)."""

from typing import Any

from apps.jobs.enqueue import enqueue
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_review_decide
from apps.providers.common import task_id_q


def on_case_decided(
    sender: Any, subject_type: str, subject_id: str, approved: bool, reason: str = "", **kwargs: Any
) -> None:
    """A moderator decided a job's case: a job waiting in review starts or is rejected.
    Any other job (already failed, or rejected before an appeal) is left as it is."""
    if subject_type != "job":
        return
    job_id = Job.objects.filter(public_id=subject_id).values_list("pk", flat=True).first()
    if job_id is not None:
        job_review_decide(job_id=job_id, approve=approved, reason=reason)


def on_provider_task_updated(
    sender: Any, provider: str, task_id: str, job_id: str | None = None, **kwargs: Any
) -> None:
    """A provider's verified webhook: poll that task now instead of at the next tick."""
    jobs = Job.objects.filter(task_id_q(task_id), provider=provider, status=JobStatus.RUNNING)
    if job_id:
        jobs = jobs.filter(public_id=job_id)
    for pk in jobs.values_list("pk", flat=True)[:5]:
        enqueue("jobs.poll", pk, scheduled=False)
