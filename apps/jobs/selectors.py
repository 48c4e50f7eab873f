import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import Workspace
from apps.core.errors import NotFound
from apps.jobs.models import Job, JobStatus


def jobs_list(
    *, workspace: Workspace, status: str | None = None, method: str | None = None
) -> QuerySet[Job]:
    jobs = Job.objects.filter(workspace=workspace).select_related("result_asset")
    if status:
        jobs = jobs.filter(status=status)
    if method:
        jobs = jobs.filter(method=method)
    return jobs


def job_get(*, workspace: Workspace, public_id: str) -> Job:
    try:
        return jobs_list(workspace=workspace).get(public_id=public_id)
    except Job.DoesNotExist:
        raise NotFound("No such job.") from None


def job_status(*, workspace: Workspace, job_id: int) -> str | None:
    """Just the status column, by primary key: what a waiting request polls."""
    return (
        Job.objects.filter(workspace=workspace, pk=job_id).values_list("status", flat=True).first()
    )


# Jobs the sweep settles once they pass their deadline (apps/jobs/sweep.py).
SWEPT_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DELIVERING)


def jobs_stuck(*, now: dt.datetime | None = None) -> QuerySet[Job]:
    """Every workspace's jobs still live past their deadline, oldest deadline first: for
    staff (the Operations page, metrics), never for a tenant. Uses the deadline index."""
    now = now or timezone.now()
    return (
        Job.objects.filter(status__in=SWEPT_STATUSES, deadline_at__lt=now)
        .select_related("workspace")
        .order_by("deadline_at")
    )
