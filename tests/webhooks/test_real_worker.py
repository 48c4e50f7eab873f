"""The outbox with a real Celery worker on the broker: a message committed while its
enqueue was lost (the web process died between commit and send) is delivered once the
sweep runs, exactly once."""

import time

import pytest
from django.db import transaction
from standardwebhooks import Webhook

from apps.webhooks import delivery, services
from apps.webhooks.models import MessageStatus, WebhookMessage
from tests.webhooks.conftest import receiving

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def worker_receiver(settings, monkeypatch):
    # Started before the worker, so the worker's environment allows the receiver's port.
    with receiving(settings) as receiver:
        monkeypatch.setenv("OUTBOUND_ALLOWED_NETLOCS", ",".join(settings.OUTBOUND_ALLOWED_NETLOCS))
        yield receiver


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_message_whose_enqueue_died_with_the_process_is_delivered_once_by_the_sweep(
    alice, worker_receiver, real_worker, monkeypatch, settings
):
    _, secret = services.endpoint_create(
        membership=alice.membership, url=worker_receiver.url, events=["task.completed"]
    )
    with monkeypatch.context() as crash:
        crash.setattr(transaction, "on_commit", lambda fn, *a, **k: None)
        with transaction.atomic():
            (message,) = services.event_emit(
                workspace=alice.workspace, event="task.completed", data={"id": "job_1"}
            )
    time.sleep(1.0)
    assert worker_receiver.requests == []
    settings.WEBHOOKS_SWEEP_GRACE_S = 0
    assert delivery.messages_sweep() == 1
    wait_for(
        lambda: WebhookMessage.objects.filter(
            pk=message.pk, status=MessageStatus.SUCCEEDED
        ).exists()
    )
    # A second sweep (or a duplicate task) finds nothing to send.
    assert delivery.messages_sweep() == 0
    time.sleep(0.5)
    assert worker_receiver.ids() == [message.public_id]
    request = worker_receiver.requests[0]
    assert Webhook(secret).verify(request["body"], request["headers"])["data"] == {"id": "job_1"}
