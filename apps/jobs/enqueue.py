"""Sends the jobs' Celery tasks by their registered names, so that no service imports the tasks."""

from typing import Any

from celery import current_app
from django.conf import settings

from apps.core.broker import task_send
from apps.core.errors import ApplicationError
from apps.jobs.models import Job
from apps.providers.registry import provider_get

# The tasks a job's id is sent to (apps/jobs/tasks.py registers them under these names;
# JobsConfig.ready imports it, so they are registered in every process).
JOB_TASKS = frozenset(
    {"jobs.start", "jobs.poll", "jobs.provider_cancel", "jobs.build_workspace_export"}
)


def job_queue(*, provider: str) -> str:
    """The queue of a job's start: the local one when its provider renders inside the
    worker (CPU-bound), else the provider one (a submit call, then polls). An unknown
    provider goes to the provider queue, where the start fails it."""
    try:
        inline = provider_get(name=provider).inline
    except ApplicationError:
        inline = False
    return settings.JOBS_LOCAL_QUEUE if inline else settings.JOBS_PROVIDER_QUEUE


def enqueue(
    task_name: str, job_id: int, countdown: float = 0, *, provider: str = "", **kwargs: Any
) -> None:
    """`provider` (the job's) picks the start's queue; without it the job row says."""
    if task_name not in JOB_TASKS:
        raise KeyError(task_name)
    options: dict[str, Any] = {}
    if task_name == "jobs.start":
        if not provider:
            provider = Job.objects.filter(pk=job_id).values_list("provider", flat=True).first()
        options["queue"] = job_queue(provider=provider or "")
    task = current_app.tasks[task_name]
    if countdown or "queue" not in options:
        task.apply_async(args=[job_id], kwargs=kwargs, countdown=countdown or None, **options)
    else:  # a job's start, sent as a request accepts it: the hot path (apps/core/broker.py)
        task_send(task, args=[job_id], kwargs=kwargs, queue=options["queue"])
