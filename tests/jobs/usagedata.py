"""Job rows for usage reports, placed at chosen times (created_at is auto_now_add, so it is
set by an UPDATE after the insert)."""

import datetime as dt

from apps.jobs.models import Job

NOON = dt.time(12, tzinfo=dt.UTC)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, tzinfo=dt.UTC))


def make_job(
    workspace,
    *,
    created: dt.datetime,
    status: str = "completed",
    model: str = "local/text-to-video",
    method: str = "text-to-video",
    provider: str = "local",
    charged: int = 0,
    seconds: float = 0.0,
    took_s: float | None = None,
    api_key=None,
) -> Job:
    job = Job.objects.create(
        workspace=workspace,
        method=method,
        model=model,
        provider=provider,
        status=status,
        credits_estimated=charged,
        credits_charged=charged,
        output_seconds=seconds,
        api_key=api_key,
    )
    completed = created + dt.timedelta(seconds=took_s) if took_s is not None else None
    Job.objects.filter(pk=job.pk).update(created_at=created, completed_at=completed)
    return job
