"""Reads of assets. Tenant reads take the workspace first; another workspace's asset and a
missing one raise the same NotFound."""

from django.db.models import Q, QuerySet, TextChoices

from apps.accounts.models import Workspace
from apps.core.errors import NotFound
from apps.gallery import storage
from apps.gallery.models import Asset, AssetStatus, ModerationState, Visibility

_NOT_FOUND = "No such asset."


class GalleryView(TextChoices):
    RESULTS = "results", "Results"
    UPLOADS = "uploads", "Uploads"
    SAVED = "saved", "Saved"
    ALL = "all", "All"


# A job's result carries the job's model (jobs.delivery); the files a job was given as its
# inputs carry the job id too, but no model, and so stay out of Results.
_IS_RESULT = ~Q(source_job_id="") & ~Q(model="")


def assets_list(
    *,
    workspace: Workspace,
    kind: str | None = None,
    visibility: str | None = None,
    favorite: bool | None = None,
    saved: bool | None = None,
    q: str | None = None,
    view: str | None = None,
) -> QuerySet[Asset]:
    """`view`: one of GalleryView (results, uploads, saved, all); None is all."""
    qs = Asset.objects.filter(workspace=workspace, status=AssetStatus.READY).select_related(
        "workspace__tier"
    )
    if view == GalleryView.RESULTS:
        qs = qs.filter(_IS_RESULT)
    elif view == GalleryView.UPLOADS:
        qs = qs.filter(source_job_id="")
    elif view == GalleryView.SAVED:
        qs = qs.filter(saved=True)
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
    """Public assets that passed moderation, across workspaces, newest first. Only saved
    ones: services refuse to publish an unsaved asset, and a row published before that
    rule (or written around the service) stays out of the feed until it is saved. A closed
    workspace's assets leave the feed at closure (apps/jobs/closure.py)."""
    return (
        Asset.objects.filter(
            workspace__closed_at__isnull=True,
            status=AssetStatus.READY,
            visibility=Visibility.PUBLIC,
            moderation_state=ModerationState.APPROVED,
            saved=True,
        )
        .select_related("workspace__tier")
        .order_by("-created_at", "-id")
    )


def asset_get_public(*, public_id: str) -> Asset:
    """One asset of the public feed (its share page), or NotFound like a missing one."""
    try:
        return assets_public().get(public_id=public_id)
    except Asset.DoesNotExist:
        raise NotFound(_NOT_FOUND) from None


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
