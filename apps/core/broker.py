"""The Celery broker transport for Redis: kombu's own, with one change, and a direct send
for the web's hottest publish.

kombu's Redis channel builds a new `redis.Redis` client (and its table of 170 response
callbacks) for every message it publishes; this channel builds one and keeps it, on the
same connection pool. About 125 µs less per published task.

`task_send` is `task.apply_async(args=..., kwargs=..., queue=...)` for the common case of
a web request sending a task (issue 19: every accepted job sends one). Celery and kombu
spend about 560 µs building and routing the message, most of it the same every time.
Here, the first send of a task to a queue goes through them whole, only the final LPUSH
is kept instead of made (`Channel._put`), and that message is the template: later sends
copy it with a new task id and delivery tag, their own arguments and the
`before_task_publish` receivers' headers (the request id), and LPUSH it on a connection
this thread keeps. Everything else goes through `apply_async`: a countdown, a send from
inside a worker's task (Celery takes its root and parent ids from it), eager mode,
another transport, a task that keeps results, a queue with an expiry. The messages are
the ones kombu writes (tests/core/test_broker.py compares the two field by field) and a
real worker consumes them (every `real_worker` test that submits a job).

settings/core.py selects this transport (CELERY_BROKER_TRANSPORT) when CELERY_BROKER_URL
is a `redis://` URL; the wire format, queues and acknowledgement are kombu's."""

import base64
import contextvars
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from celery import Task
from celery.signals import after_task_publish, before_task_publish
from celery.utils.saferepr import saferepr
from kombu.transport import redis
from kombu.utils.json import dumps, loads

from apps.core.redisconn import DROPPED, kept_call


class Channel(redis.Channel):
    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:  # the consumer's client: kombu already keeps it
            return super()._create_client(asynchronous=True)
        kept = self.__dict__.get("_kept_client")
        if kept is None or kept.connection_pool is not self.pool:
            kept = self._kept_client = super()._create_client()
        return kept

    def _put(self, queue: str, message: dict[str, Any], **kwargs: Any) -> None:
        capture = getattr(_local, "capture", None)
        if capture is None:
            super()._put(queue, message, **kwargs)
            return
        # task_send's first send: kept, not made. A queue with an expiry needs kombu's
        # PEXPIREs after each LPUSH, so it is left to kombu.
        if not (self._expires and queue in self._expires) and "_publish_batch" not in kwargs:
            priority = self._get_message_priority(message, reverse=False)
            capture.append((self._q_for_pri(queue, priority), message, self.client))


class Transport(redis.Transport):
    Channel = Channel


@dataclass(frozen=True)
class _Template:
    key: str  # the Redis list kombu pushed to
    message: dict[str, Any]  # kombu's message, as it pushed it (body still encoded)
    embed: Any  # the body's third part (callbacks, errbacks, chain, chord)
    pool: Any  # the connection pool of the channel that would have sent it


_local = threading.local()
_templates: dict[tuple[str, str, str], _Template | None] = {}
_PROBE_ARGS = [-1]


def task_send(task: Task, *, args: list[Any], kwargs: dict[str, Any], queue: str) -> None:
    """Sends `task` to `queue` with these arguments: what
    `task.apply_async(args=args, kwargs=kwargs, queue=queue)` sends, in a fraction of
    its time where this module can (see its doc)."""
    if task.typing:  # the arguments checked against the task's signature, as Celery does
        task.__header__(*args, **kwargs)
    template = _template(task, queue) if _direct_allowed(task) else None
    if template is None:
        task.apply_async(args=args, kwargs=kwargs, queue=queue)
        return
    task_id = str(uuid.uuid4())
    message = template.message
    headers = {
        **message["headers"],
        "id": task_id,
        "root_id": task_id,
        "argsrepr": saferepr(args),
        "kwargsrepr": saferepr(kwargs),
    }
    properties = {
        **message["properties"],
        "correlation_id": task_id,
        "delivery_tag": str(uuid.uuid4()),
        "delivery_info": dict(message["properties"]["delivery_info"]),
    }
    body = (args, kwargs, template.embed)
    signal = {"body": body, "exchange": "", "routing_key": queue, "headers": headers}
    before_task_publish.send(
        sender=task.name, declare=[], properties=properties, retry_policy=None, **signal
    )
    encoded = base64.b64encode(dumps(list(body)).encode()).decode()
    sent = {**message, "body": encoded, "headers": headers, "properties": properties}
    if not _lpush(template, dumps(sent)):
        task.apply_async(args=args, kwargs=kwargs, queue=queue)
        return
    after_task_publish.send(sender=task.name, **signal)


def _direct_allowed(task: Task) -> bool:
    app = task.app
    return (
        not app.conf.task_always_eager
        and task.ignore_result  # else the result backend's on_task_call must run
        and app.current_worker_task is None
    )


def _template(task: Task, queue: str) -> _Template | None:
    """The message Celery and kombu would push for `task` to `queue`, made once per
    process (None: this transport would not push it in one LPUSH)."""
    broker_url = str(task.app.conf.broker_url)
    name = (broker_url, task.name, queue)
    if name not in _templates:
        with task.app.connection_for_write() as connection:
            ours = isinstance(connection.transport, Transport)
        if not ours:  # another transport would send the probe, not hand it over
            _templates[name] = None
            return None
        captured: list[tuple[str, dict[str, Any], Any]] = []
        _local.capture = captured
        try:
            # In an empty context: no request id (or other context a before_task_publish
            # receiver reads) is baked into the template; each send adds its own.
            contextvars.Context().run(task.apply_async, args=_PROBE_ARGS, kwargs={}, queue=queue)
        finally:
            _local.capture = None
        template = None
        if len(captured) == 1:
            key, message, client = captured[0]
            args, kwargs, embed = loads(base64.b64decode(message["body"]))
            headers = message["headers"]
            if (
                args == _PROBE_ARGS
                and kwargs == {}
                and headers["root_id"] == headers["id"]
                and headers["parent_id"] is None
                and message["properties"].get("body_encoding") == "base64"
            ):
                template = _Template(key, message, embed, client.connection_pool)
        _templates[name] = template
    return _templates[name]


def _lpush(template: _Template, payload: str) -> bool:
    """LPUSHes `payload` on a connection this thread keeps to the template's server
    (apps/core/redisconn.py). False when Redis could not be reached: the caller falls back
    to Celery, whose retry policy applies."""
    try:
        kept_call("broker", template.pool, "LPUSH", template.key, payload)
    except DROPPED:
        return False
    return True
