"""A remix: a completed job run again with a new prompt (the openai front's
`/v1/videos/{id}/remix`, and any other caller that wants one)."""

from typing import Any

from apps.core.errors import ValidationError
from apps.jobs.continuation import MODE as CONTINUE
from apps.jobs.continuation import PARAM as CONTINUATION
from apps.jobs.models import Job, JobStatus

# An input role on a job -> the submit field that names an asset for it (jobs/inputs.py).
ROLE_ASSET_FIELDS = {
    "image": "source_asset",
    "video": "source_asset",
    "end_image": "end_image_asset",
    "audio": "audio_asset",
}


def job_remix_fields(*, job: Job, prompt: str) -> dict[str, Any]:
    """The submit fields that run a completed job again with a new prompt: its model,
    method, parameters and inputs (by asset id), the prompt replaced. 400 before it has
    completed: only a finished video can be remixed."""
    if job.status != JobStatus.COMPLETED:
        raise ValidationError(
            f"Only a completed video can be remixed; {job.public_id} is {job.status}.",
            details={"field": "video_id", "status": job.status},
        )
    params = {k: v for k, v in job.params.items() if v is not None}
    fields: dict[str, Any] = {**params, "method": job.method, "model": job.model}
    fields["prompt"] = prompt
    continuation = fields.pop(CONTINUATION, None)
    if isinstance(continuation, dict):
        # Submitted as extend-video "continue"; the stored params are the model's run.
        fields.update(mode=CONTINUE, crossfade=continuation.get("crossfade") or 0.0)
    if job.method == "storyboard" and isinstance(params.get("storyboard"), list):
        # A storyboard has no single prompt: the new one replaces every scene's.
        fields["storyboard"] = [
            {**scene, "prompt": prompt} for scene in params["storyboard"] if isinstance(scene, dict)
        ]
    for role, asset_id in job.inputs.items():
        if role in ROLE_ASSET_FIELDS:
            fields[ROLE_ASSET_FIELDS[role]] = asset_id
    return fields
