"""Delivery of one outbox message: claim it, POST it, record the attempt.

A delivery claims its message first (a short transaction on the locked row: due, not
claimed → claimed for the timeout and a margin, attempt count + 1), sends with no lock
held, then records the outcome only if the message is still at the attempt it claimed
(compare-and-set). Two deliveries of one message can therefore never send at once, and a
duplicate Celery run finds nothing due. Retries are scheduled, never slept for."""

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core import metrics
from apps.core.errors import ApplicationError
from apps.core.http import open_stream
from apps.webhooks.enqueue import enqueue_delivery
from apps.webhooks.models import (
    MessageStatus,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookMessage,
    WorkspaceJobSecret,
)
from apps.webhooks.signing import signature_header

logger = logging.getLogger(__name__)

USER_AGENT = "Reelsmith-Webhooks/1"
MAX_READ_BYTES = 64 * 1024
EXCERPT_BYTES = 1024
CLAIM_MARGIN_S = 30.0


@dataclass
class Outcome:
    status: int | None
    error: str
    excerpt: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _due() -> Q:
    now = timezone.now()
    return Q(status=MessageStatus.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def _claim(message_id: int) -> WebhookMessage | None:
    with transaction.atomic():
        message = (
            WebhookMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_due(), pk=message_id)
            .select_related("endpoint")
            .first()
        )
        if message is None:
            return None
        message.claimed_until = timezone.now() + dt.timedelta(
            seconds=settings.WEBHOOKS_TIMEOUT_S + CLAIM_MARGIN_S
        )
        message.attempt_count += 1
        message.save(update_fields=["claimed_until", "attempt_count", "updated_at"])
        return message


def secrets_for(message: WebhookMessage) -> list[str]:
    endpoint = message.endpoint
    if endpoint is None:
        row = WorkspaceJobSecret.objects.filter(workspace_id=message.workspace_id).first()
        return [row.secret] if row else []
    live = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires and expires > timezone.now():
        live.append(endpoint.previous_secret)
    return live


def _send(message: WebhookMessage, url: str, secrets_: list[str]) -> Outcome:
    body = message.body.encode()
    timestamp = int(time.time())
    headers = {
        "webhook-id": message.public_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            secrets_=secrets_, msg_id=message.public_id, timestamp=timestamp, body=body
        ),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
    started = time.monotonic()
    status: int | None = None
    error = ""
    read = bytearray()
    try:
        with open_stream(
            "POST",
            url,
            timeout_s=settings.WEBHOOKS_TIMEOUT_S,
            headers=headers,
            content=body,
            follow_redirects=False,
            field="url",
        ) as response:
            status = response.status_code
            for chunk in response.iter_raw(16 * 1024):
                read += chunk
                if len(read) >= MAX_READ_BYTES:
                    break
    except ApplicationError as exc:
        error = exc.message
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    if status is not None and not 200 <= status < 300 and not error:
        error = f"HTTP {status}"
    return Outcome(
        status=status,
        error=error[:500],
        excerpt=bytes(read[:EXCERPT_BYTES]).decode("utf-8", "replace"),
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def _disable(endpoint: WebhookEndpoint, reason: str) -> None:
    endpoint.enabled = False
    endpoint.disabled_reason = reason[:255]
    logger.info("webhook endpoint %s disabled: %s", endpoint.public_id, reason)


def _record(message_id: int, attempt: int, at: dt.datetime, outcome: Outcome) -> float | None:
    """Writes the attempt and the message's next state; the delay of the next retry, if
    one is due."""
    with transaction.atomic():
        message = WebhookMessage.objects.select_for_update().get(pk=message_id)
        if message.status != MessageStatus.PENDING or message.attempt_count != attempt:
            return None  # someone else moved it on
        WebhookAttempt.objects.create(
            message=message,
            at=at,
            response_status=outcome.status,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
            response_body=outcome.excerpt,
        )
        endpoint = None
        if message.endpoint_id:
            endpoint = WebhookEndpoint.objects.select_for_update().get(pk=message.endpoint_id)
        now = timezone.now()
        message.claimed_until = None
        delay: float | None = None
        if outcome.ok:
            message.status = MessageStatus.SUCCEEDED
            message.next_attempt_at = None
            if endpoint is not None:
                endpoint.failing_since = None
        else:
            schedule = settings.WEBHOOKS_RETRY_SCHEDULE_S
            if endpoint is not None:
                endpoint.failing_since = endpoint.failing_since or at
                failing_for = (now - endpoint.failing_since).total_seconds()
                if outcome.status == 410:
                    _disable(
                        endpoint, f"The endpoint answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC."
                    )
                elif failing_for >= settings.WEBHOOKS_DISABLE_AFTER_S:
                    days = settings.WEBHOOKS_DISABLE_AFTER_S / 86400
                    _disable(
                        endpoint,
                        f"Every delivery attempt failed for {days:g} days "
                        f"(last: {outcome.error or 'no response'}).",
                    )
            gone = outcome.status == 410 or (endpoint is not None and not endpoint.enabled)
            if gone or attempt > len(schedule):
                message.status = MessageStatus.FAILED
                message.next_attempt_at = None
            else:
                delay = float(schedule[attempt - 1])
                message.next_attempt_at = now + dt.timedelta(seconds=delay)
        message.save()
        if endpoint is not None:
            endpoint.save(
                update_fields=["enabled", "disabled_reason", "failing_since", "updated_at"]
            )
        if delay is not None:
            message_id_ = message.pk
            transaction.on_commit(lambda: enqueue_delivery(message_id_, countdown=delay))
        outcome_label = (
            "succeeded" if outcome.ok else ("retrying" if delay is not None else "failed")
        )
        event = message.event
        metrics.after_commit(lambda: metrics.WEBHOOK_DELIVERIES.labels(event, outcome_label).inc())
        return delay


def _fail_unsent(message: WebhookMessage, reason: str) -> None:
    with transaction.atomic():
        locked = WebhookMessage.objects.select_for_update().get(pk=message.pk)
        if locked.attempt_count != message.attempt_count:
            return
        locked.status = MessageStatus.FAILED
        locked.next_attempt_at = None
        locked.claimed_until = None
        locked.save()
        WebhookAttempt.objects.create(message=locked, at=timezone.now(), error=reason)
        event = locked.event
        metrics.after_commit(lambda: metrics.WEBHOOK_DELIVERIES.labels(event, "not_sent").inc())


def message_deliver(*, message_id: int) -> bool | None:
    """One attempt at a due message: True if delivered, False if it failed, None if there
    was nothing to do (not due, already done, or another worker has it)."""
    message = _claim(message_id)
    if message is None:
        return None
    endpoint = message.endpoint
    if endpoint is not None and not endpoint.enabled:
        _fail_unsent(message, f"Not sent: the endpoint is disabled. {endpoint.disabled_reason}")
        return False
    url = endpoint.url if endpoint is not None else message.url
    at = timezone.now()
    outcome = _send(message, url, secrets_for(message))
    _record(message.pk, message.attempt_count, at, outcome)
    return outcome.ok


def messages_sweep() -> int:
    """Enqueues pending messages due for a while and not in flight: those whose enqueue was
    lost (a crash between commit and send) and retries whose scheduled task was lost. A
    duplicate of a still-queued task is harmless: the claim lets one of them through."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.WEBHOOKS_SWEEP_GRACE_S)
    with transaction.atomic():
        ids = list(
            WebhookMessage.objects.select_for_update(skip_locked=True)
            .filter(_due(), next_attempt_at__lte=cutoff)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[: settings.WEBHOOKS_SWEEP_BATCH]
        )
    for message_id in ids:
        enqueue_delivery(message_id)
    return len(ids)
