"""The asyncio client: the same operations as ``Reelsmith``, awaited."""

from __future__ import annotations

import asyncio
import inspect
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from reelsmith import _core
from reelsmith._core import API, Call, Settings
from reelsmith._errors import APIConnectionError, Conflict, WaitTimeout
from reelsmith._gallery import AsyncGallery
from reelsmith._process import ProcessRequest
from reelsmith._request import InputRef, InputValue, VideoGenerationRequest, input_ref
from reelsmith._sizes import resolve_size
from reelsmith._types import Asset, AsyncVideoGenerationResponse, Balance, Estimate, Model

AsyncProgressCallback = Callable[[AsyncVideoGenerationResponse], Awaitable[None] | None]


class AsyncReelsmith:
    """``async with AsyncReelsmith.from_env() as client: await client.generate_video(r)``.
    Same arguments, methods and retry rules as ``Reelsmith``; ``on_progress`` may be a
    plain function or a coroutine function."""

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
        http_client: httpx.AsyncClient | None = None,
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
        self._http = http_client or httpx.AsyncClient(timeout=timeout)
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.gallery = AsyncGallery(self)

    @classmethod
    def from_env(cls, **kwargs: Any) -> AsyncReelsmith:
        return cls(
            os.environ.get("REELSMITH_API_KEY"), os.environ.get("REELSMITH_BASE_URL"), **kwargs
        )

    @classmethod
    def anonymous(cls, base_url: str | None = None, **kwargs: Any) -> AsyncReelsmith:
        """A client without a key, for the free perk (see ``Reelsmith.anonymous``)."""
        return cls("", base_url, **kwargs)

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncReelsmith:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _send(self, call: Call, *, stream: bool = False, **extra: Any) -> httpx.Response:
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
                response = await self._http.send(request, stream=stream, **extra)
            except httpx.TransportError as exc:
                if retry < self._settings.max_retries and _core.transport_error_retryable(
                    exc, call.retry
                ):
                    await self._sleep(_core.backoff_delay(retry))
                    retry += 1
                    continue
                raise APIConnectionError(
                    f"{call.method} {call.path}: {type(exc).__name__}: {exc}", retryable=True
                ) from exc
            if response.status_code < 400:
                return response
            if stream:
                await response.aread()
                await response.aclose()
            error = _core.decode_error(response)
            delay = None
            if retry < self._settings.max_retries:
                delay = _core.response_retry_delay(error, call.retry, retry, self._settings)
            if delay is None:
                raise error
            await self._sleep(delay)
            retry += 1

    async def _json(self, call: Call) -> Any:
        return (await self._send(call)).json()

    async def _size(self, request: VideoGenerationRequest) -> tuple[str, str | None] | None:
        if not _core.needs_size(request):
            return None
        if request.model:
            model = await self.model(request.model)
            return resolve_size(
                width=request.width,
                height=request.height,
                resolutions=model.resolutions,
                aspect_ratios=model.aspect_ratios,
                default_aspect_ratio=model.default_aspect_ratio,
                model=model.id,
            )
        return resolve_size(width=request.width, height=request.height)

    async def generate_video(
        self,
        request: VideoGenerationRequest,
        *,
        wait: bool = True,
        timeout: float | None = None,
        on_progress: AsyncProgressCallback | None = None,
        idempotency_key: str | None = None,
    ) -> AsyncVideoGenerationResponse:
        call = _core.generate_call(request, await self._size(request), idempotency_key)
        job = AsyncVideoGenerationResponse(await self._json(call), self)
        if not wait:
            return job
        return await self.wait_for_video(job, timeout=timeout, on_progress=on_progress)

    async def process(
        self,
        request: ProcessRequest,
        *,
        wait: bool = True,
        timeout: float | None = None,
        on_progress: AsyncProgressCallback | None = None,
        idempotency_key: str | None = None,
    ) -> AsyncVideoGenerationResponse:
        """Runs an operation on a video — edit, enhance, transform, optimize,
        remove-background or retake (with ``prompt``: see ``ProcessRequest``); waits like
        ``generate_video``."""
        data = await self._json(_core.process_call(request, idempotency_key))
        job = AsyncVideoGenerationResponse(data, self)
        if not wait:
            return job
        return await self.wait_for_video(job, timeout=timeout, on_progress=on_progress)

    async def poll_video(self, task_id: str) -> AsyncVideoGenerationResponse:
        """The job as it is now; ``task_id`` may be a visitor's capability URL."""
        data = await self._json(Call("GET", _core.task_path(task_id)))
        if task_id != data.get("id"):
            data.setdefault("capability_url", task_id)
        return AsyncVideoGenerationResponse(data, self)

    async def wait_for_video(
        self,
        task: str | AsyncVideoGenerationResponse,
        *,
        timeout: float | None = None,
        on_progress: AsyncProgressCallback | None = None,
    ) -> AsyncVideoGenerationResponse:
        """Polls the job until it ends (backing off from 0.5 s to ``poll_interval``) and
        returns it completed. A job that ends without a video raises the class of its
        error code (``StorageFull``, ``ContentPolicy``, ...) or ``JobFailed``, with
        ``task_id`` and ``job_status``; past ``timeout``, WaitTimeout (the job goes on)."""
        job = await self._wait_until_ended(task, timeout=timeout, on_progress=on_progress)
        job.raise_for_status()
        return job

    async def _wait_until_ended(
        self,
        task: str | AsyncVideoGenerationResponse,
        *,
        timeout: float | None = None,
        on_progress: AsyncProgressCallback | None = None,
    ) -> AsyncVideoGenerationResponse:
        job = (
            task if isinstance(task, AsyncVideoGenerationResponse) else await self.poll_video(task)
        )
        deadline = time.monotonic() + (self._settings.wait_timeout if timeout is None else timeout)
        pause, seen = 0.5, None
        while True:
            if on_progress is not None and (job.status, job.progress) != seen:
                seen = (job.status, job.progress)
                result = on_progress(job)
                if inspect.isawaitable(result):
                    await result
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
            await self._sleep(min(pause, left))
            pause = min(pause * 1.5, self._settings.poll_interval)
            job = await self.poll_video(job._ref)

    async def cancel(self, task_id: str) -> AsyncVideoGenerationResponse:
        try:
            data = await self._json(Call("DELETE", f"{API}/tasks/{task_id}"))
        except Conflict:
            current = await self.poll_video(task_id)
            if current.status == "cancelled":
                return current
            raise
        return AsyncVideoGenerationResponse(data, self)

    async def tasks(
        self, *, status: str | None = None, method: str | None = None
    ) -> AsyncIterator[AsyncVideoGenerationResponse]:
        params = {k: v for k, v in {"status": status, "method": method}.items() if v}
        async for item in self._pages(f"{API}/tasks", params):
            yield AsyncVideoGenerationResponse(item, self)

    async def _download(self, task_id: str, signed_url: str | None = None) -> bytes:
        response = await self._send(
            _core.download_call(task_id, signed_url),
            follow_redirects=True,
            headers={"Accept": "*/*"},
        )
        return response.content

    async def _download_to(self, task_id: str, path: Path, signed_url: str | None = None) -> None:
        partial = path.with_name(path.name + ".part")
        for retry in range(self._settings.max_retries + 1):
            response = await self._send(
                _core.download_call(task_id, signed_url),
                stream=True,
                follow_redirects=True,
                headers={"Accept": "*/*"},
            )
            try:
                with partial.open("wb") as out:
                    async for chunk in response.aiter_bytes(256 * 1024):
                        out.write(chunk)
            except httpx.TransportError as exc:
                partial.unlink(missing_ok=True)
                if retry >= self._settings.max_retries:
                    raise APIConnectionError(
                        f"Download of {task_id}: {exc}", retryable=True
                    ) from exc
                await self._sleep(_core.backoff_delay(retry))
                continue
            finally:
                await response.aclose()
            partial.replace(path)
            return

    async def estimate_cost(self, request: VideoGenerationRequest | ProcessRequest) -> Estimate:
        fields = request.estimate_fields()
        size = None if isinstance(request, ProcessRequest) else await self._size(request)
        if size is not None:
            fields.setdefault("resolution", size[0])
            if size[1]:
                fields.setdefault("aspect_ratio", size[1])
        data = await self._json(Call("POST", f"{API}/estimate-cost", json=fields))
        estimate = Estimate.from_json(data)
        fallbacks = getattr(request, "fallback_models", None) or ()
        prices = {}
        for model in fallbacks:
            other = await self._json(
                Call("POST", f"{API}/estimate-cost", json={**fields, "model": model})
            )
            prices[model] = int(other["estimated_credits"])
        return estimate.with_fallbacks(prices)

    async def last_frame(self, task_id: str) -> bytes:
        """The last frame of a completed job's video, as PNG bytes (to chain
        continuations yourself); Conflict while the job has no result."""
        response = await self._send(
            _core.last_frame_call(task_id), follow_redirects=True, headers={"Accept": "*/*"}
        )
        return response.content

    async def save_last_frame(self, task_id: str, path: str | os.PathLike[str]) -> Path:
        target = Path(path)
        target.write_bytes(await self.last_frame(task_id))
        return target

    async def models(
        self,
        *,
        method: str | None = None,
        provider: str | None = None,
        quality: str | None = None,
        available: bool | None = None,
    ) -> list[Model]:
        params: dict[str, Any] = {
            k: v
            for k, v in {"method": method, "provider": provider, "quality": quality}.items()
            if v
        }
        if available is not None:
            params["available"] = "true" if available else "false"
        return [Model.from_json(item) async for item in self._pages(f"{API}/models", params)]

    async def model(self, model_id: str) -> Model:
        return Model.from_json(await self._json(Call("GET", _core.model_path(model_id))))

    async def balance(self) -> Balance:
        return Balance.from_json(await self._json(Call("GET", f"{API}/billing/balance")))

    async def upload(
        self, file: InputValue | InputRef, *, title: str | None = None, saved: bool = False
    ) -> Asset:
        ref = input_ref(file, role="upload")
        if not ref.is_upload:
            raise ValueError("upload() takes a file path or bytes.")
        return Asset.from_json(await self._json(_core.upload_call(ref, title=title, saved=saved)))

    async def _pages(self, path: str, params: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        call: Call | None = Call("GET", path, params=params or None)
        while call is not None:
            page = await self._json(call)
            for item in page.get("results", []):
                yield item
            nxt = page.get("next")
            call = Call("GET", nxt) if nxt else None
