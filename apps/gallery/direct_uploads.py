"""Direct uploads: a presigned PUT straight to storage (S3, or our own signed URL on local
disk), claimed by exactly one PUT, then validated and made ready by `complete`."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User, Workspace
from apps.core.errors import ApplicationError, Conflict, NotFound, ValidationError
from apps.gallery import storage
from apps.gallery.models import Asset, AssetStatus
from apps.gallery.objects import (
    asset_abandon,
    asset_apply_info,
    asset_reserve_pending,
    media_validate,
    tempdir,
    thumbnail_make,
)
from apps.gallery.quota import upload_limit_bytes
from apps.gallery.uploads import file_too_large, upload_count


@dataclass(frozen=True)
class DirectUpload:
    asset: Asset
    put_url: str
    headers: dict[str, str]
    expires_at: datetime


def upload_direct_start(
    *,
    workspace: Workspace,
    owner: User | None,
    filename: str,
    size_bytes: int,
    content_type: str = "application/octet-stream",
) -> DirectUpload:
    """Reserves `size_bytes` and returns where to PUT exactly that many bytes: a presigned
    S3 URL, or on local disk a signed URL of our own."""
    limit = upload_limit_bytes(workspace=workspace)
    if size_bytes <= 0:
        raise ValidationError("size_bytes must be positive.")
    if size_bytes > limit:
        raise file_too_large(limit_bytes=limit, size_bytes=size_bytes)
    ttl = int(settings.GALLERY_DIRECT_UPLOAD_TTL_S)
    expires_at = timezone.now() + timedelta(seconds=ttl)
    asset = asset_reserve_pending(
        workspace=workspace,
        size_bytes=size_bytes,
        owner=owner,
        original_name=storage.sanitize_filename(filename),
        upload_expires_at=expires_at,
    )
    content_type = content_type or "application/octet-stream"
    if storage.is_s3():
        url, headers = storage.presigned_put(
            key=asset.storage_key, content_type=content_type, expires_in=ttl
        )
    else:
        url, headers = storage.local_put_url(key=asset.storage_key, size_bytes=size_bytes, ttl=ttl)
    return DirectUpload(asset=asset, put_url=url, headers=headers, expires_at=expires_at)


def upload_direct_claim(*, storage_key: str) -> Asset:
    """Claims a pending direct upload for one local-disk PUT, before any byte is written.

    The claim is one conditional UPDATE (`uploading` → `receiving`), so of any number of
    concurrent PUTs exactly one gets it; the others are CONFLICT (409), as is a PUT after
    the object is already there. A claim older than GALLERY_STALE_UPLOAD_S (its writer
    died) can be taken over; the exclusive write at the exact key still lets only one
    writer place the object. Release with `upload_direct_release`."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.GALLERY_STALE_UPLOAD_S)
    pending = Asset.objects.filter(storage_key=storage_key).exclude(status=AssetStatus.READY)
    claimed = pending.filter(
        Q(status=AssetStatus.UPLOADING) | Q(status=AssetStatus.RECEIVING, updated_at__lt=stale)
    ).update(status=AssetStatus.RECEIVING, updated_at=now)
    asset = pending.select_related("workspace").first()
    if asset is None:
        raise NotFound("No such upload.")
    if not claimed:
        raise Conflict(
            "This upload is already being sent by another request.",
            details={"upload_id": asset.public_id},
        )
    if _stored_size(storage_key) is not None:
        upload_direct_release(asset=asset)
        raise Conflict("This upload has already been sent.", details={"upload_id": asset.public_id})
    return asset


def upload_direct_release(*, asset: Asset) -> None:
    """Gives a PUT's claim back (after it placed the object, or failed without a trace)."""
    Asset.objects.filter(pk=asset.pk, status=AssetStatus.RECEIVING).update(
        status=AssetStatus.UPLOADING, updated_at=timezone.now()
    )


def _stored_size(key: str) -> int | None:
    if storage.is_s3():
        return storage.s3_object_size(key)
    store = storage.get_storage()
    return store.size(key) if store.exists(key) else None


def upload_direct_complete(*, asset: Asset) -> Asset:
    """Checks the PUT object has the declared size and is media we accept, then makes the
    asset ready. A wrong size or an unacceptable file deletes the upload and frees the
    space. Completing twice returns the same asset."""
    if asset.status == AssetStatus.READY:
        return asset
    if asset.status == AssetStatus.RECEIVING:
        raise Conflict(
            "The upload is still being received: complete it once the PUT has finished.",
            details={"upload_id": asset.public_id},
        )
    size = _stored_size(asset.storage_key)
    if size is None:
        raise Conflict(
            "Nothing has been uploaded yet: PUT the file to put_url first.",
            details={"upload_id": asset.public_id},
        )
    if size != asset.size_bytes:
        asset_abandon(asset)
        raise ValidationError(
            f"The upload has {size} bytes but {asset.size_bytes} were declared; "
            "it has been discarded.",
            details={"size_bytes": size, "declared_bytes": asset.size_bytes},
        )
    with tempdir() as tmp:
        if storage.is_s3():
            local = tmp / "object"
            storage.s3_download(key=asset.storage_key, dest=local)
        else:
            local = Path(storage.get_storage().path(asset.storage_key))
        try:
            info = media_validate(local, kind=None, deep=True)
        except ApplicationError:
            asset_abandon(asset)
            raise
        thumb_path = tmp / "thumb.jpg"
        thumb_key = ""
        if thumbnail_make(info, thumb_path):
            thumb_key = storage.store_file(
                key=asset.key_prefix + "thumb.jpg", path=thumb_path, content_type="image/jpeg"
            )
    asset_apply_info(asset, info)
    asset.original_name = storage.sanitize_filename(asset.original_name, container=info.container)
    asset.thumbnail_key = thumb_key
    asset.status = AssetStatus.READY
    asset.upload_expires_at = None
    fields = [
        "kind",
        "container",
        "content_type",
        "duration",
        "width",
        "height",
        "fps",
        "video_codec",
        "audio_codec",
        "original_name",
        "thumbnail_key",
        "status",
        "upload_expires_at",
    ]
    # `receiving` too: a late second PUT may hold a claim it is about to give back (it
    # found the object there) and must not make this completion look lost.
    updated = Asset.objects.filter(
        pk=asset.pk, status__in=[AssetStatus.UPLOADING, AssetStatus.RECEIVING]
    ).update(**{f: getattr(asset, f) for f in fields}, updated_at=timezone.now())
    if not updated:  # a concurrent complete won; return its result
        asset.refresh_from_db()
    else:
        upload_count(source="direct", size_bytes=asset.size_bytes)
    return asset
