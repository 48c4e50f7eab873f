"""The parts of a job's JSON that are computed rather than copied from a column: its
error, its result (with signed links) and its credits. JobSerializer and the fast status
read (detail.py) both build them here, so the two cannot drift apart."""

from typing import Any

from apps.gallery import storage
from apps.gallery.hls import hls_url
from apps.jobs.models import JobStatus


def job_error(code: str, message: str, retryable: bool) -> dict[str, Any] | None:
    if not code:
        return None
    return {"code": code, "message": message, "retryable": retryable}


def job_credits(estimated: int, held: int, charged: int) -> dict[str, int]:
    return {"estimated": estimated, "held": held, "charged": charged}


def job_result(status: str, asset: Any, *, ttl: int | None = None) -> dict[str, Any] | None:
    """The result of a completed job: `asset` is its result asset (a model instance or
    anything with the same attributes), None without one. The links are signed now for
    `ttl` seconds (default GALLERY_SIGNED_URL_TTL_S): never kept, so never stale."""
    if status != JobStatus.COMPLETED or asset is None:
        return None
    mp4_url = storage.asset_url(asset, expires_in=ttl)
    playlist = hls_url(asset, expires_in=ttl)
    return {
        "asset": asset.public_id,
        "video_url": playlist or mp4_url,
        "hls_url": playlist,
        "mp4_url": mp4_url,
        "thumbnail_url": storage.asset_thumbnail_url(asset, expires_in=ttl),
        "duration": asset.duration,
        "width": asset.width,
        "height": asset.height,
        "format": "hls" if playlist else asset.container,
        "size_bytes": asset.size_bytes,
    }
