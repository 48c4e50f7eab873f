"""Writes on assets: creation (uploads, URLs, job results), edits, deletion, reports,
moderation state, and the periodic housekeeping (stale uploads, retention).

Asset creation reserves and inserts the asset row (status `uploading`) in one short
transaction (objects.asset_reserve_pending), then writes the bytes outside any transaction,
then marks the row `ready`; any failure deletes what was written, deletes the row and gives
the bytes back (objects.asset_abandon). Storage accounting is in quota.py, direct uploads in
direct_uploads.py."""

import logging
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import apps.media as media
from apps.accounts import audit
from apps.accounts.models import AuditAction, User, Workspace
from apps.core.errors import ErrorCode, ValidationError
from apps.core.http import fetch_to_file
from apps.gallery import storage
from apps.gallery.models import Asset, AssetReport, AssetStatus, ModerationState, Visibility
from apps.gallery.objects import (
    asset_abandon,
    asset_apply_info,
    asset_objects_delete,
    asset_reserve_pending,
    media_validate,
    tempdir,
    thumbnail_make,
)
from apps.gallery.quota import storage_release, upload_limit_bytes
from apps.gallery.signals import asset_moderated, asset_reported, asset_visibility_requested
from apps.gallery.uploads import file_too_large, upload_count

logger = logging.getLogger(__name__)

PUBLIC_NEEDS_SAVED = (
    "Save this asset to the gallery before making it public: unsaved assets expire, "
    "and a public link must keep working."
)


def _public_needs_saved() -> ValidationError:
    return ValidationError(
        PUBLIC_NEEDS_SAVED,
        code=ErrorCode.VALIDATION_ERROR,
        details={"fields": {"visibility": [PUBLIC_NEEDS_SAVED]}},
    )


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
    sandbox: bool = False,
    tags: list[str] | None = None,
    visibility: str = Visibility.PRIVATE,
    enforce_file_limit: bool = True,
    move: bool = False,
    deep: bool = True,
    limits: media.Limits = media.DEFAULT_LIMITS,
    upload_source: str | None = "upload",
) -> Asset:
    """Validates and probes a local media file, reserves its bytes against the quota,
    stores it (and a thumbnail) privately under the workspace's prefix and returns the
    ready Asset.

    Raises FILE_TOO_LARGE (413) over the tier's per-file limit (unless
    `enforce_file_limit=False`), UNSUPPORTED_FORMAT / CORRUPTION_DETECTED /
    VALIDATION_ERROR (400) for media the engine refuses, STORAGE_FULL (507) over quota.
    Nothing is kept when it raises. `limits` are the media engine's (input limits by
    default; job results pass their own). With `move=True` local-disk storage may rename `path`
    into place instead of copying it (the caller must not need it afterwards).
    `upload_source` labels the bytes in the upload metrics (None: not an upload, e.g. a job's
    result)."""
    path = Path(path)
    size = path.stat().st_size
    if enforce_file_limit:
        limit = upload_limit_bytes(workspace=workspace)
        if size > limit:
            raise file_too_large(limit_bytes=limit, size_bytes=size)
    if visibility == Visibility.PUBLIC and not saved:
        raise _public_needs_saved()
    info = media_validate(path, kind=kind, deep=deep, limits=limits)
    name = storage.sanitize_filename(original_name or path.name, container=info.container)
    with tempdir() as tmp:
        thumb_path = tmp / "thumb.jpg"
        has_thumb = thumbnail_make(info, thumb_path)
        asset = asset_reserve_pending(
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
            asset_apply_info(asset, info)
            asset.size_bytes = size
            asset.sandbox = sandbox
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
            asset_abandon(asset)
            raise
    if upload_source:
        upload_count(source=upload_source, size_bytes=size)
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
    kind: str | None = None,
    prompt: str = "",
    model: str = "",
) -> Asset:
    """Fetches `url` through the SSRF-guarded client (capped at the tier's per-file
    limit) and saves it to the gallery; `kind` (video, image, audio) refuses other media."""
    limit = upload_limit_bytes(workspace=workspace)
    with tempdir() as tmp:
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
            kind=kind,
            prompt=prompt,
            model=model,
            move=True,
            upload_source="url",
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
    """Edits an asset. Only a saved asset can be made public (VALIDATION_ERROR otherwise);
    a public asset whose public text changes is screened again."""
    changed = []
    before = (asset.visibility, asset.public_text())
    if title is not None:
        asset.title = title[:200]
        changed.append("title")
    if visibility is not None:
        if visibility not in Visibility.values:
            raise ValidationError(f"Unknown visibility {visibility!r}.")
        if visibility == Visibility.PUBLIC and not asset.saved:
            # Retention would delete it under its public link (see asset_expires_at).
            raise _public_needs_saved()
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
        with transaction.atomic():
            asset.save(update_fields=[*changed, "updated_at"])
            if before[0] != Visibility.PUBLIC and asset.visibility == Visibility.PUBLIC:
                audit.record(
                    action=AuditAction.ASSET_MADE_PUBLIC,
                    workspace=asset.workspace,
                    target=asset,
                    details={"from": before[0], "title": asset.title},
                )
    if screen:
        # Moderation (above gallery) screens what is about to be published.
        asset_visibility_requested.send(sender=Asset, asset=asset)
    return asset


def asset_delete(*, asset: Asset) -> None:
    """Deletes the row and gives its bytes back; the objects go once that has committed."""
    with transaction.atomic():
        if Asset.objects.filter(pk=asset.pk).delete()[0]:
            storage_release(workspace=asset.workspace, size_bytes=asset.size_bytes)
            transaction.on_commit(lambda: asset_objects_delete(asset))


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


def _hides(before: str, after: str) -> bool:
    """Whether a move from `before` to `after` hides or rejects the asset: rejected from
    anything else, or pending (off the public feed) from approved. Rejected -> pending
    hides nothing that was not hidden already."""
    if after == ModerationState.REJECTED:
        return before != ModerationState.REJECTED
    return after == ModerationState.PENDING and before == ModerationState.APPROVED


def asset_moderate(*, asset: Asset, state: str) -> Asset:
    """Sets the moderation state (for the moderation app and staff). Sends
    `asset_moderated` in the same transaction when it hides or rejects the asset; the
    previous state is read under a row lock, so a change is announced exactly once."""
    if state not in ModerationState.values:
        raise ValidationError(f"Unknown moderation state {state!r}.")
    with transaction.atomic():
        before = (
            Asset.objects.select_for_update()
            .filter(pk=asset.pk)
            .values_list("moderation_state", flat=True)
            .first()
        )
        asset.moderation_state = state
        asset.save(update_fields=["moderation_state", "updated_at"])
        if before is not None and _hides(before, state):
            asset_moderated.send(sender=Asset, asset=asset, state=ModerationState(state))
    return asset


def uploads_cleanup_stale(*, now: datetime | None = None) -> int:
    """Abandons `uploading` rows whose writer died or whose direct upload expired."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.GALLERY_STALE_UPLOAD_S)
    stale = Asset.objects.exclude(status=AssetStatus.READY).select_related("workspace")
    stale = stale.filter(created_at__lt=now - grace).exclude(upload_expires_at__gt=now - grace)
    count = 0
    for asset in stale.iterator():
        asset_abandon(asset)
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
