"""HLS sets of video assets: storing a packaged set under the asset's prefix (its bytes
reserved against the quota like any file) and the one signed link that plays it.

The link is `/media-signed/hls/<token>/master.m3u8`, where the token (TimestampSigner,
its own salt) names the asset's HLS key prefix and a time to live. The playlists refer
to their variants and segments by relative names, so a player resolves them to
`/media-signed/hls/<token>/<name>`: the whole set is authorised by that one token and
expires at the same moment, and the stored playlists need no rewriting. Only names of
the form the packager writes are served, and only under the signed prefix."""

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from apps import media
from apps.gallery import storage
from apps.gallery.models import Asset
from apps.gallery.quota import storage_release, storage_reserve

HLS_SIGNER_SALT = "gallery.media-hls"
KEY_INFIX = "hls-"
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
SEGMENT_TYPE = "video/mp2t"
_NAME = re.compile(r"^(?:master|v\d)\.m3u8$|^v\d-\d{5}\.ts$")


def content_type_for(name: str) -> str | None:
    """The content type of a file name the packager writes; None for anything else."""
    if not _NAME.match(name):
        return None
    return PLAYLIST_TYPE if name.endswith(".m3u8") else SEGMENT_TYPE


def hls_prefix(asset: Asset) -> str:
    return asset.key_prefix + KEY_INFIX


def asset_attach_hls(*, asset: Asset, package: media.HlsPackage) -> Asset:
    """Stores every file of `package` under the asset's prefix, adds their bytes to the
    asset's size and the workspace's usage (STORAGE_FULL, 507, when they do not fit) and
    records the master playlist. Run it inside the transaction that completes the asset's
    job: a rollback undoes the row changes and the caller removes the objects."""
    names = [n for n in package.files if content_type_for(n)]
    if len(names) != len(package.files):
        raise ValueError(f"unexpected HLS file names in {package.files!r}")
    total = package.total_bytes
    prefix = hls_prefix(asset)
    stored: list[str] = []
    with transaction.atomic():
        storage_reserve(workspace=asset.workspace, size_bytes=total)
        try:
            for name in names:
                key = prefix + name
                got = storage.store_file(
                    key=key,
                    path=Path(package.directory) / name,
                    content_type=content_type_for(name) or "",
                )
                stored.append(got)
                if got != key:  # a name taken already: the playlists would point elsewhere
                    raise RuntimeError(f"storage stored {key!r} as {got!r}")
        except BaseException:
            storage.delete_keys(*stored)
            storage_release(workspace=asset.workspace, size_bytes=total)
            raise
        asset.size_bytes += total
        asset.hls_key = prefix + package.master
        asset.save(update_fields=["size_bytes", "hls_key", "updated_at"])
    return asset


def hls_url(asset: Any, *, expires_in: int | None = None) -> str | None:
    """The signed master playlist of the asset's HLS set (None without one); its variants
    and segments are reachable through the same token until it expires."""
    if not asset.hls_key:
        return None
    ttl = int(expires_in or settings.GALLERY_SIGNED_URL_TTL_S)
    ttl = max(1, min(ttl, settings.GALLERY_SIGNED_URL_MAX_TTL_S))
    prefix, master = asset.hls_key.rsplit("/", 1)
    prefix = f"{prefix}/{KEY_INFIX}"
    name = master.removeprefix(KEY_INFIX)
    token = signing.TimestampSigner(salt=HLS_SIGNER_SALT).sign_object(
        {"p": prefix, "t": ttl}, compress=True
    )
    return settings.PUBLIC_BASE_URL + reverse("media-hls", kwargs={"token": token, "name": name})


def unsign_hls_token(token: str) -> str:
    """The key prefix a token authorises, or signing.BadSignature (SignatureExpired past
    its own time to live)."""
    signer = signing.TimestampSigner(salt=HLS_SIGNER_SALT)
    payload = signer.unsign_object(token)
    if not isinstance(payload, dict):
        raise signing.BadSignature("bad payload")
    payload = signer.unsign_object(token, max_age=int(payload.get("t", 0)))
    prefix = str(payload.get("p", ""))
    if not prefix.startswith("ws/") or not prefix.endswith("/" + KEY_INFIX) or ".." in prefix:
        raise signing.BadSignature("bad prefix")
    return prefix
