"""The request id: taken from the client's X-Request-ID when it is safe to log and echo
(at most 128 characters of letters, digits and ._:-), else generated. Kept in a context
variable for the request's lifetime (error envelopes, log lines), and carried into the
Celery tasks the request enqueues in a message header, so a job's transitions in the worker
log the id of the request that submitted it (and the tasks those enqueue carry it on)."""

from __future__ import annotations

import contextvars
import re
import uuid
from typing import Any

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
TASK_HEADER = "reelsmith_request_id"
MAX_LENGTH = 128
_SAFE = re.compile(rf"[A-Za-z0-9._:-]{{1,{MAX_LENGTH}}}")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def request_id_from(value: str | None) -> str:
    """The client's id when it is acceptable, else a new one."""
    if value and _SAFE.fullmatch(value):
        return value
    return uuid.uuid4().hex


def current() -> str | None:
    return _current.get()


def bind(value: str | None) -> contextvars.Token[str | None]:
    return _current.set(value)


def unbind(token: contextvars.Token[str | None]) -> None:
    _current.reset(token)


# --- Celery: the id travels with the tasks a request (or a task) sends --------------------


def _on_publish(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    value = current()
    if value and headers is not None:
        headers[TASK_HEADER] = value


def _on_prerun(task: Any = None, **kwargs: Any) -> None:
    if task is None or task.request.is_eager:
        return  # runs inside the caller: its id stays
    value = getattr(task.request, TASK_HEADER, None)
    if value is None:
        value = (task.request.headers or {}).get(TASK_HEADER)
    # Set per task: a pool process runs many tasks, an id must not leak into the next.
    _current.set(value if isinstance(value, str) and _SAFE.fullmatch(value) else None)


def _on_postrun(task: Any = None, **kwargs: Any) -> None:
    if task is not None and not task.request.is_eager:
        _current.set(None)


def celery_connect() -> None:
    from celery.signals import before_task_publish, task_postrun, task_prerun

    before_task_publish.connect(_on_publish, dispatch_uid="core.request_id.publish")
    task_prerun.connect(_on_prerun, dispatch_uid="core.request_id.prerun")
    task_postrun.connect(_on_postrun, dispatch_uid="core.request_id.postrun")
