"""Outgoing webhooks: endpoints, the outbox of messages and each delivery attempt.

A message is written in the same transaction as the change it announces (the outbox);
delivery happens after commit, and a periodic sweep picks up whatever was committed but
never sent (docs/webhooks.md)."""

from django.db import models
from django.db.models import Q

from apps.accounts.models import Workspace
from apps.core.models import BaseModel, PublicIdField


class Event(models.TextChoices):
    TASK_COMPLETED = "task.completed", "Task completed"
    TASK_FAILED = "task.failed", "Task failed"
    TASK_CANCELLED = "task.cancelled", "Task cancelled"
    TASK_REJECTED = "task.rejected", "Task rejected by moderation"
    TASK_REVIEW = "task.review", "Task held for review"
    CREDITS_LOW = "credits.low", "Credits low"
    ASSET_MODERATED = "asset.moderated", "Asset moderated"
    WEBHOOK_TEST = "webhook.test", "Test event"


class PayloadFormat(models.TextChoices):
    """How an endpoint's bodies are written; every format is signed the same way."""

    STANDARD = "standard", "Reelsmith: {type, timestamp, data}"
    # ALwrity Video Studio's payload (spec 000), for endpoints registered through
    # /compat/alwrity: {event, task_id, user_id, result_url, metadata}.
    ALWRITY = "alwrity", "ALwrity: {event, task_id, user_id, result_url, metadata}"


class WebhookEndpoint(BaseModel):
    """A URL of the workspace's that receives the events it subscribed to."""

    public_id = PublicIdField(prefix="whk")
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.CharField(max_length=2048)
    events = models.JSONField(default=list, help_text="Event names (see Event).")
    description = models.CharField(max_length=255, blank=True)
    enabled = models.BooleanField(default=True)
    payload_format = models.CharField(
        max_length=16, choices=PayloadFormat.choices, default=PayloadFormat.STANDARD
    )
    secret = models.CharField(max_length=100)
    # After a rotation the old secret still signs (next to the new one) until this time.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # Why the endpoint was switched off automatically (410 Gone, 5 days of failures).
    disabled_reason = models.CharField(max_length=255, blank=True)
    # The first failed attempt since the last success: 5 days of failures disable it.
    failing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.public_id} {self.url}"


class WorkspaceJobSecret(BaseModel):
    """The secret signing one-off deliveries to a job's own `webhook_url`, one per workspace,
    made on first use."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="webhook_job_secret"
    )
    secret = models.CharField(max_length=100)

    def __str__(self) -> str:
        return f"job secret of {self.workspace}"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookMessage(BaseModel):
    """One event for one destination (the outbox row). `public_id` is the `webhook-id`
    header: the same on every attempt, so receivers can deduplicate."""

    public_id = PublicIdField(prefix="msg")
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="webhook_messages"
    )
    # NULL for a one-off delivery to a job's `webhook_url`, which is kept in `url`.
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    url = models.CharField(max_length=2048, blank=True)
    event = models.CharField(max_length=40, choices=Event.choices)
    # The exact JSON body, kept as text so every attempt sends the same bytes.
    body = models.TextField()
    status = models.CharField(
        max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A delivery in flight owns the message until this time (no second concurrent send).
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempt_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["endpoint", "-created_at"]),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_message_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(endpoint__isnull=False) | ~Q(url=""),
                name="webhook_message_has_destination",
            )
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.event} ({self.status})"


class WebhookAttempt(models.Model):
    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    response_body = models.TextField(blank=True, help_text="The first 1 KB of the response.")

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.message_id} at {self.at}: {self.response_status or self.error}"
