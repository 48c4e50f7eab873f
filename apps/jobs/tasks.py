"""Celery tasks take ids, reload rows and call one pipeline or sweep function; each is safe
to run twice (Celery delivers at least once). Their names are what queued messages and the
beat schedule refer to: never rename them.

The job tasks keep no result (`ignore_result`): a job's outcome is its row, and nothing
reads their return value. Sending one is then a single LPUSH to the broker, with no
SUBSCRIBE/UNSUBSCRIBE on the result backend around it (the submit path pays for that
on every request), and the worker writes no result when the task ends."""

from celery import shared_task

from apps.jobs import pipeline
from apps.jobs.export import export_build
from apps.jobs.retention import retention_apply
from apps.jobs.sweep import jobs_sweep


@shared_task(name="jobs.start", ignore_result=True)
def start(job_id: int) -> None:
    pipeline.job_start(job_id=job_id)


@shared_task(name="jobs.poll", ignore_result=True)
def poll(job_id: int, scheduled: bool = True) -> None:
    pipeline.job_poll(job_id=job_id, scheduled=scheduled)


@shared_task(name="jobs.provider_cancel", acks_late=False, ignore_result=True)
def provider_cancel(job_id: int) -> None:
    pipeline.job_provider_cancel(job_id=job_id)


@shared_task(name="jobs.sweep", acks_late=False)
def sweep() -> dict[str, int]:
    return jobs_sweep()


@shared_task(name="jobs.apply_retention", acks_late=False)
def apply_retention() -> dict[str, int]:
    """Beat runs this hourly: every kind of retention, counts per kind in the log."""
    return retention_apply()


@shared_task(name="jobs.build_workspace_export", ignore_result=True)
def build_workspace_export(export_id: int) -> None:
    export_build(export_id=export_id)
