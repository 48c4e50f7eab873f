"""Runway: POST /v1/image_to_video | /v1/text_to_video | /v1/video_upscale (Bearer,
X-Runway-Version) → id; GET /v1/tasks/{id} (PENDING | THROTTLED | RUNNING | SUCCEEDED |
FAILED | CANCELLED); DELETE /v1/tasks/{id} cancels."""

from typing import Any

from django.conf import settings

from apps.core.errors import ErrorCode
from apps.providers.adapters._base import RemoteAdapter, input_url
from apps.providers.base import JobSpec, PollResult, PollState, ProviderError
from apps.providers.common import clean, json_of, request

_RATIOS = {
    ("720p", "16:9"): "1280:720",
    ("720p", "9:16"): "720:1280",
    ("720p", "1:1"): "960:960",
    ("1080p", "16:9"): "1920:1080",
    ("1080p", "9:16"): "1080:1920",
    ("1080p", "1:1"): "960:960",
}


class RunwayAdapter(RemoteAdapter):
    name = "runway"
    display = "Runway"
    base_setting = "RUNWAY_API_BASE"

    def _headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}", "X-Runway-Version": settings.RUNWAY_API_VERSION}

    def route(self, spec: JobSpec) -> tuple[str, dict[str, Any]]:
        p = spec.params
        ratio = _RATIOS.get(
            (p.get("resolution") or "720p", p.get("aspect_ratio") or "16:9"), "1280:720"
        )
        if spec.method == "upscale" or ("video" in spec.inputs and "image" not in spec.inputs):
            return "video_upscale", {"model": "upscale_v1", "videoUri": input_url(spec, "video")}
        body = {
            "model": spec.provider_model,
            "promptText": spec.prompt or None,
            "ratio": ratio,
            "duration": int(p["duration"]) if p.get("duration") else None,
            "seed": p.get("seed"),
            **spec.native,
        }
        if "image" in spec.inputs:
            body["promptImage"] = input_url(spec, "image")
            return "image_to_video", clean(body)
        return "text_to_video", clean(body)

    def build_body(self, spec: JobSpec) -> dict[str, Any]:
        return self.route(spec)[1]

    def _submit(self, spec: JobSpec, key: str) -> str:
        endpoint, body = self.route(spec)
        response = request(
            self.call,
            "POST",
            f"{self.base}/v1/{endpoint}",
            submit=True,
            headers=self._headers(key),
            json_body=body,
        )
        task = json_of(self.call, response)
        if not task.get("id"):
            raise ProviderError("Runway returned no task id.", retryable=True)
        return str(task["id"])

    def _poll(self, native: str, key: str) -> PollResult:
        task = json_of(
            self.call,
            request(self.call, "GET", f"{self.base}/v1/tasks/{native}", headers=self._headers(key)),
        )
        status = task.get("status")
        if status == "SUCCEEDED":
            output = task.get("output") or []
            if not output:
                return PollResult(PollState.FAILED, error_message="Runway returned no output.")
            return PollResult(PollState.SUCCEEDED, progress=100, output_url=str(output[0]))
        if status in ("FAILED", "CANCELLED"):
            message = str(task.get("failure") or f"Runway task {status.lower()}.")
            code = str(task.get("failureCode") or "")
            if code.startswith("SAFETY"):
                return PollResult(
                    PollState.FAILED, error_code=ErrorCode.CONTENT_POLICY, error_message=message
                )
            # INTERNAL.* failures are transient by Runway's docs: resubmitting can succeed
            return PollResult(
                PollState.FAILED, error_message=message, retryable=code.startswith("INTERNAL")
            )
        progress = task.get("progress")
        return PollResult(
            PollState.RUNNING,
            progress=int(float(progress) * 100) if progress is not None else 5,
            stage={"PENDING": "Queued at Runway", "THROTTLED": "Throttled at Runway"}.get(
                str(status), "Generating"
            ),
        )

    def _cancel(self, native: str, key: str) -> None:
        request(
            self.call,
            "DELETE",
            f"{self.base}/v1/tasks/{native}",
            headers=self._headers(key),
            ok=(200, 204, 404),
        )
