"""Reads of tenant data. Every selector takes the workspace first; another tenant's row
and a missing row both raise the same NotFound."""

from django.db.models import QuerySet

from apps.accounts.models import ApiKey, Membership, User, Workspace
from apps.core.errors import NotFound


def membership_for(*, user: User, workspace: Workspace) -> Membership | None:
    return Membership.objects.filter(user=user, workspace=workspace).first()


def user_memberships(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("workspace", "workspace__tier")
        .order_by("workspace__name", "workspace__id")
    )


def user_active_membership(*, user: User) -> Membership | None:
    """The user's active workspace, falling back to the first one they belong to."""
    memberships = user_memberships(user=user)
    if user.active_workspace_id:
        chosen = memberships.filter(workspace_id=user.active_workspace_id).first()
        if chosen:
            return chosen
    return memberships.order_by("-workspace__is_personal", "created_at").first()


def members_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user")


def membership_get(*, workspace: Workspace, public_id: str) -> Membership:
    try:
        return members_list(workspace=workspace).get(public_id=public_id)
    except Membership.DoesNotExist:
        raise NotFound("No such member.") from None


def api_keys_list(*, workspace: Workspace) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(workspace=workspace).select_related("created_by")


def api_key_get(*, workspace: Workspace, public_id: str) -> ApiKey:
    try:
        return api_keys_list(workspace=workspace).get(public_id=public_id)
    except ApiKey.DoesNotExist:
        raise NotFound("No such API key.") from None
