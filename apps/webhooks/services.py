"""Writes for webhooks: endpoints, their secrets, and the outbox.

`event_emit` writes outbox rows inside the caller's transaction and asks for delivery
only once it commits: a rolled-back change sends nothing, and a committed one whose
delivery was lost (a crash between commit and enqueue) is picked up by the sweep."""

import base64
import binascii
import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts import audit
from apps.accounts.models import AuditAction, Membership, Workspace
from apps.core.errors import Conflict, ValidationError
from apps.core.http import validate_public_url
from apps.webhooks.enqueue import enqueue_delivery
from apps.webhooks.errors import EndpointLimitReached
from apps.webhooks.models import (
    Event,
    MessageStatus,
    PayloadFormat,
    WebhookEndpoint,
    WebhookMessage,
    WorkspaceJobSecret,
)
from apps.webhooks.payloads import body_render
from apps.webhooks.selectors import endpoints_subscribed
from apps.webhooks.signing import SECRET_PREFIX, secret_new

EVENTS = frozenset(Event.values)


def _clean_url(url: Any) -> str:
    validate_public_url(url, field="url")
    return str(url)


def _clean_events(events: Any) -> list[str]:
    if not isinstance(events, list) or not events:
        raise ValidationError(
            "events must be a non-empty list of event names.",
            details={"field": "events", "allowed": sorted(EVENTS)},
        )
    unknown = sorted({e for e in events if e not in EVENTS}, key=str)
    if unknown:
        raise ValidationError(
            f"Unknown events: {', '.join(map(str, unknown))}.",
            details={"field": "events", "unknown": unknown, "allowed": sorted(EVENTS)},
        )
    return sorted(set(events))


MIN_GIVEN_SECRET, MAX_GIVEN_SECRET = 16, 64  # characters of a caller's own secret


def _clean_secret(secret: Any) -> str:
    """A secret the caller chose (ALwrity's registration sends one): `whsec_<base64>` is
    kept; any other text becomes the key bytes themselves (`whsec_` + its base64), so the
    receiver verifies with HMAC-SHA256 keyed by exactly the text it sent."""
    if not isinstance(secret, str):
        raise ValidationError("secret must be a string.", details={"field": "secret"})
    if secret.startswith(SECRET_PREFIX):
        try:
            key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) < MIN_GIVEN_SECRET or len(secret) > 100:
            raise ValidationError(
                f"A {SECRET_PREFIX} secret must be base64 of {MIN_GIVEN_SECRET}-70 bytes.",
                details={"field": "secret"},
            )
        return secret
    if not MIN_GIVEN_SECRET <= len(secret) <= MAX_GIVEN_SECRET or not secret.isprintable():
        raise ValidationError(
            f"secret must be {MIN_GIVEN_SECRET}-{MAX_GIVEN_SECRET} printable characters.",
            details={"field": "secret", "min": MIN_GIVEN_SECRET, "max": MAX_GIVEN_SECRET},
        )
    return SECRET_PREFIX + base64.b64encode(secret.encode()).decode("ascii")


def endpoint_create(
    *,
    membership: Membership,
    url: str,
    events: list[str],
    description: str = "",
    secret: str | None = None,
    payload_format: str = PayloadFormat.STANDARD,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret, which is shown only now (and on rotation). 409 past
    the tier's endpoint limit. `secret` is the caller's own, if it chose one."""
    url, events = _clean_url(url), _clean_events(events)
    given = _clean_secret(secret) if secret is not None else None
    if payload_format not in PayloadFormat.values:
        raise ValueError(f"unknown payload format {payload_format!r}")
    workspace = membership.workspace
    with transaction.atomic():
        # Serialises concurrent creates of one workspace, so the limit holds.
        locked = Workspace.objects.select_for_update().select_related("tier").get(pk=workspace.pk)
        limit = locked.tier.max_webhook_endpoints
        if WebhookEndpoint.objects.filter(workspace=workspace).count() >= limit:
            raise EndpointLimitReached(limit=limit)
        secret = given or secret_new()
        endpoint = WebhookEndpoint.objects.create(
            workspace=workspace,
            url=url,
            events=events,
            description=description,
            secret=secret,
            payload_format=payload_format,
        )
        audit.record(
            action=AuditAction.WEBHOOK_ENDPOINT_CREATED,
            workspace=workspace,
            actor_user=membership.user,
            target=endpoint,
            details={"url": url, "events": events, "payload_format": payload_format},
        )
    return endpoint, secret


def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Changes what is given. Re-enabling clears the reason it was disabled and its
    failure streak."""
    before = _audited(endpoint)
    if url is not None:
        endpoint.url = _clean_url(url)
    if events is not None:
        endpoint.events = _clean_events(events)
    if description is not None:
        endpoint.description = description
    if enabled is not None:
        if enabled and not endpoint.enabled:
            endpoint.disabled_reason = ""
            endpoint.failing_since = None
        endpoint.enabled = enabled
    with transaction.atomic():
        endpoint.save()
        after = _audited(endpoint)
        changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
        if changed:
            audit.record(
                action=AuditAction.WEBHOOK_ENDPOINT_UPDATED,
                workspace=endpoint.workspace,
                target=endpoint,
                details={"changed": changed},
            )
    return endpoint


def _audited(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """The fields a `webhook_endpoint.updated` event reports changes of."""
    return {
        "url": endpoint.url,
        "events": list(endpoint.events),
        "description": endpoint.description,
        "enabled": endpoint.enabled,
    }


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    with transaction.atomic():
        if WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()[0]:
            audit.record(
                action=AuditAction.WEBHOOK_ENDPOINT_DELETED,
                workspace=endpoint.workspace,
                target=endpoint,
                details={"url": endpoint.url},
            )


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """A new secret; the old one keeps signing as well for WEBHOOKS_SECRET_OVERLAP_S."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = timezone.now() + dt.timedelta(
            seconds=settings.WEBHOOKS_SECRET_OVERLAP_S
        )
        endpoint.secret = secret_new()
        endpoint.save()
        audit.record(
            action=AuditAction.WEBHOOK_ENDPOINT_UPDATED,
            workspace=endpoint.workspace,
            target=endpoint,
            details={"secret_rotated": True},
        )
    return endpoint.secret


def job_secret_get(*, workspace: Workspace) -> str:
    """The workspace's secret for one-off job deliveries, made on first use."""
    row, _ = WorkspaceJobSecret.objects.get_or_create(
        workspace=workspace, defaults={"secret": secret_new()}
    )
    return row.secret


def _enqueue_on_commit(message_ids: list[int]) -> None:
    def send() -> None:
        for message_id in message_ids:
            enqueue_delivery(message_id)

    if message_ids:
        transaction.on_commit(send)


def event_emit(
    *,
    workspace: Workspace,
    event: str,
    data: dict[str, Any],
    url: str | None = None,
    user_id: str | None = None,
) -> list[WebhookMessage]:
    """Writes one outbox row per enabled endpoint of the workspace subscribed to `event`
    — or, with `url`, one row for that one-off destination only — in the caller's
    transaction; delivery is enqueued when it commits. Each body is in its endpoint's
    payload format; `user_id` (who caused the event) is for the formats that carry it."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    now = timezone.now()
    bodies: dict[str, str] = {}

    def body(payload_format: str) -> str:
        if payload_format not in bodies:
            bodies[payload_format] = body_render(
                payload_format=payload_format, event=event, data=data, user_id=user_id
            )
        return bodies[payload_format]

    if url:
        job_secret_get(workspace=workspace)
        messages = [
            WebhookMessage.objects.create(
                workspace=workspace,
                url=url,
                event=event,
                body=body(PayloadFormat.STANDARD),
                next_attempt_at=now,
            )
        ]
    else:
        endpoints = endpoints_subscribed(workspace=workspace, event=event)
        messages = WebhookMessage.objects.bulk_create(
            [
                WebhookMessage(
                    workspace=workspace,
                    endpoint=e,
                    event=event,
                    body=body(e.payload_format),
                    next_attempt_at=now,
                )
                for e in endpoints
            ]
        )
    _enqueue_on_commit([m.pk for m in messages])
    return messages


def endpoint_send_test(*, endpoint: WebhookEndpoint) -> WebhookMessage:
    """A `webhook.test` message to this endpoint only (subscribed to it or not)."""
    if not endpoint.enabled:
        raise Conflict("The endpoint is disabled; enable it before sending a test.")
    with transaction.atomic():
        message = WebhookMessage.objects.create(
            workspace=endpoint.workspace,
            endpoint=endpoint,
            event=Event.WEBHOOK_TEST,
            body=body_render(
                payload_format=endpoint.payload_format,
                event=Event.WEBHOOK_TEST,
                data={"endpoint": endpoint.public_id},
            ),
            next_attempt_at=timezone.now(),
        )
        _enqueue_on_commit([message.pk])
    message.refresh_from_db()
    return message


def message_retry(*, message: WebhookMessage) -> WebhookMessage:
    """Sends the message again now, with the same `webhook-id`. 409 while an attempt is
    in flight or when the endpoint is disabled."""
    with transaction.atomic():
        message = WebhookMessage.objects.select_for_update().get(pk=message.pk)
        if message.claimed_until and message.claimed_until > timezone.now():
            raise Conflict("The delivery is being attempted right now.")
        if message.endpoint_id and not message.endpoint.enabled:  # type: ignore[union-attr]
            raise Conflict("The endpoint is disabled; enable it before retrying.")
        message.status = MessageStatus.PENDING
        message.next_attempt_at = timezone.now()
        message.save(update_fields=["status", "next_attempt_at", "updated_at"])
        _enqueue_on_commit([message.pk])
    message.refresh_from_db()
    return message
