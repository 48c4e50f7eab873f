"""fal's queue API: POST {queue}/{app path} (Authorization: Key …) → request_id;
GET {queue}/{app}/requests/{id}/status (IN_QUEUE with queue_position | IN_PROGRESS |
COMPLETED); GET {queue}/{app}/requests/{id} for the result; PUT …/cancel. `fal_webhook`
asks for a callback. Our task id is `<request_id>@<app>` (status URLs use the app id,
the first two path segments of the model path)."""

from typing import Any
from urllib.parse import urlencode

from apps.core.errors import ErrorCode
from apps.providers.adapters._base import RemoteAdapter, input_url
from apps.providers.base import JobSpec, PollResult, PollState, ProviderError
from apps.providers.common import clean, json_of, looks_like_policy, request, webhook_url

_INPUT_FIELDS = {
    "image": "image_url",
    "end_image": "end_image_url",
    "audio": "audio_url",
    "video": "video_url",
}


def app_id(model_path: str) -> str:
    return "/".join(model_path.strip("/").split("/")[:2])


class FalAdapter(RemoteAdapter):
    name = "fal"
    display = "fal"
    base_setting = "FAL_QUEUE_BASE"

    def _headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Key {key}"}

    def build_body(self, spec: JobSpec) -> dict[str, Any]:
        p = spec.params
        duration = p.get("duration")
        body: dict[str, Any] = {
            "prompt": spec.prompt or None,
            "negative_prompt": p.get("negative_prompt"),
            # fal's Kling/Hailuo/Seedance schemas take the duration as a string enum
            "duration": str(int(duration)) if duration else None,
            "resolution": p.get("resolution"),
            "aspect_ratio": p.get("aspect_ratio"),
            "seed": p.get("seed"),
            "cfg_scale": p.get("cfg_scale"),
            "camera_fixed": p.get("camera_fixed"),
            "generate_audio": p.get("with_audio"),
            "prompt_optimizer": p.get("enable_prompt_expansion"),
        }
        for role, field in _INPUT_FIELDS.items():
            body[field] = input_url(spec, role)
        return clean({**body, **spec.native})

    def _submit(self, spec: JobSpec, key: str) -> str:
        url = f"{self.base}/{spec.provider_model.strip('/')}"
        callback = webhook_url(self.name, job_id=spec.job_id)
        if callback:
            url += "?" + urlencode({"fal_webhook": callback})
        response = request(
            self.call,
            "POST",
            url,
            submit=True,
            headers=self._headers(key),
            json_body=self.build_body(spec),
        )
        queued = json_of(self.call, response)
        if not queued.get("request_id"):
            raise ProviderError("fal returned no request id.", retryable=True)
        return f"{queued['request_id']}@{app_id(spec.provider_model)}"

    def _split(self, native: str) -> tuple[str, str]:
        request_id, _, app = native.partition("@")
        return request_id, app

    def _poll(self, native: str, key: str) -> PollResult:
        request_id, app = self._split(native)
        base = f"{self.base}/{app}/requests/{request_id}"
        status = json_of(
            self.call, request(self.call, "GET", f"{base}/status", headers=self._headers(key))
        )
        state = status.get("status")
        if state == "IN_QUEUE":
            position = status.get("queue_position")
            return PollResult(
                PollState.RUNNING,
                progress=2,
                stage=f"Queued at fal (position {position})" if position is not None else "Queued",
            )
        if state == "IN_PROGRESS":
            return PollResult(PollState.RUNNING, progress=50, stage="Generating")
        if state != "COMPLETED":
            return PollResult(PollState.RUNNING, progress=None, stage=str(state or "Waiting"))
        if status.get("error"):
            return _failed(str(status["error"]), status.get("error_type"))
        # COMPLETED: the result (a failed run answers here with 4xx/5xx and a detail)
        try:
            response = request(self.call, "GET", base, headers=self._headers(key))
        except ProviderError as exc:
            if exc.retryable:
                raise
            return _failed(exc.message, "content_policy" if exc.code == "CONTENT_POLICY" else None)
        result = json_of(self.call, response)
        video = result.get("video") or {}
        url = video.get("url") if isinstance(video, dict) else video
        if not url:
            return PollResult(PollState.FAILED, error_message="fal returned no video.")
        return PollResult(PollState.SUCCEEDED, progress=100, output_url=str(url))

    def _cancel(self, native: str, key: str) -> None:
        request_id, app = self._split(native)
        request(
            self.call,
            "PUT",
            f"{self.base}/{app}/requests/{request_id}/cancel",
            headers=self._headers(key),
            ok=(200, 202, 400),  # 400: ALREADY_COMPLETED
        )


def _failed(message: str, error_type: Any = None) -> PollResult:
    if looks_like_policy(message) or looks_like_policy(str(error_type or "")):
        return PollResult(
            PollState.FAILED, error_code=ErrorCode.CONTENT_POLICY, error_message=message
        )
    return PollResult(PollState.FAILED, error_message=message)
