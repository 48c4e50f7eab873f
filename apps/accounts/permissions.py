"""Resolves `request.workspace` and `request.membership` once per API request:
an API key gives its workspace; a session gives the user's active workspace."""

from typing import Any

from rest_framework.permissions import BasePermission

from apps.accounts.models import ApiKey
from apps.accounts.selectors import user_active_membership
from apps.core.errors import AuthenticationFailed, PermissionDenied


def resolve_workspace(request: Any) -> None:
    if getattr(request, "_workspace_resolved", False):
        return
    membership = None
    user = request.user
    if isinstance(request.auth, ApiKey):
        # Loaded with the key (see api_key_authenticate); None once the user left.
        membership = request.auth.membership
    elif user is not None and user.is_authenticated:
        membership = user_active_membership(user=user)
    for target in (request, getattr(request, "_request", None)):
        if target is not None:
            target.membership = membership
            target.workspace = membership.workspace if membership else None
            target._workspace_resolved = True


class IsWorkspaceMember(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            raise AuthenticationFailed(
                "Authentication required: send `Authorization: Bearer <key>` or `X-API-Key: <key>`."
            )
        resolve_workspace(request)
        if request.membership is None:
            raise PermissionDenied("You are not a member of any workspace.")
        workspace_closed_check(request.workspace, view)
        return True


def workspace_closed_check(workspace: Any, view: Any) -> None:
    """403 for every request to a closed workspace, except the few views that declare
    `allows_closed_workspace` (reopening it, and reading its exports)."""
    if workspace.closed_at is None or getattr(view, "allows_closed_workspace", False):
        return
    raise PermissionDenied(
        f"This workspace was closed on {workspace.closed_at:%Y-%m-%d %H:%M} UTC; "
        + (
            "it has been erased."
            if workspace.erased_at
            else f"its owner can reopen it until {workspace.erase_after:%Y-%m-%d %H:%M} UTC."
        ),
        details={"workspace_closed": True, "closed_at": workspace.closed_at.isoformat()},
    )


class IsWorkspaceManager(IsWorkspaceMember):
    """Owners and admins."""

    def has_permission(self, request: Any, view: Any) -> bool:
        super().has_permission(request, view)
        if not request.membership.can_manage:
            raise PermissionDenied("Only the workspace's owners and admins can do this.")
        return True


class IsStaff(BasePermission):
    """Platform staff only; no workspace role grants this."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            raise AuthenticationFailed()
        if not request.user.is_staff:
            raise PermissionDenied("Only Reelsmith staff can do this.")
        resolve_workspace(request)
        return True
