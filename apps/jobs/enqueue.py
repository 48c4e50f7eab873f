"""Sends the jobs' Celery tasks by their registered names, so that no service imports the tasks."""

from typing import Any

from celery import current_app

# The tasks a job's id is sent to (apps/jobs/tasks.py registers them under these names;
# JobsConfig.ready imports it, so they are registered in every process).
JOB_TASKS = frozenset(
    {"jobs.start", "jobs.poll", "jobs.provider_cancel", "jobs.build_workspace_export"}
)


def enqueue(task_name: str, job_id: int, countdown: float = 0, **kwargs: Any) -> None:
    if task_name not in JOB_TASKS:
        raise KeyError(task_name)
    task = current_app.tasks[task_name]
    task.apply_async(args=[job_id], kwargs=kwargs, countdown=countdown or None)
