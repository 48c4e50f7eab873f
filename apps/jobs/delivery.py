"""Delivery of a job's output: probe it, store it as a gallery asset, capture the hold and
complete the job in one transaction."""

from pathlib import Path

from django.db import transaction

from apps import media
from apps.billing.services import credits_capture
from apps.core.errors import ApplicationError, ErrorCode
from apps.gallery.hls import asset_attach_hls
from apps.gallery.models import Asset
from apps.gallery.objects import asset_objects_delete, tempdir
from apps.gallery.services import asset_create_from_file
from apps.jobs.models import Job, JobStatus
from apps.jobs.output import wants_hls
from apps.jobs.services import attempt_entry, job_fail, job_transition, lock_job, move_locked

# Results may be smaller than inputs are allowed to be (a 9:16 crop of a 640x360 clip).
RESULT_LIMITS = media.Limits(
    min_video_long=16, min_video_short=16, max_duration=4 * 3600.0, max_frames=4 * 3600 * 60
)


def job_deliver(*, job_id: int, path: Path) -> Job | None:
    """Stores the output as a gallery asset, charges the hold and completes the job — one
    transaction with the state change. STORAGE_FULL or a broken output fails the job and
    charges nothing."""
    job = job_transition(
        job_id=job_id,
        from_={JobStatus.RUNNING},
        to=JobStatus.DELIVERING,
        message="Delivering",
        stage="Saving the result",
        progress=99,
    )
    if job is None:
        return None
    try:
        info = media.validate(path=path, expect="video", limits=RESULT_LIMITS)
    except media.MediaError as exc:
        job_fail(
            job_id=job_id,
            code=ErrorCode.CORRUPTION_DETECTED,
            message=f"The result is not a playable video: {exc.message}",
        )
        return None
    if not wants_hls(job.params):
        return _store(job_id=job_id, path=path, info=info, package=None)
    with tempdir() as workdir:
        package = _package_hls(job_id=job_id, path=path, workdir=workdir)
        if package is None:
            return None
        return _store(job_id=job_id, path=path, info=info, package=package)


def _package_hls(*, job_id: int, path: Path, workdir: Path) -> media.HlsPackage | None:
    """The HLS set of the result (before the delivery transaction: it takes seconds)."""
    try:
        return media.package_hls(src=path, dst_dir=workdir / "hls")
    except media.MediaError as exc:
        job_fail(
            job_id=job_id,
            code=ErrorCode.DELIVERY_FAILED,
            message=f"The result could not be packaged as HLS: {exc.message}",
        )
        return None


def _store(
    *, job_id: int, path: Path, info: media.MediaInfo, package: media.HlsPackage | None
) -> Job | None:
    asset: Asset | None = None
    try:
        with transaction.atomic():
            job = lock_job(job_id)
            if job.status != JobStatus.DELIVERING:
                return None  # cancelled meanwhile: nothing stored, nothing charged
            asset = asset_create_from_file(
                workspace=job.workspace,
                owner=job.created_by,
                path=path,
                original_name=f"{job.public_id}.{info.container}",
                kind="video",
                title=(job.prompt or job.model)[:200],
                prompt=job.prompt,
                model=job.model,
                source_job_id=job.public_id,
                sandbox=job.sandbox,
                enforce_file_limit=False,
                deep=False,
                move=True,
                limits=RESULT_LIMITS,
                upload_source=None,  # a result, not an upload
            )
            if package is not None:
                asset_attach_hls(asset=asset, package=package)
            charged = 0
            if job.hold_id:
                # With fallbacks the hold is the highest candidate's price: the model that
                # delivered is charged its own price and the rest is released, in this
                # same transaction (credits).
                price = None
                if job.fallback_models:
                    price = min(job.credits_estimated, job.credits_held)
                hold = credits_capture(hold=job.hold, credits=price)  # type: ignore[arg-type]
                charged = hold.captured_credits
            return move_locked(
                job,
                JobStatus.COMPLETED,
                "Delivered",
                {"asset": asset.public_id, "size_bytes": asset.size_bytes},
                result_asset=asset,
                progress=100,
                stage="Completed",
                credits_charged=charged,
                output_seconds=info.duration,
                attempt_log=[*job.attempt_log, attempt_entry(job)],
            )
    except ApplicationError as exc:
        if asset is not None:  # stored, then the transaction rolled back
            asset_objects_delete(asset)  # the file, thumbnail and any HLS set
        job_fail(job_id=job_id, code=exc.code, message=exc.message, retryable=exc.retryable)
        return None
