"""apps/core/broker.py: kombu's Redis transport keeping one client per channel. The
messages are kombu's own (a real worker consumes them: every `real_worker` test runs on
this transport when the broker is Redis)."""

import base64
import dataclasses
import json
import uuid

import pytest
import redis
from celery import current_app
from django.conf import settings

from apps.core import broker, redisconn, requestid

pytestmark = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis://"), reason="needs a Redis broker"
)

QUEUE = "test-broker-kept-client"


@pytest.fixture
def clients(monkeypatch) -> list[object]:
    made: list[object] = []
    init = redis.Redis.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting)
    return made


def _publish(n: int) -> None:
    with current_app.producer_or_acquire() as producer:
        assert isinstance(producer.channel, broker.Channel)
        for i in range(n):
            current_app.send_task("core.ping", args=[i], queue=QUEUE, producer=producer)


@pytest.mark.usefixtures("not_eager")
def test_publishing_keeps_one_client_and_writes_kombus_messages(clients):
    with current_app.connection_for_write() as conn:
        conn.default_channel.client.delete(QUEUE)
    _publish(1)  # the channel's first publish may make its client
    made = len(clients)
    _publish(5)
    assert len(clients) == made  # none per message
    with current_app.connection_for_write() as conn:
        raw = conn.default_channel.client.lrange(QUEUE, 0, -1)
        conn.default_channel.client.delete(QUEUE)
    messages = [json.loads(m) for m in reversed(raw)]
    assert [m["headers"]["task"] for m in messages] == ["core.ping"] * 6
    bodies = [json.loads(base64.b64decode(m["body"])) for m in messages]
    assert [b[0] for b in bodies] == [[0], [0], [1], [2], [3], [4]]
    assert {m["properties"]["delivery_info"]["routing_key"] for m in messages} == {QUEUE}


def test_a_new_pool_gets_a_new_client():
    with current_app.connection_for_write() as conn:
        channel = conn.default_channel
        first = channel._create_client()
        assert channel._create_client() is first
        channel._pool = None  # as after a fork or a reconnect
        assert channel._create_client() is not first


# --- task_send: the template copy against Celery's own message -----------------------

SEND_QUEUE = "test-broker-task-send"


def _sent(queue: str) -> list[dict]:
    with current_app.connection_for_write() as conn:
        raw = conn.default_channel.client.lrange(queue, 0, -1)
        conn.default_channel.client.delete(queue)
    return [json.loads(m) for m in reversed(raw)]


def _comparable(message: dict) -> dict:
    """The message with what differs per send by design (the task id, where it repeats,
    and the delivery tag) replaced by placeholders, and the body decoded."""
    task_id = message["headers"]["id"]
    assert message["headers"]["root_id"] == message["properties"]["correlation_id"] == task_id
    headers = {**message["headers"], "id": "ID", "root_id": "ID"}
    properties = {**message["properties"], "correlation_id": "ID", "delivery_tag": "TAG"}
    uuid.UUID(message["properties"]["delivery_tag"])
    body = json.loads(base64.b64decode(message["body"]))
    return {**message, "headers": headers, "properties": properties, "body": body}


@pytest.fixture
def start_task():
    task = current_app.tasks["jobs.start"]
    assert task.ignore_result
    with current_app.connection_for_write() as conn:
        conn.default_channel.client.delete(SEND_QUEUE)
    return task


@pytest.mark.usefixtures("not_eager", "start_task")
@pytest.mark.parametrize(
    ("name", "kwargs"), [("jobs.start", {}), ("jobs.poll", {"scheduled": False})]
)
def test_task_send_writes_the_message_apply_async_writes(name, kwargs):
    task = current_app.tasks[name]
    token = requestid.bind("req-contract-1")
    try:
        task.apply_async(args=[41], kwargs=kwargs, queue=SEND_QUEUE)
        for _ in range(2):  # the first send makes the template, the second copies it
            broker.task_send(task, args=[41], kwargs=kwargs, queue=SEND_QUEUE)
    finally:
        requestid.unbind(token)
    celerys, *ours = _sent(SEND_QUEUE)
    assert len(ours) == 2
    # The copy was sent, not Celery's (its first send only made the template).
    assert broker._templates[(str(current_app.conf.broker_url), name, SEND_QUEUE)] is not None
    for message in ours:
        assert _comparable(message) == _comparable(celerys)
    assert celerys["headers"][requestid.TASK_HEADER] == "req-contract-1"
    ids = {m["headers"]["id"] for m in (celerys, *ours)}
    tags = {m["properties"]["delivery_tag"] for m in (celerys, *ours)}
    assert len(ids) == len(tags) == 3


@pytest.mark.usefixtures("not_eager")
def test_each_send_carries_its_own_request_id_and_none_without_one(start_task):
    for value in ("req-a", "req-b", None):
        token = requestid.bind(value)
        try:
            broker.task_send(start_task, args=[7], kwargs={}, queue=SEND_QUEUE)
        finally:
            requestid.unbind(token)
    sent = _sent(SEND_QUEUE)
    assert [m["headers"].get(requestid.TASK_HEADER) for m in sent] == ["req-a", "req-b", None]
    assert [json.loads(base64.b64decode(m["body"]))[0] for m in sent] == [[7], [7], [7]]


@pytest.mark.usefixtures("not_eager")
def test_a_dropped_connection_is_reopened(start_task):
    broker.task_send(start_task, args=[1], kwargs={}, queue=SEND_QUEUE)
    broker.task_send(start_task, args=[2], kwargs={}, queue=SEND_QUEUE)
    name = (str(current_app.conf.broker_url), start_task.name, SEND_QUEUE)
    kept = redisconn.kept_connection("broker", broker._templates[name].pool)
    port = kept._sock.getsockname()[1]  # the kept connection's own port
    with current_app.connection_for_write() as conn:
        killed = conn.default_channel.client.client_kill_filter(addr=f"127.0.0.1:{port}")
    assert killed == 1
    broker.task_send(start_task, args=[3], kwargs={}, queue=SEND_QUEUE)
    assert [json.loads(base64.b64decode(m["body"]))[0] for m in _sent(SEND_QUEUE)] == [
        [1],
        [2],
        [3],
    ]


@pytest.mark.usefixtures("not_eager")
def test_an_unreachable_redis_falls_back_to_celery(start_task, monkeypatch):
    broker.task_send(start_task, args=[1], kwargs={}, queue=SEND_QUEUE)  # the template
    name = (str(current_app.conf.broker_url), start_task.name, SEND_QUEUE)
    template = broker._templates[name]
    assert template is not None
    dead = redis.ConnectionPool(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    monkeypatch.setitem(broker._templates, name, dataclasses.replace(template, pool=dead))
    celery_sends = []
    monkeypatch.setattr(
        start_task, "apply_async", lambda **kwargs: celery_sends.append(kwargs), raising=False
    )
    broker.task_send(start_task, args=[2], kwargs={}, queue=SEND_QUEUE)
    assert celery_sends == [{"args": [2], "kwargs": {}, "queue": SEND_QUEUE}]


@pytest.mark.usefixtures("not_eager")
@pytest.mark.parametrize("why", ["keeps results", "inside a worker's task"])
def test_what_the_template_cannot_copy_goes_through_celery(start_task, monkeypatch, why):
    if why == "keeps results":
        monkeypatch.setattr(start_task, "ignore_result", False)
    else:
        monkeypatch.setattr(type(start_task.app), "current_worker_task", object())
    celery_sends = []
    monkeypatch.setattr(
        start_task, "apply_async", lambda **kwargs: celery_sends.append(kwargs), raising=False
    )
    broker.task_send(start_task, args=[5], kwargs={}, queue=SEND_QUEUE)
    assert celery_sends == [{"args": [5], "kwargs": {}, "queue": SEND_QUEUE}]
    assert _sent(SEND_QUEUE) == []


def test_arguments_the_task_does_not_take_are_refused_as_celery_refuses_them(start_task):
    with pytest.raises(TypeError):
        start_task.apply_async(args=[1], kwargs={"nope": 1}, queue=SEND_QUEUE)
    with pytest.raises(TypeError):
        broker.task_send(start_task, args=[1], kwargs={"nope": 1}, queue=SEND_QUEUE)
    assert _sent(SEND_QUEUE) == []
