"""Replicate: POST /v1/models/{owner}/{name}/predictions → GET /v1/predictions/{id}
(starting | processing | succeeded | failed | canceled); POST .../cancel. Webhooks with
webhook_events_filter, signed the Standard Webhooks way."""

from typing import Any

from apps.core.errors import ErrorCode
from apps.providers.adapters._base import RemoteAdapter, input_url
from apps.providers.base import JobSpec, PollResult, PollState, ProviderError
from apps.providers.common import clean, json_of, looks_like_policy, request, webhook_url

_INPUT_FIELDS = {"image": "image", "end_image": "last_frame", "audio": "audio", "video": "video"}


class ReplicateAdapter(RemoteAdapter):
    name = "replicate"
    display = "Replicate"
    base_setting = "REPLICATE_API_BASE"

    def _headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def build_body(self, spec: JobSpec) -> dict[str, Any]:
        p = spec.params
        data: dict[str, Any] = {
            "prompt": spec.prompt or None,
            "duration": p.get("duration"),
            "resolution": p.get("resolution"),
            "aspect_ratio": p.get("aspect_ratio"),
            "seed": p.get("seed"),
            "mode": p.get("mode"),
            "negative_prompt": p.get("negative_prompt"),
        }
        for role, field in _INPUT_FIELDS.items():
            data[field] = input_url(spec, role)
        body: dict[str, Any] = {"input": clean({**data, **spec.native})}
        callback = webhook_url(self.name)
        if callback:
            body["webhook"] = callback
            body["webhook_events_filter"] = ["completed"]
        return body

    def _submit(self, spec: JobSpec, key: str) -> str:
        owner_name = spec.provider_model.split(":")[0].strip("/")
        response = request(
            self.call,
            "POST",
            f"{self.base}/v1/models/{owner_name}/predictions",
            submit=True,
            headers=self._headers(key),
            json_body=self.build_body(spec),
        )
        prediction = json_of(self.call, response)
        if not prediction.get("id"):
            raise ProviderError("Replicate returned no prediction id.", retryable=True)
        return str(prediction["id"])

    def _poll(self, native: str, key: str) -> PollResult:
        response = request(
            self.call, "GET", f"{self.base}/v1/predictions/{native}", headers=self._headers(key)
        )
        return self.result_of(json_of(self.call, response))

    @staticmethod
    def result_of(prediction: dict[str, Any]) -> PollResult:
        status = prediction.get("status")
        if status == "succeeded":
            output = prediction.get("output")
            if isinstance(output, list):
                output = output[0] if output else None
            if isinstance(output, dict):
                output = output.get("url") or output.get("video")
            if not output:
                return PollResult(PollState.FAILED, error_message="Replicate returned no output.")
            return PollResult(PollState.SUCCEEDED, progress=100, output_url=str(output))
        if status in ("failed", "canceled"):
            message = str(prediction.get("error") or f"Replicate prediction {status}.")
            if looks_like_policy(message) or "E005" in message:
                return PollResult(
                    PollState.FAILED, error_code=ErrorCode.CONTENT_POLICY, error_message=message
                )
            return PollResult(PollState.FAILED, error_message=message)
        return PollResult(
            PollState.RUNNING,
            progress=5 if status == "starting" else 50,
            stage="Starting at Replicate" if status == "starting" else "Generating",
        )

    def _cancel(self, native: str, key: str) -> None:
        request(
            self.call,
            "POST",
            f"{self.base}/v1/predictions/{native}/cancel",
            headers=self._headers(key),
        )
