"""Writes for users, workspaces, memberships and API keys."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts import audit, keys
from apps.accounts.models import ApiKey, AuditAction, Membership, Role, Tier, User, Workspace
from apps.accounts.selectors import api_key_for_prefix, membership_for
from apps.accounts.signals import workspace_created
from apps.core.errors import Conflict, NotFound, PermissionDenied, ValidationError

DEFAULT_TIER = "free"
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def tier_get(*, name: str) -> Tier:
    try:
        return Tier.objects.get(name=name)
    except Tier.DoesNotExist:
        names = ", ".join(Tier.objects.values_list("name", flat=True))
        raise ValidationError(
            f"Unknown tier '{name}'; choose one of: {names}.", details={"allowed": names}
        ) from None


@transaction.atomic
def workspace_create(
    *, owner: User, name: str, tier: str = DEFAULT_TIER, is_personal: bool = False
) -> Workspace:
    workspace = Workspace.objects.create(
        name=name, tier=tier_get(name=tier), is_personal=is_personal, created_by=owner
    )
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    if owner.active_workspace_id is None:
        owner.active_workspace = workspace
        owner.save(update_fields=["active_workspace"])
    # Higher layers (billing opens the credit account) listen; accounts never imports them.
    workspace_created.send(sender=Workspace, workspace=workspace)
    return workspace


@transaction.atomic
def user_signup(
    *, email: str, password: str | None, name: str = "", is_staff: bool = False
) -> User:
    """A new user and their personal workspace on the Free tier."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict("An account with this email already exists.")
    try:
        user = User.objects.create_user(
            email, password, name=name, is_staff=is_staff, is_superuser=is_staff
        )
    except IntegrityError:
        raise Conflict("An account with this email already exists.") from None
    label = name or email.split("@")[0]
    workspace_create(owner=user, name=f"{label}'s workspace", is_personal=True)
    return user


def workspace_switch(*, user: User, workspace_public_id: str) -> Workspace:
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=user, workspace__public_id=workspace_public_id)
        .first()
    )
    if membership is None:
        raise NotFound("No such workspace.")
    user.active_workspace = membership.workspace
    user.save(update_fields=["active_workspace"])
    return membership.workspace


def _require_manager(actor: Membership) -> None:
    if not actor.can_manage:
        raise PermissionDenied("Only the workspace's owners and admins can manage members.")


def _lock_workspace(workspace: Workspace) -> None:
    # Serialises role changes so "keep at least one owner" cannot be raced.
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()


def _owner_count(workspace: Workspace) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.OWNER).count()


@transaction.atomic
def membership_add(*, actor: Membership, email: str, role: str = Role.MEMBER) -> Membership:
    _require_manager(actor)
    if role not in Role.values:
        raise ValidationError(f"Unknown role '{role}'.", details={"allowed": Role.values})
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can add another owner.")
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationError(
            f"No Reelsmith account uses {email}; ask them to sign up first.",
            details={"email": email},
        )
    _lock_workspace(actor.workspace)
    if membership_for(user=user, workspace=actor.workspace):
        raise Conflict(f"{user.email} is already a member of this workspace.")
    membership = Membership.objects.create(workspace=actor.workspace, user=user, role=role)
    audit.record(
        action=AuditAction.MEMBER_ADDED,
        workspace=actor.workspace,
        actor_user=actor.user,
        target=membership,
        details={"email": user.email, "role": role},
    )
    return membership


@transaction.atomic
def membership_change_role(*, actor: Membership, membership: Membership, role: str) -> Membership:
    _require_manager(actor)
    if role not in Role.values:
        raise ValidationError(f"Unknown role '{role}'.", details={"allowed": Role.values})
    if Role.OWNER in (role, membership.role) and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can grant or take away the owner role.")
    _lock_workspace(actor.workspace)
    membership.refresh_from_db()
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and _owner_count(membership.workspace) == 1
    ):
        raise Conflict("A workspace needs at least one owner; make someone else owner first.")
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    if before != role:
        audit.record(
            action=AuditAction.MEMBER_ROLE_CHANGED,
            workspace=membership.workspace,
            actor_user=actor.user,
            target=membership,
            details={"email": membership.user.email, "from": before, "to": role},
        )
    return membership


@transaction.atomic
def membership_remove(*, actor: Membership, membership: Membership) -> None:
    """Removes a member (or lets a member leave). Their API keys for this workspace
    stop working with them."""
    if membership.pk != actor.pk:
        _require_manager(actor)
        if membership.role == Role.OWNER and actor.role != Role.OWNER:
            raise PermissionDenied("Only an owner can remove an owner.")
    _lock_workspace(actor.workspace)
    if membership.role == Role.OWNER and _owner_count(membership.workspace) == 1:
        raise Conflict("A workspace needs at least one owner; make someone else owner first.")
    revoked = ApiKey.objects.filter(
        workspace=membership.workspace, created_by=membership.user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    User.objects.filter(pk=membership.user_id, active_workspace_id=membership.workspace_id).update(
        active_workspace=None
    )
    audit.record(
        action=AuditAction.MEMBER_REMOVED,
        workspace=membership.workspace,
        actor_user=actor.user,
        target=membership,
        details={
            "email": membership.user.email,
            "role": membership.role,
            "left": membership.pk == actor.pk,
            "api_keys_revoked": revoked,
        },
    )
    membership.delete()


@transaction.atomic
def api_key_create(*, actor: Membership, name: str) -> tuple[ApiKey, str]:
    """A new key and its full secret, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the key a name.", details={"fields": {"name": ["Required."]}})
    prefix, full_key = keys.generate()
    api_key = ApiKey.objects.create(
        workspace=actor.workspace,
        created_by=actor.user,
        name=name[:100],
        prefix=prefix,
        hashed_secret=keys.hash_key(full_key),
    )
    audit.record(
        action=AuditAction.API_KEY_CREATED,
        workspace=actor.workspace,
        actor_user=actor.user,
        target=api_key,
        details={"name": api_key.name, "prefix": prefix, "owner": actor.user.email},
    )
    return api_key, full_key


@transaction.atomic
def api_key_revoke(*, actor: Membership, api_key: ApiKey) -> ApiKey:
    if api_key.created_by_id != actor.user_id and not actor.can_manage:
        raise PermissionDenied("Only owners and admins can revoke someone else's key.")
    # Under the row lock, so two revokes record one event.
    locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if locked.revoked_at is None:
        api_key.revoked_at = locked.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            action=AuditAction.API_KEY_REVOKED,
            workspace=api_key.workspace,
            actor_user=actor.user,
            target=api_key,
            details={"name": api_key.name, "prefix": api_key.prefix},
        )
    else:
        api_key.revoked_at = locked.revoked_at
    return api_key


@transaction.atomic
def workspace_tier_change(
    *, workspace: Workspace, tier: Tier, reason: str = "", actor_label: str = ""
) -> bool:
    """Moves the workspace to `tier` (a subscription change, staff in the admin); records
    `workspace.tier_changed`. False when it already was on that tier."""
    before_id = (
        Workspace.objects.select_for_update()
        .filter(pk=workspace.pk)
        .values_list("tier_id", flat=True)
        .first()
    )
    if before_id is None or before_id == tier.pk:
        return False
    before = Tier.objects.get(pk=before_id).name
    Workspace.objects.filter(pk=workspace.pk).update(tier=tier, updated_at=timezone.now())
    workspace.tier = tier
    audit.record(
        action=AuditAction.WORKSPACE_TIER_CHANGED,
        workspace=workspace,
        target=workspace,
        details={"from": before, "to": tier.name, "reason": reason},
        actor_label=actor_label,
    )
    return True


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The active key matching `raw_key`, or None for any wrong, revoked or malformed key
    (callers answer all three the same way)."""
    prefix = keys.parse_prefix(raw_key)
    if prefix is None:
        return None
    api_key = api_key_for_prefix(prefix=prefix)
    if api_key is None or not keys.matches(raw_key, api_key.hashed_secret):
        return None
    if not api_key.created_by.is_active:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
