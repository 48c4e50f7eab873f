"""What the sync and async clients share: configuration, how a call becomes an HTTP
request, which failures are retried and how long to wait, and error decoding.

Retries (both clients, and the TypeScript client, follow the same rules):

* at most ``max_retries`` (default 3) retries after the first attempt;
* a connection error or timeout is retried for reads, cancels and submits (a submit
  carries an ``Idempotency-Key`` the client made, so a resend returns the same job
  instead of making a second one); for uploads only when nothing was sent (connect);
* 429 waits ``Retry-After`` (seconds or an HTTP date) and is retried — unless the wait
  is longer than ``max_retry_wait`` (default 60 s), which raises RateLimited at once;
* a 5xx is retried when its envelope says ``retryable`` (or it is a 502/503/504 with no
  envelope, i.e. from a proxy), for the same calls as connection errors;
* between attempts: exponential backoff with full jitter, ``uniform(0, min(8, 0.5 * 2**n))``
  seconds, or the Retry-After."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from reelsmith._errors import RateLimited, ReelsmithError, error_from_response
from reelsmith._process import ProcessRequest
from reelsmith._request import InputRef, VideoGenerationRequest

__version__ = "0.1.0"

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_WAIT_TIMEOUT_S = 600.0
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0
# A 502/503/504 without our envelope comes from a proxy in front of the app.
PROXY_RETRYABLE = frozenset({502, 503, 504})
API = "/api/v1"

RetryMode = Literal["safe", "unsent"]


@dataclass
class Settings:
    api_key: str | None
    base_url: str
    timeout: float
    max_retries: int
    max_retry_wait: float
    wait_timeout: float
    poll_interval: float

    @classmethod
    def build(
        cls,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float,
        max_retries: int,
        max_retry_wait: float,
        wait_timeout: float | None,
        poll_interval: float,
    ) -> Settings:
        env_timeout = os.environ.get("REELSMITH_VIDEO_TIMEOUT")
        if wait_timeout is None:
            wait_timeout = float(env_timeout) if env_timeout else DEFAULT_WAIT_TIMEOUT_S
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more.")
        return cls(
            api_key=api_key if api_key is not None else os.environ.get("REELSMITH_API_KEY"),
            base_url=(base_url or os.environ.get("REELSMITH_BASE_URL") or DEFAULT_BASE_URL).rstrip(
                "/"
            ),
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            wait_timeout=wait_timeout,
            poll_interval=poll_interval,
        )

    def headers(self) -> dict[str, str]:
        out = {"Accept": "application/json", "User-Agent": f"reelsmith-python/{__version__}"}
        if self.api_key:
            out["Authorization"] = f"Bearer {self.api_key}"
        return out


@dataclass
class Call:
    """One API operation, independent of the HTTP client that sends it."""

    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    form: dict[str, str] | None = None
    files: dict[str, InputRef] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    retry: RetryMode = "safe"

    def url(self, base_url: str) -> str:
        return self.path if self.path.startswith("http") else base_url + self.path

    def open_files(self) -> dict[str, tuple[str, Any]]:
        """Fresh multipart parts for one attempt (files are reopened each time)."""
        return {name: ref.open_part() for name, ref in self.files.items()}


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def submit_call(
    path: str, fields: dict[str, Any], inputs: Mapping[str, InputRef], idempotency_key: str | None
) -> Call:
    """A submit: JSON when every input is a URL or asset id, multipart when a file or
    bytes travel with it. Always with an Idempotency-Key, so it is safe to resend."""
    body = dict(fields)
    files: dict[str, InputRef] = {}
    for slot, ref in inputs.items():
        if ref.is_upload:
            files[f"{slot}_file"] = ref
        else:
            body[f"{slot}_{ref.field_suffix()}"] = ref.value
    headers = {"Idempotency-Key": idempotency_key or f"rs-{uuid.uuid4().hex}"}
    if files:
        form = {k: _form_value(v) for k, v in body.items() if v is not None}
        return Call("POST", path, form=form, files=files, headers=headers)
    return Call("POST", path, json=body, headers=headers)


def generate_call(
    request: VideoGenerationRequest, size: tuple[str, str | None] | None, key: str | None
) -> Call:
    fields = request.fields()
    if size is not None:
        resolution, ratio = size
        fields.setdefault("resolution", resolution)
        if ratio:
            fields.setdefault("aspect_ratio", ratio)
    return submit_call(f"{API}/generate", fields, request.inputs(), key)


def process_call(request: ProcessRequest, key: str | None) -> Call:
    return submit_call(f"{API}/process", request.fields(), request.inputs(), key)


def upload_call(file: InputRef, *, title: str | None, saved: bool) -> Call:
    form = {"saved": "true" if saved else "false"}
    if title:
        form["title"] = title
    # Uploads have no Idempotency-Key on the server: resent only if nothing was sent.
    return Call("POST", f"{API}/uploads", form=form, files={"file": file}, retry="unsent")


def needs_size(request: VideoGenerationRequest) -> bool:
    both_set = request.resolution is not None and request.aspect_ratio is not None
    return (request.width is not None or request.height is not None) and not both_set


# A visitor's free-perk job is read through this capability URL (no key), never /tasks.
CAPABILITY_PREFIX = f"{API}/anonymous/tasks/"


def task_path(task: str) -> str:
    """Where a job is read: a capability URL as it is (path or absolute), else
    ``/api/v1/tasks/{id}``."""
    if task.startswith(("http://", "https://", CAPABILITY_PREFIX)):
        return task
    return f"{API}/tasks/{task}"


def download_call(task_id: str, signed_url: str | None) -> Call:
    """The video: a visitor's job through its signed link (there is no key to ask
    ``/result`` with), anyone else's through ``/tasks/{id}/result``."""
    return Call("GET", signed_url or f"{API}/tasks/{task_id}/result")


def last_frame_call(task_id: str) -> Call:
    return Call("GET", f"{API}/tasks/{task_id}/last-frame")


def model_path(model_id: str) -> str:
    # Model ids contain slashes (wavespeed-ai/.../text-to-video); the route takes a path.
    return f"{API}/models/{model_id}"


# --- retries ------------------------------------------------------------------------------


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def backoff_delay(retry: int) -> float:
    """Full jitter: uniform(0, min(cap, base * 2**retry)) seconds."""
    return random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**retry))


def transport_error_retryable(exc: httpx.TransportError, mode: RetryMode) -> bool:
    if mode == "unsent":
        return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
    return isinstance(exc, httpx.NetworkError | httpx.TimeoutException | httpx.RemoteProtocolError)


def decode_error(response: httpx.Response) -> ReelsmithError:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    return error_from_response(
        response.status_code,
        body,
        retry_after=retry_after_seconds(response.headers.get("Retry-After")),
    )


def response_retry_delay(
    error: ReelsmithError, mode: RetryMode, retry: int, settings: Settings
) -> float | None:
    """Seconds to wait before resending after this error response, or None: raise it."""
    if isinstance(error, RateLimited):
        wait = error.retry_after if error.retry_after is not None else backoff_delay(retry)
        if wait > settings.max_retry_wait:
            return None
        return wait + random.uniform(0, 0.25)
    status = error.status or 0
    if mode == "safe" and status >= 500:
        envelope_less = error.code == "INTERNAL_ERROR" and not error.details
        if error.retryable or (status in PROXY_RETRYABLE and envelope_less):
            return backoff_delay(retry)
    return None


def new_idempotency_key() -> str:
    return f"rs-{uuid.uuid4().hex}"
