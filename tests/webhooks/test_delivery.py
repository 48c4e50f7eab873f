"""Deliveries to real HTTP receivers, each verified with the `standardwebhooks` library."""

import datetime as dt
import socket
import time

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from apps.webhooks import delivery, services
from apps.webhooks.models import MessageStatus, WebhookEndpoint, WebhookMessage
from tests.webhooks.conftest import receiving

# Real commits: deliveries are enqueued by on_commit callbacks, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def endpoint_for(actor, url, events=("task.completed",)):
    return services.endpoint_create(membership=actor.membership, url=url, events=list(events))


def emit(actor, event="task.completed", data=None, **kw):
    with transaction.atomic():
        return services.event_emit(
            workspace=actor.workspace, event=event, data=data or {"id": "job_x"}, **kw
        )


def verify(secret, request):
    return Webhook(secret).verify(request["body"], request["headers"])


def make_due(message):
    """Moves the clock past the message's next attempt (no sleeping for the schedule)."""
    WebhookMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=60)
    )


def test_a_delivery_carries_standard_webhooks_headers_and_a_verifiable_signature(alice, receiver):
    _, secret = endpoint_for(alice, receiver.url)
    (message,) = emit(alice, data={"id": "job_1", "status": "completed"})
    (request,) = receiver.requests
    body = verify(secret, request)
    assert body["type"] == "task.completed"
    assert body["data"] == {"id": "job_1", "status": "completed"}
    assert dt.datetime.fromisoformat(body["timestamp"])
    headers = request["headers"]
    assert headers["webhook-id"] == message.public_id
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("Reelsmith-Webhooks/")
    message.refresh_from_db()
    assert message.status == MessageStatus.SUCCEEDED
    (attempt,) = message.attempts.all()
    assert attempt.response_status == 200 and attempt.response_body.startswith("ok")


def test_a_wrong_secret_does_not_verify(alice, receiver):
    endpoint_for(alice, receiver.url)
    emit(alice)
    with pytest.raises(WebhookVerificationError):
        verify(services.endpoint_rotate_secret.__globals__["secret_new"](), receiver.requests[0])


def test_500_twice_then_200_delivers_three_times_with_one_webhook_id_on_the_schedule(
    alice, settings
):
    with receiving(settings, answers=[500, 500, 200]) as receiver:
        _, secret = endpoint_for(alice, receiver.url)
        (message,) = emit(alice)
        message.refresh_from_db()
        assert message.status == MessageStatus.PENDING
        first_retry = (message.next_attempt_at - message.updated_at).total_seconds()
        assert first_retry == pytest.approx(5, abs=1)
        # A duplicate task run before the retry is due sends nothing.
        assert delivery.message_deliver(message_id=message.pk) is None
        make_due(message)
        assert delivery.messages_sweep() == 1
        message.refresh_from_db()
        second_retry = (message.next_attempt_at - message.updated_at).total_seconds()
        assert second_retry == pytest.approx(300, abs=1)
        make_due(message)
        delivery.messages_sweep()
    assert len(receiver.requests) == 3
    assert set(receiver.ids()) == {message.public_id}
    for request in receiver.requests:
        verify(secret, request)
    message.refresh_from_db()
    assert message.status == MessageStatus.SUCCEEDED
    assert [a.response_status for a in message.attempts.all()] == [500, 500, 200]
    assert message.attempts.first().response_body.startswith("nope")
    assert len(message.attempts.first().response_body) <= 1024


def test_after_the_whole_schedule_the_message_fails(alice, settings):
    settings.WEBHOOKS_RETRY_SCHEDULE_S = [5.0, 300.0]
    with receiving(settings, answers=[503]) as receiver:
        endpoint_for(alice, receiver.url)
        (message,) = emit(alice)
        for _ in range(2):
            make_due(message)
            delivery.messages_sweep()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempt_count == 3
    assert len(receiver.requests) == 3


def test_a_hanging_receiver_is_cut_at_the_timeout_and_scheduled_for_retry(alice, settings):
    settings.WEBHOOKS_TIMEOUT_S = 1.0
    with receiving(settings, hang_s=5.0) as receiver:
        endpoint_for(alice, receiver.url)
        started = time.monotonic()
        (message,) = emit(alice)
        took = time.monotonic() - started
    assert took < 4.0
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.next_attempt_at > timezone.now()
    (attempt,) = message.attempts.all()
    assert attempt.response_status is None and "longer than 1 s" in attempt.error


def test_410_gone_disables_the_endpoint_at_once_with_the_reason(alice, settings):
    with receiving(settings, answers=[410]) as receiver:
        endpoint, _ = endpoint_for(alice, receiver.url)
        (message,) = emit(alice)
        emit(alice)  # the endpoint is off: no message at all
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "410" in endpoint.disabled_reason
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert len(receiver.requests) == 1


def test_an_endpoint_failing_every_attempt_for_five_days_is_disabled(alice, settings):
    with receiving(settings, answers=[500]) as receiver:
        endpoint, _ = endpoint_for(alice, receiver.url)
        (message,) = emit(alice)
        endpoint.refresh_from_db()
        assert endpoint.enabled and endpoint.failing_since is not None
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            failing_since=timezone.now() - dt.timedelta(days=5, minutes=1)
        )
        make_due(message)
        delivery.messages_sweep()
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "5 days" in endpoint.disabled_reason
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED


def test_a_success_resets_the_failure_streak(alice, settings):
    with receiving(settings, answers=[500, 200]) as receiver:
        endpoint, _ = endpoint_for(alice, receiver.url)
        (message,) = emit(alice)
        make_due(message)
        delivery.messages_sweep()
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is None


def test_during_a_rotation_both_secrets_verify_and_after_the_overlap_only_the_new(alice, receiver):
    endpoint, old = endpoint_for(alice, receiver.url)
    new = services.endpoint_rotate_secret(endpoint=endpoint)
    emit(alice)
    during = receiver.requests[-1]
    assert len(during["headers"]["webhook-signature"].split(" ")) == 2
    verify(old, during)
    verify(new, during)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    emit(alice)
    after = receiver.requests[-1]
    verify(new, after)
    with pytest.raises(WebhookVerificationError):
        verify(old, after)


def test_a_rolled_back_change_sends_nothing(alice, receiver):
    endpoint_for(alice, receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.event_emit(workspace=alice.workspace, event="task.completed", data={})
        raise RuntimeError("the state change failed")
    delivery.messages_sweep()
    assert receiver.requests == []
    assert not WebhookMessage.objects.exists()


def test_a_committed_message_whose_delivery_was_lost_is_sent_by_the_sweep_exactly_once(
    alice, receiver, monkeypatch, settings
):
    _, secret = endpoint_for(alice, receiver.url)
    # The crash: the row commits, the process dies before its on_commit enqueue runs.
    monkeypatch.setattr(transaction, "on_commit", lambda fn, *a, **k: None)
    (message,) = emit(alice)
    monkeypatch.undo()
    assert receiver.requests == []
    assert delivery.messages_sweep() == 0  # within the grace period: not yet
    settings.WEBHOOKS_SWEEP_GRACE_S = 0
    assert delivery.messages_sweep() == 1
    assert delivery.messages_sweep() == 0
    assert receiver.ids() == [message.public_id]
    verify(secret, receiver.requests[0])


def test_a_message_in_flight_is_not_sent_a_second_time_concurrently(alice, receiver, monkeypatch):
    endpoint_for(alice, receiver.url)
    monkeypatch.setattr(transaction, "on_commit", lambda fn, *a, **k: None)
    (message,) = emit(alice)
    monkeypatch.undo()
    claimed = delivery._claim(message.pk)
    assert claimed is not None
    # A second task (or the sweep) meanwhile finds nothing to do.
    assert delivery.message_deliver(message_id=message.pk) is None
    assert receiver.requests == []


def test_a_one_off_job_url_is_signed_with_the_workspace_job_secret(alice, receiver):
    (message,) = emit(alice, event="task.failed", url=receiver.url)
    secret = services.job_secret_get(workspace=alice.workspace)
    (request,) = receiver.requests
    assert verify(secret, request)["type"] == "task.failed"
    assert request["headers"]["webhook-id"] == message.public_id


def test_one_thousand_events_reach_a_deduplicating_receiver_exactly_once(alice, receiver):
    _, secret = endpoint_for(alice, receiver.url)
    started = time.monotonic()
    for n in range(1000):
        emit(alice, data={"n": n})
    delivery.messages_sweep()  # nothing left to pick up
    took = time.monotonic() - started
    ids = receiver.ids()
    assert len(ids) == 1000 and len(set(ids)) == 1000
    assert sorted(verify(secret, r)["data"]["n"] for r in receiver.requests) == list(range(1000))
    assert WebhookMessage.objects.filter(status=MessageStatus.SUCCEEDED).count() == 1000
    print(f"\n1,000 events: {took:.2f} s wall, {1000 / took:.0f} deliveries/s (eager, 1 process)")


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "10.1.2.3", "::1"])
def test_a_name_resolving_to_a_private_address_is_refused_before_any_connection(
    alice, monkeypatch, address
):
    """Address literals are refused when the endpoint is saved (test_services.py); a host
    name is judged at every send, by what it resolves to then (DNS is the faked edge)."""
    connects = []
    real_create_connection = socket.create_connection

    def spy(addr, *a, **k):
        connects.append(addr)
        return real_create_connection(addr, *a, **k)

    def resolve(host, port, *a, **k):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    endpoint_for(alice, "http://hooks.rebinding.example/hook")
    monkeypatch.setattr(socket, "create_connection", spy)
    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    (message,) = emit(alice)
    message.refresh_from_db()
    (attempt,) = message.attempts.all()
    assert "private or reserved" in attempt.error
    assert attempt.response_status is None
    assert connects == []
