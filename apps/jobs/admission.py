"""The checks of job_submit's transaction that decide whether a workspace may start one
more job: it is open, under its tier's concurrency limit, and not in debt.

Every accepted job pays for these, so they are plain SQL (two statements): the ORM's
query building costs more than the queries themselves here. Callers run them in this
order inside their transaction; the workspace row lock is what makes the count exact
(two submits of one workspace are serialised on it, and the count is a statement of its
own, so its snapshot is taken after the lock was granted and sees the other's job)."""

import datetime as dt
from typing import Any

from django.db import connection

from apps.accounts.models import Workspace
from apps.billing.errors import InsufficientCredits
from apps.billing.selectors import credit_account_get
from apps.core.compiled import bound_cursor
from apps.core.errors import PermissionDenied, RateLimitExceeded
from apps.jobs.models import ACTIVE, Job

_LOCK = "SELECT closed_at FROM {table} WHERE id = %s"
# Counts no further than the limit: whether the workspace is at it is all admission needs.
# The statuses are written into the SQL, not sent as parameters, so that PostgreSQL can
# match the statement to the partial index of jobs in flight (job_active_idx, whose
# condition is the same list) in the plan it prepares once for every workspace: the count
# reads the workspace's jobs in flight and nothing else.
_ACTIVE = sorted(ACTIVE)
if not all(status.isidentifier() for status in _ACTIVE):  # plain words: safe as literals
    raise ValueError(f"A job status that is not a plain word: {_ACTIVE}")
_COUNT = (
    f"SELECT COUNT(*) FROM (SELECT 1 FROM {Job._meta.db_table} WHERE workspace_id = %s"  # noqa: S608
    f" AND status IN ({', '.join(repr(str(status)) for status in _ACTIVE)}) LIMIT %s) AS active"
)


def workspace_lock_open(*, workspace: Workspace) -> None:
    """Locks the workspace row (select_for_update) and refuses a closed workspace. The
    lock also orders this submit against a closure: one that committed first is seen
    here; one that commits after finds this job in flight and cancels it."""
    with bound_cursor() as cursor:
        workspace_lock_send(cursor, workspace=workspace)
        closed = workspace_lock_closed(cursor)
    if closed:
        closed_at = Workspace.objects.values_list("closed_at", flat=True).get(pk=workspace.pk)
        assert isinstance(closed_at, dt.datetime)
        raise PermissionDenied(
            "This workspace is closed; it accepts no new jobs.",
            details={"workspace_closed": True, "closed_at": closed_at.isoformat()},
        )


def workspace_lock_send(cursor: Any, *, workspace: Workspace) -> None:
    """workspace_lock_open's statement, on `cursor` (a caller may send it among others in
    one round trip); workspace_lock_closed reads its answer."""
    sql = _LOCK.format(table=Workspace._meta.db_table)
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    cursor.execute(sql, [workspace.pk])


def workspace_lock_closed(cursor: Any) -> bool:
    row = cursor.fetchone()
    return row is not None and row[0] is not None


def active_jobs_count(*, workspace: Workspace, limit: int) -> int:
    """The workspace's jobs in flight, counted up to `limit` (the answer is at most it)."""
    with bound_cursor() as cursor:
        active_jobs_count_send(cursor, workspace=workspace, limit=limit)
        return int(cursor.fetchone()[0])


def active_jobs_count_send(cursor: Any, *, workspace: Workspace, limit: int) -> None:
    """active_jobs_count's statement, on `cursor`; its one row holds the count. Sent after
    the lock's in the same round trip it is still a statement of its own, run after the
    lock was granted, so it sees every job a submit that held the lock before committed."""
    cursor.execute(_COUNT, [workspace.pk, limit])


def job_can_start_check(*, workspace: Workspace, credits: int) -> None:
    """Concurrency and debt, under the workspace lock (callers hold it)."""
    limit = workspace.tier.max_concurrent_jobs
    active = active_jobs_count(workspace=workspace, limit=limit)
    if active >= limit:
        # A fixed, short Retry-After: jobs end at any moment (a cancel frees a slot at
        # once), so an estimate from the running jobs would mostly be wrong, and polling a
        # cheap refusal every 10 s is harmless.
        retry_after_s = 10
        raise RateLimitExceeded(
            f"The {workspace.tier.display_name} tier runs at most {limit} jobs at once, "
            "and that many are still in progress. Wait for one to finish or cancel one.",
            details={
                "max_concurrent_jobs": limit,
                "active_jobs": active,  # counted up to the limit
                "retry_after_s": retry_after_s,
            },
            headers={"Retry-After": str(retry_after_s)},
        )
    if credits == 0:
        account = credit_account_get(workspace=workspace)
        if account.in_debt or account.balance < 0:
            raise InsufficientCredits(required=0, available=0, debt=account.debt)
