"""Reads of the audit log; like every tenant read, the workspace comes first."""

import datetime as dt

from django.db.models import Q, QuerySet

from apps.accounts.audit_models import AuditAction, AuditEvent
from apps.accounts.models import Workspace
from apps.core.errors import ValidationError

# `?action=api_key` means every `api_key.*` action.
ACTION_FAMILIES = sorted({value.split(".")[0] for value in AuditAction.values})


def _action_filter(action: str) -> Q:
    if action in AuditAction.values:
        return Q(action=action)
    if action in ACTION_FAMILIES:
        return Q(action__startswith=f"{action}.")
    raise ValidationError(
        f"Unknown action {action!r}: give an action such as 'api_key.revoked' or a family "
        "such as 'api_key'.",
        details={"fields": {"action": ["Unknown action."]}, "allowed": AuditAction.values},
    )


def _actor_filter(actor: str) -> Q:
    """A user id (usr_…), an API key id (key_…), a user's email, or a label such as
    'stripe' or 'system'."""
    if actor.startswith("usr_"):
        return Q(actor_user__public_id=actor)
    if actor.startswith("key_"):
        return Q(actor_api_key__public_id=actor)
    return Q(actor_user__email__iexact=actor) | Q(actor_label__iexact=actor)


def audit_events_list(
    *,
    workspace: Workspace,
    action: str | None = None,
    actor: str | None = None,
    target: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The workspace's events, newest first; `since` inclusive, `until` exclusive."""
    events = AuditEvent.objects.filter(workspace=workspace)
    if action:
        events = events.filter(_action_filter(action))
    if actor:
        events = events.filter(_actor_filter(actor))
    if target:
        events = events.filter(target_id=target)
    if since is not None:
        events = events.filter(at__gte=since)
    if until is not None:
        events = events.filter(at__lt=until)
    if since is not None and until is not None and since > until:
        raise ValidationError(
            "`from` is after `to`.", details={"fields": {"from": ["After `to`."]}}
        )
    return events.select_related("actor_user", "actor_api_key").order_by("-at", "-id")
