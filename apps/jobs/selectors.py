import datetime as dt
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import Workspace
from apps.core.compiled import CompiledRead
from apps.core.errors import NotFound
from apps.gallery.models import Asset
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


# job_get: every column of the job and of its result asset, one row, compiled once.
_JOB_COLUMNS = tuple(f.attname for f in Job._meta.concrete_fields)
_ASSET_COLUMNS = tuple(f.attname for f in Asset._meta.concrete_fields)
_job_row = CompiledRead(
    lambda workspace_id, public_id: Job.objects.filter(
        workspace_id=workspace_id, public_id=public_id
    ).values(*_JOB_COLUMNS, *("result_asset__" + name for name in _ASSET_COLUMNS)),
    workspace_id=-9_007_199,
    public_id="job_compiled-probe",
)
_ASSET_PK = len(_JOB_COLUMNS) + _ASSET_COLUMNS.index(Asset._meta.pk.attname)


def job_get(*, workspace: Workspace | None, public_id: str) -> Job:
    """The workspace's job with its result asset loaded (as select_related would), or
    NotFound, the same for another workspace's job as for a missing one. What every
    status read of the compat fronts runs: its SQL is compiled once."""
    row = None
    if workspace is not None:
        row = _job_row.run(workspace_id=workspace.pk, public_id=public_id)
    if row is None:
        raise NotFound("No such job.")
    values = list(row.values())
    split = len(_JOB_COLUMNS)
    job = Job.from_db(DEFAULT_DB_ALIAS, _JOB_COLUMNS, values[:split])
    asset = None
    if values[_ASSET_PK] is not None:  # a LEFT JOIN: no asset, no id
        asset = Asset.from_db(DEFAULT_DB_ALIAS, _ASSET_COLUMNS, values[split:])
    Job.result_asset.field.set_cached_value(job, asset)
    return job


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
    ).values("id", *DETAIL_JOB_FIELDS, *(RESULT_PREFIX + name for name in DETAIL_ASSET_FIELDS)),
    workspace_id=-9_007_199,
    public_id="job_compiled-probe",
)


def job_detail_values(*, workspace: Workspace | None, public_id: str) -> dict[str, Any]:
    """The workspace's job as one row of its id, DETAIL_JOB_FIELDS and its result asset's
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
