"""WaveSpeed AI: POST /api/v3/{model-path} (Bearer) → data.id; GET
/api/v3/predictions/{id}/result → created | processing | completed | failed."""

from typing import Any
from urllib.parse import urlencode

from apps.core.errors import ErrorCode
from apps.providers.adapters._base import RemoteAdapter, input_url
from apps.providers.base import JobSpec, PollResult, PollState, ProviderError
from apps.providers.common import clean, json_of, looks_like_policy, request, webhook_url

_INPUT_FIELDS = {"image": "image", "end_image": "last_image", "audio": "audio", "video": "video"}
_PROGRESS = {"created": 5, "processing": 50}


class WaveSpeedAdapter(RemoteAdapter):
    name = "wavespeed"
    display = "WaveSpeed"
    base_setting = "WAVESPEED_API_BASE"

    def _headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def build_body(self, spec: JobSpec) -> dict[str, Any]:
        p = spec.params
        body: dict[str, Any] = {
            "prompt": spec.prompt or None,
            "negative_prompt": p.get("negative_prompt"),
            "duration": p.get("duration"),
            "resolution": p.get("resolution"),
            "aspect_ratio": p.get("aspect_ratio"),
            "seed": p.get("seed"),
            "enable_prompt_expansion": p.get("enable_prompt_expansion"),
            "camera_fixed": p.get("camera_fixed"),
            "generate_audio": p.get("with_audio"),
            # LTX-2 Retake: the stretch to regenerate (start_time + duration) and what of
            # it to replace.
            "start_time": p.get("start_time"),
            "mode": p.get("retake_mode"),
            "enable_base64_output": False,
        }
        for role, field in _INPUT_FIELDS.items():
            body[field] = input_url(spec, role)
        return clean({**body, **spec.native})

    def _submit(self, spec: JobSpec, key: str) -> str:
        url = f"{self.base}/api/v3/{spec.provider_model.strip('/')}"
        callback = webhook_url(self.name)
        if callback:
            url += "?" + urlencode({"webhook": callback})
        response = request(
            self.call,
            "POST",
            url,
            submit=True,
            headers=self._headers(key),
            json_body=self.build_body(spec),
        )
        data = json_of(self.call, response).get("data") or {}
        if not data.get("id"):
            raise ProviderError("WaveSpeed returned no prediction id.", retryable=True)
        return str(data["id"])

    def _poll(self, native: str, key: str) -> PollResult:
        response = request(
            self.call,
            "GET",
            f"{self.base}/api/v3/predictions/{native}/result",
            headers=self._headers(key),
        )
        return self.result_of(json_of(self.call, response).get("data") or {})

    @staticmethod
    def result_of(data: dict[str, Any]) -> PollResult:
        status = data.get("status")
        if status == "completed":
            if any(data.get("has_nsfw_contents") or []):
                return PollResult(
                    PollState.FAILED,
                    error_code=ErrorCode.CONTENT_POLICY,
                    error_message="WaveSpeed flagged the result as unsafe content.",
                )
            outputs = data.get("outputs") or []
            if not outputs:
                return PollResult(
                    PollState.FAILED,
                    error_message="WaveSpeed completed without an output.",
                    retryable=True,
                )
            return PollResult(PollState.SUCCEEDED, progress=100, output_url=str(outputs[0]))
        if status == "failed":
            message = str(data.get("error") or "WaveSpeed failed the task.")
            if looks_like_policy(message):
                return PollResult(
                    PollState.FAILED, error_code=ErrorCode.CONTENT_POLICY, error_message=message
                )
            return PollResult(PollState.FAILED, error_message=message)
        return PollResult(
            PollState.RUNNING,
            progress=_PROGRESS.get(str(status), 10),
            stage="Queued at WaveSpeed" if status == "created" else "Generating",
        )

    def _cancel(self, native: str, key: str) -> None:
        """WaveSpeed's public API has no cancel: the prediction runs out and is ignored."""
        return None
