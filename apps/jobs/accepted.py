"""An accepted job's rows: the job and its first event, written in one statement on
PostgreSQL (a data-modifying WITH: the event takes the job's new id from it), so a
submit pays one round trip and no ORM query building for both. On SQLite, two saves.

And the pipelined acceptance (PostgreSQL): the whole of job_submit's transaction for the
common case (a paid job that starts at once) sent in one round trip with psycopg's
pipeline mode, its answers checked afterwards, in order. The server still runs the
statements one after another, each with its own snapshot, exactly as if they were sent
one by one: the workspace lock, then the active-job count (taken after the lock was
granted, so it sees every job a submit that held the lock before committed), the hold
(the account's UPDATE with the hold's INSERT), the key budget, then the job and its
event. What goes is the waiting between them: five round trips, all spent holding the
workspace lock that serialises a workspace's submits. Any answer other than the plain
yes (a closed workspace, the concurrency limit reached, credits short, a key's first
spend in the month or its budget exceeded) raises StepByStep: the caller's transaction
rolls back whatever ran, and the step-by-step path decides and words the refusal."""

from contextlib import ExitStack
from typing import Any

from django.db import connection

from apps.accounts.budgets import key_budget_take_send
from apps.accounts.models import Workspace
from apps.billing.models import CreditHold
from apps.billing.services import HoldTake
from apps.core.compiled import InsertColumns, bound_cursor, inserted
from apps.jobs.admission import active_jobs_count_send, workspace_lock_closed, workspace_lock_send
from apps.jobs.models import Job, JobEvent

_JOB = InsertColumns(Job)
_EVENT = InsertColumns(JobEvent, supplied=("job_id",))
_EVENT_PART = f"""event AS (
  INSERT INTO {_EVENT.table} ("job_id", {_EVENT.columns})
  SELECT job.id, {_EVENT.placeholders} FROM job RETURNING id
)
SELECT job.id, event.id FROM job CROSS JOIN event"""  # noqa: S608
# Built from the models' own table and column names; the values are parameters.
_INSERT = f"""
WITH job AS (INSERT INTO {_JOB.table} ({_JOB.columns}) VALUES ({_JOB.placeholders}) RETURNING id),
{_EVENT_PART}
"""  # noqa: S608
# The same, for a job whose hold was inserted earlier in the same transaction but whose id
# is not known yet (sent in the same round trip): it is found by its public id.
_JOB_HELD = InsertColumns(Job, supplied=("hold_id",))
_INSERT_HELD = f"""
WITH job AS (
  INSERT INTO {_JOB_HELD.table} ("hold_id", {_JOB_HELD.columns})
  VALUES ((SELECT id FROM "{CreditHold._meta.db_table}" WHERE public_id = %s),
          {_JOB_HELD.placeholders})
  RETURNING id
),
{_EVENT_PART}
"""  # noqa: S608


def job_accepted_insert(*, job: Job, event: JobEvent) -> None:
    """Saves the new `job` and `event` (its first event; `event.job` is set to `job`)."""
    if connection.vendor != "postgresql":
        job.save(force_insert=True)
        event.job = job
        event.save(force_insert=True)
        return
    with bound_cursor() as cursor:
        cursor.execute(_INSERT, _JOB.values(job) + _EVENT.values(event))
        ids = cursor.fetchone()
    _saved(job, event, ids)


class StepByStep(Exception):
    """The pipelined acceptance met an answer only the step-by-step path decides."""


def pipelined_acceptance_available() -> bool:
    return connection.vendor == "postgresql"


def job_accept_pipelined(
    *,
    workspace: Workspace,
    job: Job,
    event: JobEvent,
    credits: int,
    description: str,
    api_key_id: int | None,
) -> None:
    """Accepts `job` (QUEUED, not saved yet) with a hold of `credits` (> 0) and writes
    `event`, in one round trip (see the module's doc). Call inside a transaction that
    StepByStep rolls back; on success `job.hold`, the ids and the held-credits notice are
    set as the step-by-step path sets them."""
    take = HoldTake(
        workspace=workspace,
        credits=credits,
        reference=job.public_id,
        description=description,
        api_key_id=api_key_id,
    )
    limit = workspace.tier.max_concurrent_jobs
    job.credits_held = credits
    with ExitStack() as cursors:
        lock, count, hold, budget, insert = (
            cursors.enter_context(bound_cursor()) for _ in range(5)
        )
        with connection.wrap_database_errors, connection.connection.pipeline():
            workspace_lock_send(lock, workspace=workspace)
            active_jobs_count_send(count, workspace=workspace, limit=limit)
            take.send(hold)
            if api_key_id is not None:
                key_budget_take_send(budget, api_key_id=api_key_id, credits=credits)
            insert.execute(
                _INSERT_HELD,
                [take.hold.public_id, *_JOB_HELD.values(job), *_EVENT.values(event)],
            )
        with connection.wrap_database_errors:
            if (
                workspace_lock_closed(lock)
                or int(count.fetchone()[0]) >= limit
                or not take.read(hold)
                or (api_key_id is not None and budget.rowcount != 1)
            ):
                raise StepByStep
            ids = insert.fetchone()
    take.notify()
    job.hold = take.hold
    _saved(job, event, ids)


def _saved(job: Job, event: JobEvent, ids: Any) -> None:
    job_id, event_id = ids
    inserted(job, job_id)
    event.job = job
    inserted(event, event_id)
