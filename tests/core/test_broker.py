"""apps/core/broker.py: kombu's Redis transport keeping one client per channel. The
messages are kombu's own (a real worker consumes them: every `real_worker` test runs on
this transport when the broker is Redis)."""

import base64
import json

import pytest
import redis
from celery import current_app
from django.conf import settings

from apps.core import broker

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
