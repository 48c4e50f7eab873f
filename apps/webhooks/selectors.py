"""Reads of webhook data, scoped to one workspace (the staff-only reads at the end say so)."""

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from apps.accounts.models import Workspace
from apps.core.errors import NotFound
from apps.webhooks.models import MessageStatus, WebhookAttempt, WebhookEndpoint, WebhookMessage


def endpoints_list(*, workspace: Workspace) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(workspace=workspace)


def endpoints_subscribed(*, workspace: Workspace, event: str) -> list[WebhookEndpoint]:
    """The workspace's enabled endpoints that subscribed to `event`."""
    enabled = WebhookEndpoint.objects.filter(workspace=workspace, enabled=True)
    return [e for e in enabled if event in e.events]


def endpoint_get(*, workspace: Workspace, public_id: str) -> WebhookEndpoint:
    endpoint = endpoints_list(workspace=workspace).filter(public_id=public_id).first()
    if endpoint is None:
        raise NotFound("No such webhook endpoint.", details={"id": public_id})
    return endpoint


def messages_list(
    *,
    workspace: Workspace,
    endpoint: WebhookEndpoint,
    status: str | None = None,
    event: str | None = None,
) -> QuerySet[WebhookMessage]:
    messages = WebhookMessage.objects.filter(workspace=workspace, endpoint=endpoint)
    if status:
        messages = messages.filter(status=status)
    if event:
        messages = messages.filter(event=event)
    return messages.prefetch_related(
        Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("at", "id"))
    )


def message_get(
    *, workspace: Workspace, endpoint: WebhookEndpoint, public_id: str
) -> WebhookMessage:
    message = messages_list(workspace=workspace, endpoint=endpoint).filter(public_id=public_id)
    found = message.first()
    if found is None:
        raise NotFound("No such delivery.", details={"id": public_id})
    return found


def deliveries_failed_recent(*, since: dt.datetime) -> QuerySet[WebhookMessage]:
    """Every workspace's messages that gave up (no attempt left) since `since`, newest
    first: for staff (the Operations page), never for a tenant."""
    return (
        WebhookMessage.objects.filter(status=MessageStatus.FAILED, updated_at__gte=since)
        .select_related("workspace", "endpoint")
        .order_by("-updated_at")
    )


def endpoints_failing() -> QuerySet[WebhookEndpoint]:
    """Every workspace's endpoints that are failing (not a 2xx since `failing_since`) or
    were disabled: for staff."""
    return (
        WebhookEndpoint.objects.filter(Q(failing_since__isnull=False) | Q(enabled=False))
        .select_related("workspace")
        .order_by("failing_since")
    )
