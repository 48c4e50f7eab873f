"""Where asset bytes live and how clients reach them.

One Django storage (`storages["default"]`): local disk by default, S3 (django-storages)
when USE_S3. Keys are `ws/<workspace public id>/assets/<asset public id>/<sanitized name>`.
Clients never get a permanent URL: S3 objects are reached by presigned URLs, local files by
a TimestampSigner token served by `media-signed` (see views.signed_media)."""

import os
import re
import shutil
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.urls import reverse

from apps.core.errors import ErrorCode, ValidationError

CONTENT_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "avi": "video/x-msvideo",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}
EXTENSIONS = {"jpeg": "jpg"}
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
SIGNER_SALT = "gallery.media-signed"


def get_storage() -> Storage:
    return storages["default"]


def is_s3(storage: Storage | None = None) -> bool:
    storage = storage or get_storage()
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages[s3] is a dependency
        return False
    return isinstance(storage, S3Storage)


# Characters a file name never keeps: path separators, NUL, and what Windows and download
# dialogs refuse (< > : " | ? *). Control, format (bidi overrides, zero-width), surrogate,
# private-use and unassigned code points go by category below.
_NAME_FORBIDDEN = re.compile(r'[\\/<>:"|?*\x00]')
_NAME_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# Joiners that emoji sequences (👩‍💻, flags with tags) need, although they are format chars.
_NAME_KEPT_FORMAT = {"\u200d", "\ufe0f"}
NAME_MAX_CHARS = 100
# File systems cap a name at 255 bytes; the stem keeps well under that in UTF-8.
NAME_MAX_STEM_BYTES = 180


def _cap_utf8(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, never inside a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def sanitize_filename(name: str, *, container: str | None = None) -> str:
    """A safe display name and last path component that keeps the person's characters
    ("Fuchs läuft 🎬.jpg" stays as it is): NFC, no directories or separators, no control or
    invisible format characters (bidi overrides could disguise the extension), whitespace
    runs as one space, no leading dots, at most NAME_MAX_CHARS characters; the extension is
    the probed container's when known."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(
        ch
        if ch in _NAME_KEPT_FORMAT or unicodedata.category(ch) not in _NAME_DROPPED_CATEGORIES
        else (" " if ch.isspace() else "")
        for ch in name
    )
    name = " ".join(_NAME_FORBIDDEN.sub("_", name).split()).strip("._- ")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = _SAFE.sub("", ext)
    if container:
        ext = EXTENSIONS.get(container, container)
    stem = _cap_utf8(stem.strip("._- ")[: NAME_MAX_CHARS - 11], NAME_MAX_STEM_BYTES).strip()
    stem = stem or "file"
    return f"{stem}.{ext[:10]}" if ext else stem


def key_filename(name: str) -> str:
    """The ASCII form of a name for object keys: every storage backend, URL and shell
    handles it the same way. The person's own spelling lives in `Asset.original_name`."""
    stem, dot, ext = sanitize_filename(name).rpartition(".")
    if not dot:
        stem, ext = ext, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = _SAFE.sub("_", ascii_stem).strip("._-")[:80] or "file"
    return f"{stem}.{ext[:10]}" if ext else stem


def workspace_prefix(workspace_public_id: str) -> str:
    return f"ws/{workspace_public_id}/"


def asset_key(*, workspace_public_id: str, asset_public_id: str, filename: str) -> str:
    key = f"ws/{workspace_public_id}/assets/{asset_public_id}/{key_filename(filename)}"
    # Belt and braces: the sanitized name has no separators, so this cannot fail.
    if not key.startswith(workspace_prefix(workspace_public_id)) or ".." in key.split("/"):
        raise ValidationError("Invalid file name.", code=ErrorCode.VALIDATION_ERROR)
    return key


class _LocalFile(File):
    """A local file handed to storage; with `movable`, FileSystemStorage renames it into
    place instead of copying (uploads already sit in a temp file of their own)."""

    def __init__(self, fh: Any, *, content_type: str, path: Path, movable: bool) -> None:
        super().__init__(fh, name=path.name)
        self.content_type = content_type
        self._path = path
        if movable:
            self.temporary_file_path = lambda: str(self._path)


def store_file(*, key: str, path: Path, content_type: str, move: bool = False) -> str:
    """Writes `path` to storage at `key` (never overwriting) and returns the key used."""
    storage = get_storage()
    with path.open("rb") as fh:
        stored = storage.save(
            key, _LocalFile(fh, content_type=content_type, path=path, movable=move)
        )
    prefix = key.rsplit("/", 1)[0] + "/"
    if not stored.startswith(prefix):  # a backend renaming outside our prefix is a bug
        get_storage().delete(stored)
        raise RuntimeError(f"storage stored {key!r} as {stored!r}")
    return stored


def delete_keys(*keys: str) -> None:
    storage = get_storage()
    for key in keys:
        if key:
            storage.delete(key)


def signed_url(
    key: str,
    *,
    filename: str = "",
    content_type: str = "",
    expires_in: int | None = None,
    attachment: bool = False,
) -> str:
    """A short-lived absolute URL for `key` (HTTP Range works on both backends)."""
    ttl = int(expires_in or settings.GALLERY_SIGNED_URL_TTL_S)
    ttl = max(1, min(ttl, settings.GALLERY_SIGNED_URL_MAX_TTL_S))
    storage = get_storage()
    name = filename or key.rsplit("/", 1)[-1]
    if is_s3(storage):
        params = {"ResponseContentDisposition": disposition(name, attachment=attachment)}
        if content_type:
            params["ResponseContentType"] = content_type
        s3: Any = storage
        return str(s3.url(key, parameters=params, expire=ttl))
    token = signing.TimestampSigner(salt=SIGNER_SALT).sign_object(
        {"k": key, "t": ttl, "a": int(attachment), "n": filename, "c": content_type},
        compress=True,
    )
    return settings.PUBLIC_BASE_URL + reverse("media-signed", kwargs={"token": token})


def asset_url(asset: Any, *, attachment: bool = False, expires_in: int | None = None) -> str | None:
    """The asset's file (to play inline, or to download with `attachment`); `expires_in`
    seconds (default GALLERY_SIGNED_URL_TTL_S, at most GALLERY_SIGNED_URL_MAX_TTL_S)."""
    if not asset.storage_key:
        return None
    return signed_url(
        asset.storage_key,
        filename=asset.original_name,
        content_type=asset.content_type,
        attachment=attachment,
        expires_in=expires_in,
    )


def asset_thumbnail_url(asset: Any, *, expires_in: int | None = None) -> str | None:
    if not asset.thumbnail_key:
        return None
    return signed_url(
        asset.thumbnail_key,
        filename="thumb.jpg",
        content_type="image/jpeg",
        expires_in=expires_in,
    )


def asset_urls(asset: Any) -> dict[str, str | None]:
    """Signed links a page needs for one asset."""
    return {
        "url": asset_url(asset),
        "download": asset_url(asset, attachment=True),
        "thumbnail": asset_thumbnail_url(asset),
    }


def unsign_token(token: str) -> dict[str, Any]:
    """The payload of a media token, or signing.BadSignature (SignatureExpired past its
    own time to live)."""
    signer = signing.TimestampSigner(salt=SIGNER_SALT)
    payload = signer.unsign_object(token)
    ttl = int(payload.get("t", 0))
    return signer.unsign_object(token, max_age=ttl)


def key_from_media_url(url: str) -> str | None:
    """The storage key a media URL of ours names (a signed local link, or a URL of our S3
    bucket), or None for anyone else's URL. A local link's signature must be ours; its
    age does not matter, since it only names the object."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    storage = get_storage()
    if is_s3(storage):
        s3: Any = storage
        probe = urlsplit(str(s3.url("k")))
        prefix = probe.path[:-1]
        if parts.netloc != probe.netloc or not parts.path.startswith(prefix):
            return None
        key = unquote(parts.path[len(prefix) :])
    else:
        base = urlsplit(settings.PUBLIC_BASE_URL + reverse("media-signed", kwargs={"token": "t"}))
        prefix = base.path[:-1]
        if parts.netloc != base.netloc or not parts.path.startswith(prefix):
            return None
        try:
            payload = signing.TimestampSigner(salt=SIGNER_SALT).unsign_object(
                parts.path[len(prefix) :]
            )
        except signing.BadSignature:
            return None
        key = str(payload.get("k", "")) if isinstance(payload, dict) else ""
    return key if key.startswith("ws/") else None


def disposition(filename: str, *, attachment: bool) -> str:
    kind = "attachment" if attachment else "inline"
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = " ".join(ascii_name.replace('"', "").split()) or "file"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


# --- S3 direct uploads -------------------------------------------------------------------


def _s3_client(storage: Any) -> Any:
    return storage.connection.meta.client


def presigned_put(*, key: str, content_type: str, expires_in: int) -> tuple[str, dict[str, str]]:
    """A presigned PUT for `key` and the headers the client must send with it."""
    storage: Any = get_storage()
    # If-None-Match: * makes S3 store the object only if nothing is at the key yet: of
    # concurrent or repeated PUTs one wins and the rest get 412, and nothing can replace
    # the object once `complete` has validated it.
    headers = {"Content-Type": content_type, "If-None-Match": "*"}
    params: dict[str, Any] = {
        "Bucket": storage.bucket_name,
        "Key": key,
        "ContentType": content_type,
        "IfNoneMatch": "*",
    }
    sse = (storage.object_parameters or {}).get("ServerSideEncryption")
    if sse:
        params["ServerSideEncryption"] = sse
        headers["x-amz-server-side-encryption"] = sse
    url = _s3_client(storage).generate_presigned_url(
        "put_object", Params=params, ExpiresIn=expires_in, HttpMethod="PUT"
    )
    return url, headers


def s3_object_size(key: str) -> int | None:
    """The stored object's size, or None when nothing is there yet."""
    storage: Any = get_storage()
    from botocore.exceptions import ClientError

    try:
        head = _s3_client(storage).head_object(Bucket=storage.bucket_name, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return int(head["ContentLength"])


def s3_download(*, key: str, dest: Path) -> None:
    storage: Any = get_storage()
    # One streamed GET in 1 MB chunks: flat memory, and one request instead of a ranged
    # GET per part (which S3-compatible stores without range indexes serve slowly).
    body = _s3_client(storage).get_object(Bucket=storage.bucket_name, Key=key)["Body"]
    try:
        with dest.open("wb") as fh:
            for chunk in body.iter_chunks(1024 * 1024):
                fh.write(chunk)
    finally:
        body.close()


# --- local-disk direct uploads (the same flow without S3) --------------------------------

PUT_SIGNER_SALT = "gallery.media-put"


def local_put_url(*, key: str, size_bytes: int, ttl: int) -> tuple[str, dict[str, str]]:
    token = signing.TimestampSigner(salt=PUT_SIGNER_SALT).sign_object(
        {"k": key, "s": size_bytes, "t": ttl}, compress=True
    )
    url = settings.PUBLIC_BASE_URL + reverse("media-signed-put", kwargs={"token": token})
    return url, {"Content-Type": "application/octet-stream"}


def local_place_exact(*, key: str, path: Path) -> None:
    """Puts the local file `path` at exactly `key` in the local-disk storage, never under
    another name and never over an existing object (FileExistsError). A hard link makes it
    appear whole and at once; across file systems it is copied into a file created
    exclusively (removed again if the copy fails)."""
    storage = get_storage()
    dest = Path(storage.path(key))
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(path, dest)
    except FileExistsError:
        raise
    except OSError:  # EXDEV and file systems without hard links
        with path.open("rb") as src:
            try:
                with dest.open("xb") as out:
                    shutil.copyfileobj(src, out, 1024 * 1024)
            except FileExistsError:
                raise
            except BaseException:
                dest.unlink(missing_ok=True)
                raise
    mode = getattr(storage, "file_permissions_mode", None)
    if mode is not None:
        os.chmod(dest, mode)


def unsign_put_token(token: str) -> dict[str, Any]:
    signer = signing.TimestampSigner(salt=PUT_SIGNER_SALT)
    payload = signer.unsign_object(token)
    return signer.unsign_object(token, max_age=int(payload.get("t", 0)))
