"""Audit events for what Django itself does: sign-ins (its auth signals, so every login
path — the dashboard, the admin, sign-up — is covered) and staff actions in the Django
admin (each LogEntry the admin writes is mirrored as `admin.action`)."""

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.accounts import audit
from apps.accounts.models import AuditAction, User, Workspace
from apps.accounts.selectors import user_active_membership

ADMIN_VERBS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


def _workspace_of(user: User) -> Workspace | None:
    membership = user_active_membership(user=user)
    return membership.workspace if membership else None


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def _signed_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit.record(
        action=AuditAction.SIGN_IN,
        workspace=_workspace_of(user),
        target=user,
        request=request,
        actor_user=user,
        details={"email": user.email},
    )


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    user = User.objects.filter(email__iexact=email).first() if email else None
    audit.record(
        action=AuditAction.SIGN_IN_FAILED,
        # An unknown email belongs to no workspace: a platform-level event.
        workspace=_workspace_of(user) if user else None,
        target=user,
        request=request,
        actor_label="anonymous",
        details={"email": email, "known_user": user is not None},
    )


def _admin_object(entry: LogEntry) -> Any:
    # The admin logs a deletion before it deletes, so the object is still there.
    try:
        return entry.get_edited_object()
    except Exception:
        return None


# Django bulk-creates the entries of a "delete selected" of several objects, which sends no
# post_save: those are not mirrored (docs/operations.md).
@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_action")
def _admin_action(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    obj = _admin_object(instance)
    workspace = obj if isinstance(obj, Workspace) else getattr(obj, "workspace", None)
    if not isinstance(workspace, Workspace):
        workspace = None
    model = instance.content_type.model if instance.content_type_id else ""
    audit.record(
        action=AuditAction.ADMIN_ACTION,
        workspace=workspace,
        target_type=audit.target_of(obj)[0] if obj is not None else model,
        target_id=audit.target_of(obj)[1] if obj is not None else instance.object_id or "",
        actor_user=instance.user,
        details={
            "verb": ADMIN_VERBS.get(instance.action_flag, str(instance.action_flag)),
            "model": model,
            "object": instance.object_repr,
            "change": instance.get_change_message(),
        },
    )
