"""The audit log: who did what to which object, from where. Append-only like the ledger:
the model refuses updates and deletes, and the database refuses changes to what was
recorded (migration 0005). Only retention (`apps.accounts.audit.audit_events_purge`)
removes rows, past their tier's RETENTION_AUDIT_DAYS."""

from typing import Any, NoReturn

from django.db import models
from django.utils import timezone

from apps.core.models import PublicIdField


class AuditAction(models.TextChoices):
    SIGN_IN = "auth.sign_in", "Signed in"
    SIGN_IN_FAILED = "auth.sign_in_failed", "Failed sign-in"
    API_KEY_CREATED = "api_key.created", "API key created"
    API_KEY_REVOKED = "api_key.revoked", "API key revoked"
    API_KEY_SCOPES_CHANGED = "api_key.scopes_changed", "API key scopes changed"
    MEMBER_ADDED = "member.added", "Member added"
    MEMBER_REMOVED = "member.removed", "Member removed"
    MEMBER_ROLE_CHANGED = "member.role_changed", "Member role changed"
    WORKSPACE_TIER_CHANGED = "workspace.tier_changed", "Tier changed"
    SUBSCRIPTION_CHANGED = "subscription.changed", "Subscription changed"
    CREDITS_GRANTED = "credits.granted", "Credits granted"
    CREDITS_REFUNDED = "credits.refunded", "Credits refunded"
    CREDITS_ADJUSTED = "credits.adjusted", "Credits adjusted"
    BYOK_ADDED = "byok.added", "Provider key added"
    BYOK_REMOVED = "byok.removed", "Provider key removed"
    WEBHOOK_ENDPOINT_CREATED = "webhook_endpoint.created", "Webhook endpoint created"
    WEBHOOK_ENDPOINT_UPDATED = "webhook_endpoint.updated", "Webhook endpoint updated"
    WEBHOOK_ENDPOINT_DELETED = "webhook_endpoint.deleted", "Webhook endpoint deleted"
    MODERATION_DECIDED = "moderation.decided", "Moderation decision"
    MODERATION_APPEALED = "moderation.appealed", "Moderation appeal"
    ASSET_MADE_PUBLIC = "asset.made_public", "Asset made public"
    WORKSPACE_EXPORTED = "workspace.exported", "Workspace exported"
    WORKSPACE_CLOSED = "workspace.closed", "Workspace closed"
    WORKSPACE_REOPENED = "workspace.reopened", "Workspace reopened"
    ADMIN_ACTION = "admin.action", "Staff admin action"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("Audit events are append-only.")

    def delete(self) -> NoReturn:
        raise TypeError("Audit events are append-only; retention purges them.")


class AuditEvent(models.Model):
    """One audited action. The actor is a user, an API key (with the user who owns it), or
    nobody (the system, Stripe, a failed sign-in); `actor_label` keeps who it was readable
    after the user or key is gone. `workspace` is empty for platform-level events (a
    failed sign-in with an unknown email)."""

    public_id = PublicIdField(prefix="aud")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # PROTECT like the ledger: a workspace with an audit trail is closed, never deleted.
    workspace = models.ForeignKey(
        "accounts.Workspace", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # SET_NULL is the one change the database allows (it only ever nulls these two).
    actor_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_api_key = models.ForeignKey(
        "accounts.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=255)
    # Validated against AuditAction by `record`; no DB choices, so a new action needs no
    # migration.
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ("-at", "-id")
        indexes = [
            models.Index(fields=["workspace", "-at", "-id"], name="audit_ws_at"),
            models.Index(fields=["workspace", "action", "-at"], name="audit_ws_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Audit events are append-only; retention purges them.")
