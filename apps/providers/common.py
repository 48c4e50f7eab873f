"""What every remote adapter shares: the HTTP call with its error mapping, task-id packing
(which key a task was submitted with), parameter helpers and callback URLs.

Provider API base URLs are operator settings, not user input, so these calls use plain
httpx with timeouts; a URL a *user* gave is only ever fetched through apps.core.http.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.db.models import Q

from apps.core.errors import ErrorCode
from apps.providers.base import ProviderError

logger = logging.getLogger(__name__)

KEY_SEP = "#k="  # native task id + KEY_SEP + the workspace credential's public id


# --- task ids ----------------------------------------------------------------------------


def pack_task_id(native: str, credential_id: str | None) -> str:
    return f"{native}{KEY_SEP}{credential_id}" if credential_id else native


def unpack_task_id(task_id: str) -> tuple[str, str | None]:
    native, sep, cred = task_id.partition(KEY_SEP)
    return native, (cred if sep else None)


def task_id_q(native: str, field: str = "provider_task_id") -> Q:
    """Matches a stored (packed) task id by the provider's own id, e.g. from a webhook.
    fal ids are stored as `<request_id>@<app>`."""
    return (
        Q(**{field: native})
        | Q(**{f"{field}__startswith": native + KEY_SEP})
        | Q(**{f"{field}__startswith": native + "@"})
    )


# --- HTTP --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    provider: str
    display: str


def _timeout() -> httpx.Timeout:
    total = float(settings.PROVIDER_HTTP_TIMEOUT_S)
    return httpx.Timeout(total, connect=min(total, float(settings.PROVIDER_CONNECT_TIMEOUT_S)))


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        for key in ("message", "detail", "error", "errors", "title"):
            if body.get(key):
                value = body[key]
                if isinstance(value, dict):
                    value = value.get("message") or json.dumps(value)[:300]
                elif isinstance(value, list):
                    value = json.dumps(value)[:300]
                return str(value)[:300]
    return json.dumps(body)[:300]


def request(
    call: Call,
    method: str,
    url: str,
    *,
    submit: bool = False,
    headers: dict[str, str] | None = None,
    json_body: Any = None,
    files: Any = None,
    data: Any = None,
    ok: tuple[int, ...] = (200, 201, 202, 204),
) -> httpx.Response:
    """One call to a provider API. Errors become ProviderError:
    - cannot connect: retryable (nothing was sent);
    - timed out or dropped after sending: for a submit, `ambiguous` (the task may exist);
    - 429 and 5xx: retryable; 504 on a submit is ambiguous;
    - 401/403: the key was refused (not retryable); other 4xx: the request was invalid.
    """
    try:
        with httpx.Client(timeout=_timeout(), trust_env=False) as client:
            response = client.request(
                method, url, headers=headers, json=json_body, files=files, data=data
            )
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ProviderError(
            f"Could not reach {call.display}: {type(exc).__name__}.",
            code=ErrorCode.MODEL_UNAVAILABLE,
            retryable=True,
        ) from None
    except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError) as exc:
        raise ProviderError(
            f"{call.display} did not answer in time ({type(exc).__name__}).",
            code=ErrorCode.PROCESSING_TIMEOUT,
            retryable=True,
            ambiguous=submit,
        ) from None
    except httpx.HTTPError as exc:
        raise ProviderError(
            f"Calling {call.display} failed: {type(exc).__name__}.",
            code=ErrorCode.MODEL_UNAVAILABLE,
            retryable=True,
            ambiguous=submit,
        ) from None
    if response.status_code in ok:
        return response
    raise status_error(call, response, submit=submit)


def status_error(call: Call, response: httpx.Response, *, submit: bool = False) -> ProviderError:
    code = response.status_code
    detail = _detail(response)
    if code == 429:
        return ProviderError(
            f"{call.display} is rate limiting requests; will retry.",
            code=ErrorCode.MODEL_UNAVAILABLE,
            retryable=True,
        )
    if code >= 500:
        return ProviderError(
            f"{call.display} had a server error (HTTP {code}).",
            code=ErrorCode.MODEL_UNAVAILABLE,
            retryable=True,
            ambiguous=submit and code == 504,
        )
    if code in (401, 403):
        return ProviderError(
            f"{call.display} refused the API key (HTTP {code}).",
            code=ErrorCode.MODEL_UNAVAILABLE,
        )
    if looks_like_policy(detail):
        return ProviderError(
            f"{call.display} refused the request under its content policy: {detail}",
            code=ErrorCode.CONTENT_POLICY,
        )
    if code == 404 and not submit:
        return ProviderError(
            f"{call.display} does not know this task (HTTP 404).", code=ErrorCode.DELIVERY_FAILED
        )
    return ProviderError(
        f"{call.display} rejected the request (HTTP {code}): {detail}",
        code=ErrorCode.VALIDATION_ERROR,
    )


POLICY_WORDS = ("content policy", "content_policy", "nsfw", "safety", "moderat", "sensitive")


def looks_like_policy(text: str | None) -> bool:
    lowered = (text or "").lower()
    return any(word in lowered for word in POLICY_WORDS)


def json_of(call: Call, response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ProviderError(
            f"{call.display} answered with something that is not JSON.",
            code=ErrorCode.MODEL_UNAVAILABLE,
            retryable=True,
        ) from None


# --- parameters --------------------------------------------------------------------------

_SHORT_SIDE = {
    "360p": 360,
    "480p": 480,
    "512p": 512,
    "540p": 540,
    "576p": 576,
    "720p": 720,
    "768p": 768,
    "1024p": 1024,
    "1080p": 1080,
    "1440p": 1440,
    "2160p": 2160,
}


def dimensions(resolution: str | None, aspect_ratio: str | None) -> tuple[int, int]:
    """(width, height) for a resolution like 720p and an aspect ratio like 9:16, both even."""
    short = _SHORT_SIDE.get(resolution or "720p", 720)
    try:
        w, h = (int(x) for x in (aspect_ratio or "16:9").split(":"))
    except ValueError:
        w, h = 16, 9
    if w >= h:
        width, height = round(short * w / h), short
    else:
        width, height = short, round(short * h / w)
    return width - width % 2, height - height % 2


def clean(body: dict[str, Any]) -> dict[str, Any]:
    """Drops unset fields (providers reject explicit nulls for optional fields)."""
    return {k: v for k, v in body.items() if v is not None and v != ""}


def storyboard_prompt(prompt: str, storyboard: Any) -> str:
    """A multi-shot storyboard as one prompt (for providers without a shot list)."""
    if not isinstance(storyboard, list) or not storyboard:
        return prompt
    lines = [prompt] if prompt else []
    for i, shot in enumerate(storyboard, 1):
        if isinstance(shot, dict):
            text = shot.get("prompt") or shot.get("text") or ""
            seconds = shot.get("duration") or shot.get("seconds")
            lines.append(f"Shot {i}" + (f" ({seconds}s)" if seconds else "") + f": {text}")
        else:
            lines.append(f"Shot {i}: {shot}")
    return "\n".join(lines)


# --- callbacks ---------------------------------------------------------------------------


def webhook_token(provider: str, job_id: str) -> str:
    """The per-job secret in callback URLs of providers that do not sign their callbacks."""
    key = (settings.PROVIDER_WEBHOOK_TOKEN_SECRET or settings.SECRET_KEY).encode()
    return hmac.new(
        key, f"provider-webhook:{provider}:{job_id}".encode(), hashlib.sha256
    ).hexdigest()[:40]


def webhook_url(provider: str, *, job_id: str | None = None) -> str | None:
    """Where `provider` should call us back, or None when callbacks are off
    (PROVIDER_WEBHOOK_BASE_URL unset: polling only)."""
    base = (settings.PROVIDER_WEBHOOK_BASE_URL or "").rstrip("/")
    if not base:
        return None
    url = f"{base}/api/v1/providers/{provider}/webhook"
    if job_id is not None:
        url += "?" + urlencode({"job": job_id, "token": webhook_token(provider, job_id)})
    return url
