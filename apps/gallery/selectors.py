"""Reads of assets. Tenant reads take the workspace first; another workspace's asset and a
missing one raise the same NotFound."""

from django.db.models import Q, QuerySet

from apps.accounts.models import Workspace
from apps.core.errors import NotFound
from apps.gallery import storage
from apps.gallery.models import Asset, AssetStatus, ModerationState, Visibility

_NOT_FOUND = "No such asset."


def assets_list(
    *,
    workspace: Workspace,
    kind: str | None = None,
    visibility: str | None = None,
    favorite: bool | None = None,
    saved: bool | None = None,
    q: str | None = None,
) -> QuerySet[Asset]:
    qs = Asset.objects.filter(workspace=workspace, status=AssetStatus.READY).select_related(
        "workspace__tier"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if visibility:
        qs = qs.filter(visibility=visibility)
    if favorite is not None:
        qs = qs.filter(favorite=favorite)
    if saved is not None:
        qs = qs.filter(saved=saved)
    if q:
        for word in q.split()[:8]:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(original_name__icontains=word)
                | Q(prompt__icontains=word)
                | Q(model__icontains=word)
                | Q(tags__icontains=word)
            )
    return qs.order_by("-created_at", "-id")


def asset_get(*, workspace: Workspace, public_id: str) -> Asset:
    try:
        return assets_list(workspace=workspace).get(public_id=public_id)
    except Asset.DoesNotExist:
        raise NotFound(_NOT_FOUND) from None


def asset_get_pending_upload(*, workspace: Workspace, public_id: str) -> Asset:
    """An asset of this workspace that is still being uploaded, or ready (completing twice
    is allowed)."""
    try:
        return Asset.objects.select_related("workspace__tier").get(
            workspace=workspace, public_id=public_id
        )
    except Asset.DoesNotExist:
        raise NotFound("No such upload.") from None


def assets_public() -> QuerySet[Asset]:
    """Public assets that passed moderation, across workspaces, newest first."""
    return (
        Asset.objects.filter(
            status=AssetStatus.READY,
            visibility=Visibility.PUBLIC,
            moderation_state=ModerationState.APPROVED,
        )
        .select_related("workspace__tier")
        .order_by("-created_at", "-id")
    )


def asset_get_reportable(*, workspace: Workspace, public_id: str) -> Asset:
    """An asset the caller can see: their own, or another workspace's public or unlisted
    one. A private asset of another workspace is NotFound, like a missing one."""
    try:
        return Asset.objects.select_related("workspace").get(
            Q(workspace=workspace) | Q(visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED]),
            status=AssetStatus.READY,
            public_id=public_id,
        )
    except Asset.DoesNotExist:
        raise NotFound(_NOT_FOUND) from None


def asset_get_by_media_url(*, workspace: Workspace, url: str) -> Asset | None:
    """The asset a media URL of ours names (a link this server handed out), or None for a
    URL that is not ours. Our URL of another workspace's asset is NotFound, like a missing
    one: our own links are resolved, never fetched."""
    key = storage.key_from_media_url(url)
    if key is None:
        return None
    asset = assets_list(workspace=workspace).filter(storage_key=key).first()
    if asset is None:
        raise NotFound(_NOT_FOUND)
    return asset
