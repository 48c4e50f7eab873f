"""What a job's run is given and what it delivers, as files: its inputs as local files
(a provider that runs inline) or short-lived URLs (a remote one), and a continuation's
output joined after its source."""

import shutil
from pathlib import Path

from django.conf import settings

from apps.catalog.registry import Method
from apps.core.errors import ApplicationError, ErrorCode
from apps.gallery import storage
from apps.gallery.models import Asset
from apps.gallery.objects import asset_last_frame_key
from apps.jobs.continuation import PARAM, continuation_join
from apps.jobs.models import Job
from apps.providers.base import JobInput, JobSpec


def _download(key: str, dest: Path) -> Path:
    with storage.get_storage().open(key, "rb") as src, dest.open("wb") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)
    return dest


def job_spec(job: Job, *, workdir: Path | None) -> JobSpec:
    """Inputs as local files (inline providers) or short-lived URLs (remote ones)."""
    assets = {
        a.public_id: a
        for a in Asset.objects.filter(
            workspace_id=job.workspace_id, public_id__in=job.inputs.values()
        )
    }
    inputs: dict[str, JobInput] = {}
    continuation = job.params.get(PARAM)
    for role, asset_id in job.inputs.items():
        asset = assets.get(asset_id)
        if asset is None:
            raise ApplicationError(
                f"The job's {role} input ({asset_id}) was deleted.",
                code=ErrorCode.VALIDATION_ERROR,
            )
        if continuation and role == "video":
            # The model starts from the source's last frame (kept beside the source).
            inputs["image"] = _last_frame_input(asset, workdir)
        elif workdir is not None:
            path = _download(
                asset.storage_key, workdir / f"input-{role}.{asset.container or 'bin'}"
            )
            inputs[role] = JobInput(role=role, path=path, content_type=asset.content_type)
        else:
            url = storage.signed_url(
                asset.storage_key,
                content_type=asset.content_type,
                expires_in=settings.JOBS_INPUT_URL_TTL_S,
            )
            inputs[role] = JobInput(role=role, url=url, content_type=asset.content_type)
    return JobSpec(
        job_id=job.public_id,
        workspace_id=job.workspace_id,
        model_id=job.model,
        provider_model=job.provider_model,
        method=Method.IMAGE_TO_VIDEO if continuation else job.method,
        prompt=job.prompt,
        params=job.params,
        inputs=inputs,
    )


def _last_frame_input(asset: Asset, workdir: Path | None) -> JobInput:
    key = asset_last_frame_key(asset)
    if workdir is not None:
        path = _download(key, workdir / "input-image.png")
        return JobInput(role="image", path=path, content_type="image/png")
    url = storage.signed_url(
        key, content_type="image/png", expires_in=settings.JOBS_INPUT_URL_TTL_S
    )
    return JobInput(role="image", url=url, content_type="image/png")


def job_output_joined(job: Job, output: Path, workdir: Path) -> Path:
    """A continuation's delivered video: its source, then the model's clip. Any other
    job's output as it is."""
    continuation = job.params.get(PARAM)
    if not continuation:
        return output
    asset = Asset.objects.filter(
        workspace_id=job.workspace_id, public_id=job.inputs.get("video")
    ).first()
    if asset is None:
        raise ApplicationError(
            "The job's video input was deleted.", code=ErrorCode.VALIDATION_ERROR
        )
    source = _download(asset.storage_key, workdir / f"source.{asset.container or 'mp4'}")
    return continuation_join(
        source=source,
        clip=output,
        dst=workdir / "joined.mp4",
        crossfade=float(continuation.get("crossfade") or 0.0),
    )
