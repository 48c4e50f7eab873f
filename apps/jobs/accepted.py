"""An accepted job's rows: the job and its first event, written in one statement on
PostgreSQL (a data-modifying WITH: the event takes the job's new id from it), so a
submit pays one round trip and no ORM query building for both. On SQLite, two saves."""

from django.db import connection

from apps.core.compiled import InsertColumns, inserted
from apps.jobs.models import Job, JobEvent

_JOB = InsertColumns(Job)
_EVENT = InsertColumns(JobEvent, supplied=("job_id",))
# Built from the models' own table and column names; the values are parameters.
_INSERT = f"""
WITH job AS (INSERT INTO {_JOB.table} ({_JOB.columns}) VALUES ({_JOB.placeholders}) RETURNING id),
event AS (
  INSERT INTO {_EVENT.table} ("job_id", {_EVENT.columns})
  SELECT job.id, {_EVENT.placeholders} FROM job RETURNING id
)
SELECT job.id, event.id FROM job CROSS JOIN event
"""  # noqa: S608


def job_accepted_insert(*, job: Job, event: JobEvent) -> None:
    """Saves the new `job` and `event` (its first event; `event.job` is set to `job`)."""
    if connection.vendor != "postgresql":
        job.save(force_insert=True)
        event.job = job
        event.save(force_insert=True)
        return
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, _JOB.values(job) + _EVENT.values(event))
        job_id, event_id = cursor.fetchone()
    inserted(job, job_id)
    event.job = job
    inserted(event, event_id)
