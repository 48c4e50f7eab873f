"""An asset's stored objects, shared by every way an asset is made: validate and probe
the media, thumbnail it, reserve its bytes with an `uploading` row, and undo all of it when
creation fails (objects, row, reservation)."""

import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from PIL import Image

import apps.media as media
from apps.accounts.models import Workspace
from apps.core.errors import ApplicationError, ErrorCode
from apps.gallery import storage
from apps.gallery.models import Asset, AssetKind
from apps.gallery.quota import storage_release, storage_reserve

logger = logging.getLogger(__name__)


THUMBNAIL_WIDTH = 480


_MEDIA_CODES = {
    ErrorCode.UNSUPPORTED_FORMAT,
    ErrorCode.CORRUPTION_DETECTED,
    ErrorCode.VALIDATION_ERROR,
}


def media_error(exc: media.MediaError) -> ApplicationError:
    """A media engine error as the API error of the same code (400)."""
    code = exc.code if exc.code in _MEDIA_CODES else ErrorCode.VALIDATION_ERROR
    details = {
        k: v
        for k, v in exc.details.items()
        if k != "path" and isinstance(v, str | int | float | bool | type(None))
    }
    return ApplicationError(exc.message, code=code, status=400, details=details)


def media_validate(
    path: Path, *, kind: str | None, deep: bool, limits: media.Limits = media.DEFAULT_LIMITS
) -> media.MediaInfo:
    try:
        return media.validate(path=path, expect=kind, deep=deep, limits=limits)  # type: ignore[arg-type]
    except media.MediaError as exc:
        raise media_error(exc) from None


@contextmanager
def tempdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(
        prefix="gallery-", dir=getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    ) as d:
        yield Path(d)


def thumbnail_make(info: media.MediaInfo, dst: Path) -> bool:
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


def asset_apply_info(asset: Asset, info: media.MediaInfo) -> None:
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


def asset_reserve_pending(*, workspace: Workspace, size_bytes: int, **fields: Any) -> Asset:
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


def asset_objects_delete(asset: Asset) -> None:
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


def asset_abandon(asset: Asset) -> None:
    """Undoes a failed creation: objects, row, reservation."""
    asset_objects_delete(asset)
    with transaction.atomic():
        if Asset.objects.filter(pk=asset.pk).delete()[0]:
            storage_release(workspace=asset.workspace, size_bytes=asset.size_bytes)


SPRITESHEET_NAME = "spritesheet.jpg"
LAST_FRAME_NAME = "last-frame.png"

# What a video asset can derive: kind -> (what it is called in an error, the maker).
_DERIVED: dict[str, tuple[str, Any]] = {
    "spritesheet": ("a sprite sheet", media.sprite_sheet),
    "last-frame": ("a last frame", media.extract_last_frame),
}
_CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png"}


def _derived_key(asset: Asset, kind: str, ext: str) -> str:
    """The key of a file derived from a video asset (`{kind}.{ext}` under its prefix),
    made on the first ask and kept there: it goes with the asset and, like the thumbnail,
    is derived and not charged."""
    label, make = _DERIVED[kind]
    if asset.kind != AssetKind.VIDEO or not asset.storage_key:
        raise ApplicationError(
            f"Only a video has {label}.", code=ErrorCode.VALIDATION_ERROR, status=400
        )
    name = f"{kind}.{ext}"
    key = asset.key_prefix + name
    store = storage.get_storage()
    if store.exists(key):
        return key
    with tempdir() as folder:
        src, dst = folder / "video", folder / name
        with store.open(asset.storage_key, "rb") as fh, src.open("wb") as out:
            shutil.copyfileobj(fh, out)
        try:
            make(src=src, dst=dst)
        except media.MediaError as exc:
            raise media_error(exc) from None
        # Two first asks at once may both store one; the second copy sits under the same
        # prefix and is deleted with the asset.
        return storage.store_file(key=key, path=dst, content_type=_CONTENT_TYPES[ext], move=True)


def asset_spritesheet_key(asset: Asset) -> str:
    """The key of a video asset's sprite sheet: a 5 x 5 grid of evenly spaced frames
    (JPEG, 160 px tiles)."""
    return _derived_key(asset, "spritesheet", "jpg")


def asset_last_frame_key(asset: Asset) -> str:
    """The key of a video asset's last frame at full size (PNG), for clients that chain
    continuations themselves."""
    return _derived_key(asset, "last-frame", "png")
