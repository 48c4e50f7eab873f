"""Google Veo on the Gemini API: POST /v1beta/models/{model}:predictLongRunning
(x-goog-api-key) → operation name; GET /v1beta/{name} until `done`; the video URI
(response.generateVideoResponse.generatedSamples[].video.uri) is downloaded with the key.
Safety filtering (raiMediaFilteredCount/Reasons) → CONTENT_POLICY. Input images travel
inline (base64), fetched from our signed URL through the SSRF-guarded client."""

import base64
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

from apps.core.errors import ErrorCode
from apps.core.http import fetch_to_file
from apps.providers.adapters._base import RemoteAdapter
from apps.providers.base import JobSpec, PollResult, PollState, ProviderError
from apps.providers.common import clean, json_of, looks_like_policy, request


class VeoAdapter(RemoteAdapter):
    name = "google"
    display = "Google Veo"
    base_setting = "GEMINI_API_BASE"

    def _headers(self, key: str) -> dict[str, str]:
        return {"x-goog-api-key": key}

    def build_body(self, spec: JobSpec, image: dict[str, str] | None = None) -> dict[str, Any]:
        p = spec.params
        instance: dict[str, Any] = {"prompt": spec.prompt}
        if image:
            instance["image"] = image
        parameters = clean(
            {
                "aspectRatio": p.get("aspect_ratio"),
                "resolution": p.get("resolution"),
                "durationSeconds": int(p["duration"]) if p.get("duration") else None,
                "negativePrompt": p.get("negative_prompt"),
                "seed": p.get("seed"),
                "sampleCount": 1,
                **spec.native,
            }
        )
        return {"instances": [instance], "parameters": parameters}

    def _image(self, spec: JobSpec) -> dict[str, str] | None:
        item = spec.inputs.get("image")
        if item is None or not item.url:
            return None
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "image"
            fetch_to_file(
                item.url,
                dest=path,
                max_bytes=settings.PROVIDER_MAX_INPUT_BYTES,
                timeout_s=settings.PROVIDER_HTTP_TIMEOUT_S,
            )
            data = base64.b64encode(path.read_bytes()).decode()
        return {"bytesBase64Encoded": data, "mimeType": item.content_type or "image/png"}

    def _submit(self, spec: JobSpec, key: str) -> str:
        response = request(
            self.call,
            "POST",
            f"{self.base}/v1beta/models/{spec.provider_model}:predictLongRunning",
            submit=True,
            headers=self._headers(key),
            json_body=self.build_body(spec, self._image(spec)),
        )
        name = json_of(self.call, response).get("name")
        if not name:
            raise ProviderError("Veo returned no operation name.", retryable=True)
        return str(name)

    def _poll(self, native: str, key: str) -> PollResult:
        op = json_of(
            self.call,
            request(self.call, "GET", f"{self.base}/v1beta/{native}", headers=self._headers(key)),
        )
        if not op.get("done"):
            progress = (op.get("metadata") or {}).get("progressPercent")
            return PollResult(
                PollState.RUNNING, progress=int(progress) if progress else 10, stage="Generating"
            )
        if op.get("error"):
            error = op["error"]
            message = str(error.get("message") or "Veo failed the operation.")
            if looks_like_policy(message):
                return PollResult(
                    PollState.FAILED, error_code=ErrorCode.CONTENT_POLICY, error_message=message
                )
            return PollResult(PollState.FAILED, error_message=message)
        video_response = (op.get("response") or {}).get("generateVideoResponse") or {}
        samples = video_response.get("generatedSamples") or []
        uri = ((samples[0] if samples else {}).get("video") or {}).get("uri")
        if video_response.get("raiMediaFilteredCount") or not uri:
            reasons = video_response.get("raiMediaFilteredReasons") or []
            if video_response.get("raiMediaFilteredCount") or reasons:
                return PollResult(
                    PollState.FAILED,
                    error_code=ErrorCode.CONTENT_POLICY,
                    error_message="Veo's safety filters blocked the video"
                    + (f": {reasons[0]}" if reasons else "."),
                )
            return PollResult(PollState.FAILED, error_message="Veo returned no video.")
        return PollResult(
            PollState.SUCCEEDED,
            progress=100,
            output_url=str(uri),
            output_headers=self._headers(key),
        )

    def _cancel(self, native: str, key: str) -> None:
        request(
            self.call,
            "POST",
            f"{self.base}/v1beta/{native}:cancel",
            headers=self._headers(key),
            ok=(200, 204, 404, 501),
        )
