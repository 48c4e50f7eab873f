import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import Workspace
from apps.core.compiled import CompiledRead
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


# What a job's status read shows (apps/jobs/api/detail.py): the job's columns and its
# result asset's, in one row.
RESULT_PREFIX = "result_asset__"
DETAIL_JOB_FIELDS = (
    "public_id",
    "status",
    "progress",
    "stage",
    "method",
    "model",
    "sandbox",
    "prompt",
    "params",
    "inputs",
    "notes",
    "created_at",
    "started_at",
    "completed_at",
    "error_code",
    "error_message",
    "error_retryable",
    "credits_estimated",
    "credits_held",
    "credits_charged",
    "fallback_models",
    "attempt_log",
)
DETAIL_ASSET_FIELDS = (
    "id",
    "public_id",
    "storage_key",
    "thumbnail_key",
    "hls_key",
    "original_name",
    "content_type",
    "container",
    "size_bytes",
    "duration",
    "width",
    "height",
)
_job_detail = CompiledRead(
    lambda workspace_id, public_id: Job.objects.filter(
        workspace_id=workspace_id, public_id=public_id
    ).values(*DETAIL_JOB_FIELDS, *(RESULT_PREFIX + name for name in DETAIL_ASSET_FIELDS)),
    workspace_id=-9_007_199,
    public_id="job_compiled-probe",
)


def job_detail_values(*, workspace: Workspace | None, public_id: str) -> dict[str, Any]:
    """The workspace's job as one row of DETAIL_JOB_FIELDS and its result asset's
    DETAIL_ASSET_FIELDS (prefixed RESULT_PREFIX, None without one): one query, its SQL
    compiled once (apps/core/compiled.py). Another workspace's job is the same NotFound
    as a missing one. Read from the database on every call, so it is never behind a
    committed transition."""
    row = None
    if workspace is not None:
        row = _job_detail.run(workspace_id=workspace.pk, public_id=public_id)
    if row is None:
        raise NotFound("No such job.")
    return row


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
