"""OpenAI's video API (Sora and gateways speaking its format): POST /v1/videos (multipart:
model, prompt, seconds, size, input_reference), GET /v1/videos/{id} (queued | in_progress |
completed | failed, progress), GET /v1/videos/{id}/content (authenticated download),
DELETE /v1/videos/{id}."""

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

from apps.core.errors import ErrorCode
from apps.core.http import fetch_to_file
from apps.providers.adapters._base import RemoteAdapter
from apps.providers.base import JobSpec, PollResult, PollState, ProviderError
from apps.providers.common import (
    dimensions,
    json_of,
    looks_like_policy,
    request,
    storyboard_prompt,
)

_SIZES = {"16:9": "1280x720", "9:16": "720x1280"}
_SIZES_HD = {"16:9": "1792x1024", "9:16": "1024x1792"}


class OpenAIVideoAdapter(RemoteAdapter):
    name = "openai"
    display = "OpenAI"
    base_setting = "OPENAI_API_BASE"

    def _headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def size(self, params: dict[str, Any]) -> str:
        aspect = params.get("aspect_ratio") or "16:9"
        table = _SIZES_HD if params.get("resolution") in ("1024p", "1080p") else _SIZES
        if aspect in table:
            return table[aspect]
        w, h = dimensions(params.get("resolution"), aspect)
        return f"{w}x{h}"

    def build_body(self, spec: JobSpec) -> dict[str, str]:
        p = spec.params
        body = {
            "model": spec.provider_model,
            "prompt": storyboard_prompt(spec.prompt, p.get("storyboard")),
            "size": self.size(p),
        }
        if p.get("duration"):
            body["seconds"] = str(int(p["duration"]))
        return {**body, **{k: str(v) for k, v in spec.native.items()}}

    def _submit(self, spec: JobSpec, key: str) -> str:
        fields = self.build_body(spec)
        image = spec.inputs.get("image")
        with tempfile.TemporaryDirectory() as tmp:
            files: dict[str, Any] = {name: (None, value) for name, value in fields.items()}
            if image is not None and image.url:
                path = Path(tmp) / "reference"
                fetch_to_file(
                    image.url,
                    dest=path,
                    max_bytes=settings.PROVIDER_MAX_INPUT_BYTES,
                    timeout_s=settings.PROVIDER_HTTP_TIMEOUT_S,
                )
                files["input_reference"] = (
                    "reference" + _ext(image.content_type),
                    path.read_bytes(),
                    image.content_type or "image/png",
                )
            response = request(
                self.call,
                "POST",
                f"{self.base}/v1/videos",
                submit=True,
                headers=self._headers(key),
                files=files,
            )
        video = json_of(self.call, response)
        if not video.get("id"):
            raise ProviderError("OpenAI returned no video id.", retryable=True)
        return str(video["id"])

    def _poll(self, native: str, key: str) -> PollResult:
        response = request(
            self.call, "GET", f"{self.base}/v1/videos/{native}", headers=self._headers(key)
        )
        video = json_of(self.call, response)
        status = video.get("status")
        if status == "completed":
            return PollResult(
                PollState.SUCCEEDED,
                progress=100,
                output_url=f"{self.base}/v1/videos/{native}/content",
                output_headers=self._headers(key),
            )
        if status == "failed":
            error = video.get("error") or {}
            message = str(error.get("message") or "OpenAI failed the video.")
            code = str(error.get("code") or "")
            if looks_like_policy(code) or looks_like_policy(message) or "policy" in code:
                return PollResult(
                    PollState.FAILED, error_code=ErrorCode.CONTENT_POLICY, error_message=message
                )
            return PollResult(PollState.FAILED, error_message=message)
        return PollResult(
            PollState.RUNNING,
            progress=int(video.get("progress") or 0),
            stage="Queued at OpenAI" if status == "queued" else "Generating",
        )

    def _cancel(self, native: str, key: str) -> None:
        request(
            self.call,
            "DELETE",
            f"{self.base}/v1/videos/{native}",
            headers=self._headers(key),
            ok=(200, 202, 204, 404),
        )


def _ext(content_type: str) -> str:
    return {"image/jpeg": ".jpg", "image/webp": ".webp"}.get(content_type, ".png")
