"""The synchronous client."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from reelsmith import _core
from reelsmith._core import API, Call, Settings
from reelsmith._errors import APIConnectionError, Conflict, WaitTimeout
from reelsmith._gallery import Gallery
from reelsmith._process import ProcessRequest
from reelsmith._request import InputRef, InputValue, VideoGenerationRequest, input_ref
from reelsmith._sizes import resolve_size
from reelsmith._types import Asset, Balance, Estimate, Model, VideoGenerationResponse

ProgressCallback = Callable[[VideoGenerationResponse], None]


class Reelsmith:
    """A client of the Reelsmith API.

    ``Reelsmith(api_key="rsk_…", base_url="https://reelsmith.example.com")``, or
    ``Reelsmith.from_env()`` (``REELSMITH_API_KEY``, ``REELSMITH_BASE_URL``, default
    ``http://127.0.0.1:8000``; ``REELSMITH_VIDEO_TIMEOUT`` sets how long ``generate_video``
    waits, default 600 s). Use it as a context manager, or call ``close()``.

    ``http_client`` replaces the underlying ``httpx.Client`` (e.g. with a transport for
    tests); the client then does not close it."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float = 60.0,
        max_retries: int = 3,
        max_retry_wait: float = 60.0,
        wait_timeout: float | None = None,
        poll_interval: float = 2.0,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._settings = Settings.build(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            wait_timeout=wait_timeout,
            poll_interval=poll_interval,
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=timeout)
        self._sleep: Callable[[float], None] = time.sleep
        self.gallery = Gallery(self)

    @classmethod
    def from_env(cls, **kwargs: Any) -> Reelsmith:
        """A client configured from REELSMITH_API_KEY and REELSMITH_BASE_URL."""
        return cls(
            os.environ.get("REELSMITH_API_KEY"), os.environ.get("REELSMITH_BASE_URL"), **kwargs
        )

    @classmethod
    def anonymous(cls, base_url: str | None = None, **kwargs: Any) -> Reelsmith:
        """A client without a key, for the free perk (``free_perk`` in the catalogue):
        its job is read through the ``capability_url`` the submit returns."""
        return cls("", base_url, **kwargs)

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Reelsmith:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transport ------------------------------------------------------------------

    def _send(self, call: Call, *, stream: bool = False, **extra: Any) -> httpx.Response:
        """Sends with the retry rules of ``_core``; returns a 2xx/3xx response or raises."""
        extra_headers = extra.pop("headers", {})
        retry = 0
        while True:
            try:
                request = self._http.build_request(
                    call.method,
                    call.url(self._settings.base_url),
                    params=call.params,
                    json=call.json,
                    data=call.form,
                    files=call.open_files() or None,
                    headers={
                        **self._settings.headers(),
                        **call.headers,
                        **extra_headers,
                    },
                    timeout=self._settings.timeout,
                )
                response = self._http.send(request, stream=stream, **extra)
            except httpx.TransportError as exc:
                if retry < self._settings.max_retries and _core.transport_error_retryable(
                    exc, call.retry
                ):
                    self._sleep(_core.backoff_delay(retry))
                    retry += 1
                    continue
                raise APIConnectionError(
                    f"{call.method} {call.path}: {type(exc).__name__}: {exc}", retryable=True
                ) from exc
            if response.status_code < 400:
                return response
            if stream:
                response.read()
                response.close()
            error = _core.decode_error(response)
            delay = None
            if retry < self._settings.max_retries:
                delay = _core.response_retry_delay(error, call.retry, retry, self._settings)
            if delay is None:
                raise error
            self._sleep(delay)
            retry += 1

    def _json(self, call: Call) -> Any:
        return self._send(call).json()

    # --- videos ---------------------------------------------------------------------

    def _size(self, request: VideoGenerationRequest) -> tuple[str, str | None] | None:
        if not _core.needs_size(request):
            return None
        if request.model:
            model = self.model(request.model)
            return resolve_size(
                width=request.width,
                height=request.height,
                resolutions=model.resolutions,
                aspect_ratios=model.aspect_ratios,
                default_aspect_ratio=model.default_aspect_ratio,
                model=model.id,
            )
        return resolve_size(width=request.width, height=request.height)

    def generate_video(
        self,
        request: VideoGenerationRequest,
        *,
        wait: bool = True,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        idempotency_key: str | None = None,
    ) -> VideoGenerationResponse:
        """Submits the request; with ``wait`` (the default) waits until the job ends and
        returns it completed (see ``wait_for_video`` for a job that ends otherwise).
        ``wait=False`` returns at once with ``task_id`` and ``status``.

        ``timeout`` (seconds, default ``wait_timeout``) bounds the wait: WaitTimeout then
        carries the ``task_id``; the job goes on. ``on_progress(response)`` is called
        whenever the status or progress changes."""
        call = _core.generate_call(request, self._size(request), idempotency_key)
        job = VideoGenerationResponse(self._json(call), self)
        if not wait:
            return job
        return self.wait_for_video(job, timeout=timeout, on_progress=on_progress)

    def process(
        self,
        request: ProcessRequest,
        *,
        wait: bool = True,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        idempotency_key: str | None = None,
    ) -> VideoGenerationResponse:
        """Runs an operation on a video — edit, enhance, transform, optimize,
        remove-background or retake (with ``prompt``: see ``ProcessRequest``); waits like
        ``generate_video``."""
        job = VideoGenerationResponse(
            self._json(_core.process_call(request, idempotency_key)), self
        )
        if not wait:
            return job
        return self.wait_for_video(job, timeout=timeout, on_progress=on_progress)

    def poll_video(self, task_id: str) -> VideoGenerationResponse:
        """The job as it is now (one request); ``task_id`` may be a visitor's capability
        URL (``response.capability_url``)."""
        data = self._json(Call("GET", _core.task_path(task_id)))
        if task_id != data.get("id"):
            data.setdefault("capability_url", task_id)
        return VideoGenerationResponse(data, self)

    def wait_for_video(
        self,
        task: str | VideoGenerationResponse,
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> VideoGenerationResponse:
        """Polls the job until it ends (backing off from 0.5 s to ``poll_interval``) and
        returns it completed. A job that ends without a video raises the class of its
        error code (``StorageFull``, ``ContentPolicy``, ...) or ``JobFailed``, with
        ``task_id`` and ``job_status``; past ``timeout``, WaitTimeout (the job goes on)."""
        job = self._wait_until_ended(task, timeout=timeout, on_progress=on_progress)
        job.raise_for_status()
        return job

    def _wait_until_ended(
        self,
        task: str | VideoGenerationResponse,
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> VideoGenerationResponse:
        job = task if isinstance(task, VideoGenerationResponse) else self.poll_video(task)
        deadline = time.monotonic() + (self._settings.wait_timeout if timeout is None else timeout)
        pause, seen = 0.5, None
        while True:
            if on_progress is not None and (job.status, job.progress) != seen:
                seen = (job.status, job.progress)
                on_progress(job)
            if job.is_terminal:
                return job
            left = deadline - time.monotonic()
            if left <= 0:
                raise WaitTimeout(
                    f"{job.task_id} is still {job.status} ({job.progress}%); it goes on — "
                    f"poll_video({job.task_id!r}) later.",
                    task_id=job.task_id,
                    retryable=True,
                )
            self._sleep(min(pause, left))
            pause = min(pause * 1.5, self._settings.poll_interval)
            job = self.poll_video(job._ref)

    def cancel(self, task_id: str) -> VideoGenerationResponse:
        """Cancels the job (its credits are released) and returns it. Cancelling a job
        that is already cancelled returns it; one that has ended otherwise is Conflict."""
        try:
            job = self._json(Call("DELETE", f"{API}/tasks/{task_id}"))
        except Conflict:
            current = self.poll_video(task_id)
            if current.status == "cancelled":  # e.g. our own earlier attempt landed
                return current
            raise
        return VideoGenerationResponse(job, self)

    def tasks(
        self, *, status: str | None = None, method: str | None = None
    ) -> Iterator[VideoGenerationResponse]:
        """The workspace's jobs, newest first (follows the cursor pages lazily)."""
        params = {k: v for k, v in {"status": status, "method": method}.items() if v}
        for item in self._pages(f"{API}/tasks", params):
            yield VideoGenerationResponse(item, self)

    def _download(self, task_id: str, signed_url: str | None = None) -> bytes:
        response = self._send(
            _core.download_call(task_id, signed_url),
            follow_redirects=True,
            headers={"Accept": "*/*"},
        )
        return response.content

    def _download_to(self, task_id: str, path: Path, signed_url: str | None = None) -> None:
        """Streams to ``path`` through a temp file beside it (a failed download never
        leaves a partial file under the final name)."""
        partial = path.with_name(path.name + ".part")
        for retry in range(self._settings.max_retries + 1):
            response = self._send(
                _core.download_call(task_id, signed_url),
                stream=True,
                follow_redirects=True,
                headers={"Accept": "*/*"},
            )
            try:
                with partial.open("wb") as out:
                    for chunk in response.iter_bytes(256 * 1024):
                        out.write(chunk)
            except httpx.TransportError as exc:
                partial.unlink(missing_ok=True)
                if retry >= self._settings.max_retries:
                    raise APIConnectionError(
                        f"Download of {task_id}: {exc}", retryable=True
                    ) from exc
                self._sleep(_core.backoff_delay(retry))
                continue
            finally:
                response.close()
            partial.replace(path)
            return

    # --- catalogue, money, files ----------------------------------------------------

    def estimate_cost(self, request: VideoGenerationRequest | ProcessRequest) -> Estimate:
        """The price in credits (your tier's discount applied) and expected time."""
        fields = request.estimate_fields()
        size = None if isinstance(request, ProcessRequest) else self._size(request)
        if size is not None:
            fields.setdefault("resolution", size[0])
            if size[1]:
                fields.setdefault("aspect_ratio", size[1])
        estimate = Estimate.from_json(self._json(Call("POST", f"{API}/estimate-cost", json=fields)))
        # With fallbacks, each candidate priced the same way: the hold is the highest.
        fallbacks = getattr(request, "fallback_models", None) or ()
        prices = {
            model: int(
                self._json(Call("POST", f"{API}/estimate-cost", json={**fields, "model": model}))[
                    "estimated_credits"
                ]
            )
            for model in fallbacks
        }
        return estimate.with_fallbacks(prices)

    def last_frame(self, task_id: str) -> bytes:
        """The last frame of a completed job's video, as PNG bytes (to chain
        continuations yourself); Conflict while the job has no result."""
        response = self._send(
            _core.last_frame_call(task_id), follow_redirects=True, headers={"Accept": "*/*"}
        )
        return response.content

    def save_last_frame(self, task_id: str, path: str | os.PathLike[str]) -> Path:
        """Writes the last frame (PNG) to ``path`` and returns it."""
        target = Path(path)
        target.write_bytes(self.last_frame(task_id))
        return target

    def models(
        self,
        *,
        method: str | None = None,
        provider: str | None = None,
        quality: str | None = None,
        available: bool | None = None,
    ) -> list[Model]:
        """The catalogue, filtered."""
        params: dict[str, Any] = {
            k: v
            for k, v in {"method": method, "provider": provider, "quality": quality}.items()
            if v
        }
        if available is not None:
            params["available"] = "true" if available else "false"
        return [Model.from_json(item) for item in self._pages(f"{API}/models", params)]

    def model(self, model_id: str) -> Model:
        return Model.from_json(self._json(Call("GET", _core.model_path(model_id))))

    def balance(self) -> Balance:
        """Credits owned, held by running jobs, and available."""
        return Balance.from_json(self._json(Call("GET", f"{API}/billing/balance")))

    def upload(
        self, file: InputValue | InputRef, *, title: str | None = None, saved: bool = False
    ) -> Asset:
        """Uploads a file (path or bytes) as an asset; use its id in ``with_image`` etc."""
        ref = input_ref(file, role="upload")
        if not ref.is_upload:
            raise ValueError("upload() takes a file path or bytes.")
        return Asset.from_json(self._json(_core.upload_call(ref, title=title, saved=saved)))

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        call: Call | None = Call("GET", path, params=params or None)
        while call is not None:
            page = self._json(call)
            yield from page.get("results", [])
            nxt = page.get("next")
            call = Call("GET", nxt) if nxt else None
