"""Writes: storage accounting, asset creation (uploads, URLs, job results), edits,
deletion, reports, direct uploads, retention.

Quota protocol. `storage_reserve` is one conditional UPDATE (`used + n <= quota`), so
concurrent writers can never overshoot. Asset creation reserves and inserts the asset row
(status `uploading`) in one short transaction, then writes the bytes outside any
transaction, then marks the row `ready`; any failure deletes what was written, deletes the
row and gives the bytes back. The counter therefore always equals the sum of the rows'
`size_bytes`, which is what `storage_recount` restores if a process died half-way."""

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Greatest
from django.utils import timezone
from PIL import Image

import apps.media as media
from apps.accounts.models import Tier, User, Workspace
from apps.core.errors import ApplicationError, Conflict, ErrorCode, NotFound, ValidationError
from apps.core.http import fetch_to_file
from apps.gallery import storage
from apps.gallery.models import (
    Asset,
    AssetKind,
    AssetReport,
    AssetStatus,
    ModerationState,
    Visibility,
)
from apps.gallery.signals import asset_reported, asset_visibility_requested
from apps.gallery.uploads import file_too_large

logger = logging.getLogger(__name__)

THUMBNAIL_WIDTH = 480
_MEDIA_CODES = {
    ErrorCode.UNSUPPORTED_FORMAT,
    ErrorCode.CORRUPTION_DETECTED,
    ErrorCode.VALIDATION_ERROR,
}


class StorageFull(ApplicationError):
    code = ErrorCode.STORAGE_FULL
    status = 507
    default_message = "The workspace's storage is full."


# --- storage accounting -----------------------------------------------------------------


def _quota_and_used(workspace: Workspace) -> tuple[int | None, int]:
    quota, used = Workspace.objects.filter(pk=workspace.pk).values_list(
        "tier__storage_quota_bytes", "storage_used_bytes"
    )[0]
    return quota, used


def storage_reserve(*, workspace: Workspace, size_bytes: int) -> None:
    """Adds `size_bytes` to the workspace's usage if it fits the tier's quota, atomically;
    else raises STORAGE_FULL (507) with used/quota in details."""
    if size_bytes < 0:
        raise ValueError("size_bytes must be >= 0")
    quota, used = _quota_and_used(workspace)
    rows = Workspace.objects.filter(pk=workspace.pk)
    if quota is not None:
        # The condition sits on the row being updated, so the database re-checks it after
        # taking the row lock: two writers cannot both squeeze into the last bytes.
        rows = rows.filter(storage_used_bytes__lte=quota - size_bytes)
    if rows.update(storage_used_bytes=F("storage_used_bytes") + size_bytes) == 1:
        workspace.storage_used_bytes = used + size_bytes
        return
    quota, used = _quota_and_used(workspace)
    raise StorageFull(
        f"Not enough storage: {used} of {quota} bytes used, {size_bytes} more needed. "
        "Delete assets or upgrade the workspace's tier.",
        details={"used_bytes": used, "quota_bytes": quota, "requested_bytes": size_bytes},
    )


def storage_release(*, workspace: Workspace, size_bytes: int) -> None:
    """Gives `size_bytes` back (never below zero; the recount repairs any drift)."""
    if size_bytes <= 0:
        return
    Workspace.objects.filter(pk=workspace.pk).update(
        storage_used_bytes=Greatest(F("storage_used_bytes") - size_bytes, 0)
    )


def storage_recount(*, workspace: Workspace) -> int:
    """Sets the counter to the sum over the workspace's asset rows; returns the drift fixed."""
    with transaction.atomic():
        row = Workspace.objects.select_for_update().get(pk=workspace.pk)
        total = Asset.objects.filter(workspace_id=row.pk).aggregate(s=Sum("size_bytes"))["s"] or 0
        drift = total - row.storage_used_bytes
        if drift:
            Workspace.objects.filter(pk=row.pk).update(storage_used_bytes=total)
            logger.warning("storage drift of %d bytes fixed for %s", drift, row.public_id)
    workspace.storage_used_bytes = total
    return int(drift)


def storage_recount_all() -> int:
    """Recounts every workspace; returns how many had drifted."""
    fixed = 0
    for ws in Workspace.objects.only("pk", "public_id").iterator():
        fixed += storage_recount(workspace=ws) != 0
    return fixed


# --- helpers ------------------------------------------------------------------------------


def _tier(workspace: Workspace) -> Tier:
    return Tier.objects.get(workspaces=workspace)


def upload_limit_bytes(*, workspace: Workspace) -> int:
    return int(_tier(workspace).max_upload_bytes)


def media_error(exc: media.MediaError) -> ApplicationError:
    """A media engine error as the API error of the same code (400)."""
    code = exc.code if exc.code in _MEDIA_CODES else ErrorCode.VALIDATION_ERROR
    details = {
        k: v
        for k, v in exc.details.items()
        if k != "path" and isinstance(v, str | int | float | bool | type(None))
    }
    return ApplicationError(exc.message, code=code, status=400, details=details)


def _validate(
    path: Path, *, kind: str | None, deep: bool, limits: media.Limits = media.DEFAULT_LIMITS
) -> media.MediaInfo:
    try:
        return media.validate(path=path, expect=kind, deep=deep, limits=limits)  # type: ignore[arg-type]
    except media.MediaError as exc:
        raise media_error(exc) from None


@contextmanager
def _tempdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(
        prefix="gallery-", dir=getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    ) as d:
        yield Path(d)


def _make_thumbnail(info: media.MediaInfo, dst: Path) -> bool:
    """A JPEG poster for videos and images; audio has none. Never fails the upload."""
    try:
        if info.kind == AssetKind.VIDEO:
            media.thumbnail(src=info.path, dst=dst, width=THUMBNAIL_WIDTH)
            return True
        if info.kind == AssetKind.IMAGE:
            with Image.open(info.path) as img:
                img.draft("RGB", (THUMBNAIL_WIDTH, THUMBNAIL_WIDTH))
                img.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 4))
                img.convert("RGB").save(dst, format="JPEG", quality=85)
            return True
    except Exception:
        logger.exception("thumbnail failed for %s", info.path)
    return False


def _apply_info(asset: Asset, info: media.MediaInfo) -> None:
    asset.kind = info.kind
    asset.container = info.container
    asset.content_type = storage.CONTENT_TYPES.get(info.container, "application/octet-stream")
    asset.size_bytes = info.size_bytes
    is_av = info.kind != AssetKind.IMAGE
    asset.duration = info.duration if is_av else None
    asset.width = info.width or None
    asset.height = info.height or None
    asset.fps = info.fps or None
    asset.video_codec = info.video_codec or ""
    asset.audio_codec = info.audio_codec or ""


def _reserve_pending(*, workspace: Workspace, size_bytes: int, **fields: Any) -> Asset:
    """Reserves the bytes and inserts the `uploading` row in one transaction."""
    with transaction.atomic():
        storage_reserve(workspace=workspace, size_bytes=size_bytes)
        asset = Asset(workspace=workspace, size_bytes=size_bytes, **fields)
        asset.storage_key = storage.asset_key(
            workspace_public_id=workspace.public_id,
            asset_public_id=asset.public_id,
            filename=asset.original_name or "file",
        )
        asset.save()
    return asset


def _delete_objects(asset: Asset) -> None:
    """Deletes everything under the asset's key prefix (its file, thumbnail and anything
    a crashed writer left)."""
    store = storage.get_storage()
    prefix = asset.key_prefix
    try:
        keys = {k for k in (asset.storage_key, asset.thumbnail_key) if k}
        try:
            _, files = store.listdir(prefix.rstrip("/"))
            keys.update(prefix + f for f in files)
        except (FileNotFoundError, NotImplementedError):
            pass
        storage.delete_keys(*sorted(keys))
    except Exception:
        # The row is gone either way; an orphaned object is not charged and is harmless.
        logger.exception("could not delete the objects of %s", asset.public_id)


def _abandon(asset: Asset) -> None:
    """Undoes a failed creation: objects, row, reservation."""
    _delete_objects(asset)
    with transaction.atomic():
        if Asset.objects.filter(pk=asset.pk).delete()[0]:
            storage_release(workspace=asset.workspace, size_bytes=asset.size_bytes)


# --- creating assets ---------------------------------------------------------------------


def asset_create_from_file(
    *,
    workspace: Workspace,
    owner: User | None = None,
    path: Path | str,
    original_name: str = "",
    kind: str | None = None,
    saved: bool = False,
    title: str = "",
    prompt: str = "",
    model: str = "",
    source_job_id: str = "",
    tags: list[str] | None = None,
    visibility: str = Visibility.PRIVATE,
    enforce_file_limit: bool = True,
    move: bool = False,
    deep: bool = True,
    limits: media.Limits = media.DEFAULT_LIMITS,
) -> Asset:
    """Validates and probes a local media file, reserves its bytes against the quota,
    stores it (and a thumbnail) privately under the workspace's prefix and returns the
    ready Asset.

    Raises FILE_TOO_LARGE (413) over the tier's per-file limit (unless
    `enforce_file_limit=False`), UNSUPPORTED_FORMAT / CORRUPTION_DETECTED /
    VALIDATION_ERROR (400) for media the engine refuses, STORAGE_FULL (507) over quota.
    Nothing is kept when it raises. `limits` are the media engine's (input limits by
    default; job results pass their own). With `move=True` local-disk storage may rename `path`
    into place instead of copying it (the caller must not need it afterwards)."""
    path = Path(path)
    size = path.stat().st_size
    if enforce_file_limit:
        limit = upload_limit_bytes(workspace=workspace)
        if size > limit:
            raise file_too_large(limit_bytes=limit, size_bytes=size)
    info = _validate(path, kind=kind, deep=deep, limits=limits)
    name = storage.sanitize_filename(original_name or path.name, container=info.container)
    with _tempdir() as tmp:
        thumb_path = tmp / "thumb.jpg"
        has_thumb = _make_thumbnail(info, thumb_path)
        asset = _reserve_pending(
            workspace=workspace,
            size_bytes=size,
            owner=owner,
            kind=info.kind,
            original_name=name,
            saved=saved,
            title=title[:200],
            prompt=prompt,
            model=model[:100],
            source_job_id=source_job_id[:40],
            tags=normalize_tags(tags or []),
            visibility=visibility,
        )
        try:
            _apply_info(asset, info)
            asset.size_bytes = size
            asset.storage_key = storage.store_file(
                key=asset.storage_key, path=path, content_type=asset.content_type, move=move
            )
            if has_thumb:
                asset.thumbnail_key = storage.store_file(
                    key=asset.key_prefix + "thumb.jpg", path=thumb_path, content_type="image/jpeg"
                )
            asset.status = AssetStatus.READY
            asset.save()
        except BaseException:
            _abandon(asset)
            raise
    if asset.visibility == Visibility.PUBLIC:
        asset_visibility_requested.send(sender=Asset, asset=asset)
    return asset


def _name_from_url(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "download"


def asset_save_from_url(
    *,
    workspace: Workspace,
    owner: User | None,
    url: str,
    title: str = "",
    tags: list[str] | None = None,
    visibility: str = Visibility.PRIVATE,
) -> Asset:
    """Fetches `url` through the SSRF-guarded client (capped at the tier's per-file
    limit) and saves it to the gallery."""
    limit = upload_limit_bytes(workspace=workspace)
    with _tempdir() as tmp:
        dest = tmp / "download"
        fetch_to_file(
            url,
            dest=dest,
            max_bytes=limit,
            timeout_s=settings.GALLERY_FETCH_TIMEOUT_S,
            field="url",
        )
        return asset_create_from_file(
            workspace=workspace,
            owner=owner,
            path=dest,
            original_name=_name_from_url(url),
            saved=True,
            title=title,
            tags=tags,
            visibility=visibility,
            move=True,
        )


def asset_save(*, asset: Asset) -> Asset:
    """Marks an asset as saved to the gallery (exempt from retention)."""
    if not asset.saved:
        asset.saved = True
        asset.save(update_fields=["saved", "updated_at"])
    return asset


def normalize_tags(tags: list[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).split()).lower()[:50]
        if tag and tag not in out:
            out.append(tag)
    if len(out) > 30:
        raise ValidationError("At most 30 tags.", details={"fields": {"tags": ["Too many."]}})
    return out


def asset_update(
    *,
    asset: Asset,
    title: str | None = None,
    visibility: str | None = None,
    tags: list[str] | None = None,
    favorite: bool | None = None,
) -> Asset:
    changed = []
    before = (asset.visibility, asset.public_text())
    if title is not None:
        asset.title = title[:200]
        changed.append("title")
    if visibility is not None:
        if visibility not in Visibility.values:
            raise ValidationError(f"Unknown visibility {visibility!r}.")
        asset.visibility = visibility
        changed.append("visibility")
    if tags is not None:
        asset.tags = normalize_tags(tags)
        changed.append("tags")
    if favorite is not None:
        asset.favorite = favorite
        changed.append("favorite")
    screen = (
        asset.visibility == Visibility.PUBLIC and (asset.visibility, asset.public_text()) != before
    )
    if screen and asset.moderation_state == ModerationState.APPROVED:
        # Off the public feed in the same write, until moderation has seen the new text.
        asset.moderation_state = ModerationState.PENDING
        changed.append("moderation_state")
    if changed:
        asset.save(update_fields=[*changed, "updated_at"])
    if screen:
        # Moderation (above gallery) screens what is about to be published.
        asset_visibility_requested.send(sender=Asset, asset=asset)
    return asset


def asset_delete(*, asset: Asset) -> None:
    """Deletes the row and gives its bytes back; the objects go once that has committed."""
    with transaction.atomic():
        if Asset.objects.filter(pk=asset.pk).delete()[0]:
            storage_release(workspace=asset.workspace, size_bytes=asset.size_bytes)
            transaction.on_commit(lambda: _delete_objects(asset))


def asset_report(
    *, workspace: Workspace, reporter: User | None, asset: Asset, reason: str
) -> AssetReport:
    """Files (once per user and asset) a report for the moderation queue."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why you are reporting this asset.")
    if reporter is not None:
        report, created = AssetReport.objects.get_or_create(
            asset=asset,
            reporter=reporter,
            defaults={"workspace": workspace, "reason": reason[:2000]},
        )
    else:
        report, created = (
            AssetReport.objects.create(
                workspace=workspace, asset=asset, reporter=None, reason=reason[:2000]
            ),
            True,
        )
    if created:
        # Moderation (above gallery) opens or joins a case for it.
        asset_reported.send(sender=AssetReport, report=report)
    return report


def asset_moderate(*, asset: Asset, state: str) -> Asset:
    """Sets the moderation state (for the moderation app and staff)."""
    if state not in ModerationState.values:
        raise ValidationError(f"Unknown moderation state {state!r}.")
    asset.moderation_state = state
    asset.save(update_fields=["moderation_state", "updated_at"])
    return asset


# --- direct uploads (presigned PUT straight to storage) ---------------------------------


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
    asset = _reserve_pending(
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
        _abandon(asset)
        raise ValidationError(
            f"The upload has {size} bytes but {asset.size_bytes} were declared; "
            "it has been discarded.",
            details={"size_bytes": size, "declared_bytes": asset.size_bytes},
        )
    with _tempdir() as tmp:
        if storage.is_s3():
            local = tmp / "object"
            storage.s3_download(key=asset.storage_key, dest=local)
        else:
            local = Path(storage.get_storage().path(asset.storage_key))
        try:
            info = _validate(local, kind=None, deep=True)
        except ApplicationError:
            _abandon(asset)
            raise
        thumb_path = tmp / "thumb.jpg"
        thumb_key = ""
        if _make_thumbnail(info, thumb_path):
            thumb_key = storage.store_file(
                key=asset.key_prefix + "thumb.jpg", path=thumb_path, content_type="image/jpeg"
            )
    _apply_info(asset, info)
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
    return asset


# --- periodic housekeeping --------------------------------------------------------------


def uploads_cleanup_stale(*, now: datetime | None = None) -> int:
    """Abandons `uploading` rows whose writer died or whose direct upload expired."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.GALLERY_STALE_UPLOAD_S)
    stale = Asset.objects.exclude(status=AssetStatus.READY).select_related("workspace")
    stale = stale.filter(created_at__lt=now - grace).exclude(upload_expires_at__gt=now - grace)
    count = 0
    for asset in stale.iterator():
        _abandon(asset)
        count += 1
    return count


def assets_apply_retention(*, now: datetime | None = None) -> int:
    """Deletes unsaved assets (uploads and job outputs not saved to the gallery) older
    than their tier's GALLERY_RETENTION_DAYS. Saved gallery items are never touched."""
    now = now or timezone.now()
    deleted = 0
    for tier_name, days in settings.GALLERY_RETENTION_DAYS.items():
        if days is None:
            continue
        expired = Asset.objects.filter(
            workspace__tier__name=tier_name,
            saved=False,
            status=AssetStatus.READY,
            created_at__lt=now - timedelta(days=int(days)),
        ).select_related("workspace")
        for asset in expired.iterator():
            asset_delete(asset=asset)
            deleted += 1
    return deleted


def asset_expires_at(asset: Asset) -> datetime | None:
    """When retention will delete this asset (None for saved items and kept tiers)."""
    if asset.saved:
        return None
    days = settings.GALLERY_RETENTION_DAYS.get(asset.workspace.tier.name)
    return None if days is None else asset.created_at + timedelta(days=int(days))
