"""A bounded wait for a job to end inside a web request: `Prefer: wait` on the API and the
compat fronts whose vendors answer synchronously when they can (AetherWave).

A wait holds a server thread, so one process grants at most JOBS_PREFER_WAIT_MAX_WAITERS
at once (`wait_slot`); the others answer at once, as if the job were still running."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection

from apps.jobs import selectors
from apps.jobs.models import TERMINAL, Job

WAIT_FIRST_POLL_S = 0.1
WAIT_MAX_POLL_S = 1.0

_waiting = 0
_waiting_lock = threading.Lock()


@contextmanager
def wait_slot() -> Iterator[bool]:
    """One of this process's JOBS_PREFER_WAIT_MAX_WAITERS wait slots, if one is free.
    A wait holds a server thread; the cap keeps threads free for every other request."""
    global _waiting
    with _waiting_lock:
        granted = _waiting < settings.JOBS_PREFER_WAIT_MAX_WAITERS
        _waiting += granted
    try:
        yield granted
    finally:
        with _waiting_lock:
            _waiting -= granted


def job_wait_for_end(job: Job, seconds: float, *, workspace: Any) -> Job:
    """Polls the job's status (one column by primary key, backing off to once a second)
    until it ends or `seconds` pass. The database connection is released while sleeping,
    so waiting requests do not pin PostgreSQL connections."""
    deadline = time.monotonic() + seconds
    pause = WAIT_FIRST_POLL_S
    current = job.status
    while current not in TERMINAL:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        if not connection.in_atomic_block:
            connection.close()
        time.sleep(min(pause, left))
        pause = min(pause * 2, WAIT_MAX_POLL_S)
        current = selectors.job_status(workspace=workspace, job_id=job.pk) or current
    if current != job.status:
        job.refresh_from_db()
    return job
