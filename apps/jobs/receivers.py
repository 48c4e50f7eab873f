"""Receivers for signals from apps below jobs (connected in JobsConfig.ready)."""

from typing import Any

from apps.jobs.models import Job
from apps.jobs.services import job_review_decide


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
