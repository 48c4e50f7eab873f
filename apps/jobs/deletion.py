"""Deleting a job for good (the openai front's `DELETE /v1/videos/{id}`)."""

from django.db import transaction

from apps.core.errors import ValidationError
from apps.gallery.services import asset_delete
from apps.jobs.models import TERMINAL, Job
from apps.jobs.services import lock_job


def job_delete(*, job: Job) -> None:
    """Deletes an ended job and its result, unless the result was saved to the gallery
    (then it is the gallery's). A job still running is a 400: cancel it first. Its credit
    hold and ledger entries stay (they are the money's history, not the job's)."""
    with transaction.atomic():
        job = lock_job(job.pk)
        if job.status not in TERMINAL:
            raise ValidationError(
                f"{job.public_id} is still {job.status}; only an ended job can be deleted.",
                details={"field": "video_id", "status": job.status},
            )
        result = job.result_asset
        job.delete()
        if result is not None and not result.saved:
            asset_delete(asset=result)
