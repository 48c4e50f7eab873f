"""A job's input files, from an upload, an asset id or a URL, probed before anything is
charged and stored as (unsaved) workspace assets once the job is accepted.

The API's names: `source_*` (an image for image-to-video and lip-sync, a video for extend
and process), `end_image_*` and `audio_*`, each as `_file`, `_asset`, `_url` or `_data`
(base64, or a `data:` URL, for clients that send files inside JSON)."""

import base64
import binascii
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from apps import media
from apps.accounts.models import User, Workspace
from apps.core.errors import ApplicationError, ErrorCode, ValidationError
from apps.core.http import OutboundError, fetch_to_file, validate_public_url
from apps.gallery.models import Asset
from apps.gallery.objects import media_error
from apps.gallery.quota import upload_limit_bytes
from apps.gallery.selectors import asset_get
from apps.gallery.services import asset_create_from_file, asset_delete
from apps.gallery.uploads import file_too_large

SLOTS = ("source", "end_image", "audio")
ORIGINS = ("_file", "_asset", "_url", "_data")
EXPECTED_KIND = {"end_image": "image", "audio": "audio"}
# `data:<type>[;params];base64,<payload>` (RFC 2397; only the base64 form carries media).
DATA_URL = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?((?:;[\w.+-]+=[^;,]*)*);base64,", re.I)
_URLSAFE = bytes.maketrans(b"-_", b"+/")


@dataclass
class JobInputFile:
    """One input: where it came from, and either a local file (upload, URL) or an asset."""

    role: str  # image | end_image | audio | video
    origin: str  # file | asset | url | data
    info: media.MediaInfo | None = None
    path: Path | None = None
    name: str = ""
    asset: Asset | None = None

    def as_probe(self) -> dict[str, Any]:
        if self.asset is not None:
            a = self.asset
            return {
                "format": a.container or None,
                "width": a.width,
                "height": a.height,
                "duration_s": a.duration,
                "size_bytes": a.size_bytes,
            }
        assert self.info is not None
        return {
            "format": self.info.container,
            "width": self.info.width or None,
            "height": self.info.height or None,
            "duration_s": self.info.duration or None,
            "size_bytes": self.info.size_bytes,
        }


def _role(slot: str, kind: str) -> str:
    if slot == "source":
        return {"image": "image", "video": "video", "audio": "audio"}[kind]
    return slot


def _validated(path: Path, slot: str, *, field: str = "") -> media.MediaInfo:
    try:
        info = media.validate(path=path, expect=EXPECTED_KIND.get(slot))  # type: ignore[arg-type]
    except media.MediaError as exc:
        error = media_error(exc)
        error.details = {**error.details, "field": field or f"{slot}_file"}
        raise error from None
    return info


@contextmanager
def inputs_collect(
    *, workspace: Workspace, data: dict[str, Any], files: dict[str, Any]
) -> Iterator[dict[str, JobInputFile]]:
    """Resolves every input the request names into {role: JobInputFile}; temp files live
    until the block ends. Bad or foreign inputs raise before anything is stored."""
    for name, value in data.items():
        # A malformed URL is a 400 naming its field before anything is fetched.
        if name.endswith("_url") and value not in (None, ""):
            validate_public_url(value, field=name)
    # The tier's per-file limit is read on the first input only: most jobs bring none,
    # and the submit path should not pay a query for nothing.
    limit: int | None = None
    # One time budget for all of the request's URL fetches, not one each: the submit runs
    # inside a web request (docs/jobs.md).
    fetch_deadline = time.monotonic() + settings.GALLERY_FETCH_TIMEOUT_S
    tmp: list[Path] = []  # made on first use: most jobs bring no files
    try:
        found: dict[str, JobInputFile] = {}
        for slot in SLOTS:
            if files.get(f"{slot}_file") is None and data.get(f"{slot}_file") not in (None, ""):
                raise ValidationError(
                    f"{slot}_file must be a file part of a multipart request.",
                    details={"field": f"{slot}_file"},
                )
            given = [
                slot + origin
                for origin in ORIGINS
                if files.get(slot + origin) is not None or data.get(slot + origin) not in (None, "")
            ]
            if len(given) > 1:
                raise ValidationError(
                    f"Give one of {', '.join(given)}, not several.", details={"fields": given}
                )
            if not given:
                continue
            if limit is None:
                limit = upload_limit_bytes(workspace=workspace)
            item = _collect_one(workspace, slot, given[0], data, files, tmp, limit, fetch_deadline)
            if item.role in found:
                raise ValidationError(
                    f"Two inputs were given as the {item.role}.", details={"field": given[0]}
                )
            found[item.role] = item
        yield found
    finally:
        for folder in tmp:
            shutil.rmtree(folder, ignore_errors=True)


def _collect_one(
    workspace: Workspace,
    slot: str,
    field: str,
    data: dict[str, Any],
    files: dict[str, Any],
    tmp: list[Path],
    limit: int,
    fetch_deadline: float,
) -> JobInputFile:
    if field.endswith("_asset"):
        asset = asset_get(workspace=workspace, public_id=str(data[field]))
        expected = EXPECTED_KIND.get(slot)
        if expected and asset.kind != expected:
            raise ValidationError(
                f"{field} must be an {expected} asset; {asset.public_id} is {asset.kind}.",
                details={"field": field},
            )
        return JobInputFile(role=_role(slot, asset.kind), origin="asset", asset=asset)
    if not tmp:
        tmp.append(Path(tempfile.mkdtemp(prefix="job-inputs-")))
    dest = tmp[0] / slot
    if field.endswith("_url"):
        url = str(data[field])
        remaining = fetch_deadline - time.monotonic()
        if remaining <= 0:
            raise OutboundError(
                f"{field}: fetching the request's URL inputs took longer than "
                f"{settings.GALLERY_FETCH_TIMEOUT_S:g} s in all.",
                retryable=True,
                details={"field": field, "reason": "timeout"},
            )
        fetch_to_file(url, dest=dest, max_bytes=limit, timeout_s=remaining, field=field)
        name = url.rsplit("/", 1)[-1].split("?")[0] or slot
        origin, declared = "url", None
    elif field.endswith("_data"):
        declared = data_decode_to_file(data[field], dest=dest, limit_bytes=limit, field=field)
        name, origin = slot, "data"
    else:
        upload = files[field]
        if upload.size > limit:
            raise file_too_large(limit_bytes=limit, size_bytes=upload.size)
        with dest.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        name = upload.name or slot
        origin = "file"
        declared = None
    info = _validated(dest, slot, field=field)
    if declared and declared != info.kind:
        raise ValidationError(
            f"{field} says it is {declared} data but holds {info.kind}.",
            code=ErrorCode.UNSUPPORTED_FORMAT,
            details={"field": field, "declared": declared, "found": info.kind},
        )
    return JobInputFile(role=_role(slot, info.kind), origin=origin, info=info, path=dest, name=name)


def _too_large(limit_bytes: int, size_bytes: int, field: str) -> ApplicationError:
    error = file_too_large(limit_bytes=limit_bytes, size_bytes=size_bytes)
    error.details["field"] = field
    return error


def data_decode_to_file(value: Any, *, dest: Path, limit_bytes: int, field: str) -> str | None:
    """Writes base64 (plain, URL-safe or a `data:…;base64,` URL) to `dest`, refusing it by
    its length before decoding when it is over `limit_bytes` (the tier's per-file limit).
    Returns the media kind a data: URL declares (image, video, audio) or None."""
    if not isinstance(value, str):
        raise ValidationError(
            f"{field} must be a base64 string or a data: URL.", details={"field": field}
        )
    declared = None
    match = DATA_URL.match(value)
    if match:
        mime = (match.group(1) or "").lower()
        declared = mime.split("/", 1)[0] or None
        if declared not in (None, "image", "video", "audio"):
            raise ValidationError(
                f"{field} is a data: URL of {mime}; send an image, video or audio.",
                code=ErrorCode.UNSUPPORTED_FORMAT,
                details={"field": field, "declared": mime},
            )
        value = value[match.end() :]
    elif value.startswith("data:"):
        raise ValidationError(
            f"{field} is a data: URL without base64 encoding.", details={"field": field}
        )
    payload = "".join(value.split()).encode("ascii", "replace").translate(_URLSAFE)
    # 4 base64 characters carry 3 bytes: refused unread when it cannot fit the limit.
    if len(payload) // 4 * 3 - 2 > limit_bytes:
        raise _too_large(limit_bytes, len(payload) // 4 * 3, field)
    payload += b"=" * (-len(payload) % 4)
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(f"{field} is not valid base64.", details={"field": field}) from None
    if not raw:
        raise ValidationError(f"{field} is empty.", details={"field": field})
    if len(raw) > limit_bytes:
        raise _too_large(limit_bytes, len(raw), field)
    dest.write_bytes(raw)
    return declared


def inputs_store(
    *, workspace: Workspace, user: User | None, found: dict[str, JobInputFile], job_id: str
) -> tuple[dict[str, str], list[Asset]]:
    """Stores new input files as unsaved assets; returns {role: asset id} and the assets
    created here (to delete if the job is then refused)."""
    ids: dict[str, str] = {}
    created: list[Asset] = []
    try:
        for role, item in found.items():
            if item.asset is None:
                assert item.path is not None
                item.asset = asset_create_from_file(
                    workspace=workspace,
                    owner=user,
                    path=item.path,
                    original_name=item.name,
                    kind=item.info.kind if item.info else None,
                    title=f"Input ({role}) of {job_id}",
                    source_job_id=job_id,
                    deep=False,  # validated when collected
                    upload_source="job_input",
                )
                created.append(item.asset)
            ids[role] = item.asset.public_id
    except BaseException:
        inputs_discard(created)
        raise
    return ids, created


def inputs_discard(assets: list[Asset]) -> None:
    for asset in assets:
        asset_delete(asset=asset)
