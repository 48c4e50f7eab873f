"""Runware's task API: POST /v1 with a JSON array of tasks (Bearer). `videoInference` with
`deliveryMethod: "async"` queues the video under a taskUUID *we* choose; `getResponse`
with that taskUUID polls it (processing | success | error, `videoURL`). Because the id is
ours, a submit that timed out is resolved by asking for that taskUUID: if Runware has it
the submit took effect, otherwise it did not (no ambiguity left)."""

import uuid
from typing import Any

from apps.core.errors import ErrorCode
from apps.providers.adapters._base import RemoteAdapter, input_url
from apps.providers.base import JobSpec, PollResult, PollState, ProviderError
from apps.providers.common import (
    clean,
    dimensions,
    json_of,
    looks_like_policy,
    request,
    status_error,
    webhook_url,
)


class RunwareAdapter(RemoteAdapter):
    name = "runware"
    display = "Runware"
    base_setting = "RUNWARE_API_BASE"

    def _headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def build_body(self, spec: JobSpec, task_uuid: str | None = None) -> list[dict[str, Any]]:
        p = spec.params
        width, height = dimensions(p.get("resolution"), p.get("aspect_ratio"))
        task: dict[str, Any] = {
            "taskType": "videoInference",
            "taskUUID": task_uuid or str(uuid.uuid4()),
            "deliveryMethod": "async",
            "model": spec.provider_model,
            "positivePrompt": spec.prompt or None,
            "negativePrompt": p.get("negative_prompt"),
            "duration": int(p["duration"]) if p.get("duration") else None,
            "width": width,
            "height": height,
            "fps": p.get("fps"),
            "seed": p.get("seed"),
            "outputType": "URL",
            "outputFormat": "MP4",
            "numberResults": 1,
            "webhookURL": webhook_url(self.name, job_id=spec.job_id),
        }
        frames = []
        if input_url(spec, "image"):
            frames.append({"inputImage": input_url(spec, "image"), "frame": "first"})
        if input_url(spec, "end_image"):
            frames.append({"inputImage": input_url(spec, "end_image"), "frame": "last"})
        if frames:
            task["frameImages"] = frames
        return [clean({**task, **spec.native})]

    def _submit(self, spec: JobSpec, key: str) -> str:
        task_uuid = str(uuid.uuid4())
        try:
            request(
                self.call,
                "POST",
                f"{self.base}/v1",
                submit=True,
                headers=self._headers(key),
                json_body=self.build_body(spec, task_uuid),
            )
        except ProviderError as exc:
            if not exc.ambiguous:
                raise
            # Did the timed-out submit take effect? Our taskUUID says.
            try:
                self._get(task_uuid, key)
            except ProviderError:
                raise exc from None
            return task_uuid
        return task_uuid

    def _get(self, task_uuid: str, key: str) -> dict[str, Any]:
        response = request(
            self.call,
            "POST",
            f"{self.base}/v1",
            headers=self._headers(key),
            json_body=[{"taskType": "getResponse", "taskUUID": task_uuid}],
            ok=(200, 400, 404),
        )
        body = json_of(self.call, response)
        if response.status_code == 404:
            raise status_error(self.call, response)
        return body

    def _poll(self, native: str, key: str) -> PollResult:
        body = self._get(native, key)
        errors = body.get("errors") or []
        if errors:
            error = errors[0]
            message = str(error.get("message") or "Runware failed the task.")
            if looks_like_policy(str(error.get("code"))) or looks_like_policy(message):
                return PollResult(
                    PollState.FAILED, error_code=ErrorCode.CONTENT_POLICY, error_message=message
                )
            return PollResult(PollState.FAILED, error_message=message)
        items = [d for d in body.get("data") or [] if d.get("taskUUID") == native]
        item = items[0] if items else {}
        status = item.get("status")
        if status == "success":
            if item.get("NSFWContent"):
                return PollResult(
                    PollState.FAILED,
                    error_code=ErrorCode.CONTENT_POLICY,
                    error_message="Runware flagged the result as NSFW.",
                )
            if not item.get("videoURL"):
                return PollResult(PollState.FAILED, error_message="Runware returned no video.")
            return PollResult(PollState.SUCCEEDED, progress=100, output_url=str(item["videoURL"]))
        if status == "error":
            return PollResult(
                PollState.FAILED,
                error_message=str(item.get("errorMessage") or "Runware failed the task."),
            )
        return PollResult(PollState.RUNNING, progress=40, stage="Generating")

    def _cancel(self, native: str, key: str) -> None:
        """Runware has no cancel task: the video finishes and is ignored."""
        return None
