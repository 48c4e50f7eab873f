"""``client.gallery``: the workspace's assets, for both clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Protocol

from reelsmith import _core
from reelsmith._core import API, Call
from reelsmith._types import Asset, AsyncVideoGenerationResponse, VideoGenerationResponse


class _SyncAPI(Protocol):
    def _json(self, call: Call) -> Any: ...
    def _send(self, call: Call) -> Any: ...
    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]: ...


class _AsyncAPI(Protocol):
    async def _json(self, call: Call) -> Any: ...
    async def _send(self, call: Call) -> Any: ...
    def _pages(self, path: str, params: dict[str, Any]) -> AsyncIterator[dict[str, Any]]: ...


def _list_params(
    kind: str | None, saved: bool | None, q: str | None, visibility: str | None
) -> dict[str, Any]:
    params: dict[str, Any] = {
        k: v for k, v in {"kind": kind, "q": q, "visibility": visibility}.items() if v
    }
    if saved is not None:
        params["saved"] = "true" if saved else "false"
    return params


class Gallery:
    """``client.gallery``: the workspace's assets."""

    def __init__(self, client: _SyncAPI) -> None:
        self._client = client

    def list(
        self,
        *,
        kind: str | None = None,
        saved: bool | None = None,
        q: str | None = None,
        visibility: str | None = None,
    ) -> Iterator[Asset]:
        """Assets, newest first (follows the cursor pages lazily)."""
        params = _list_params(kind, saved, q, visibility)
        for item in self._client._pages(f"{API}/gallery", params):
            yield Asset.from_json(item)

    def get(self, asset_id: str) -> Asset:
        return Asset.from_json(self._client._json(Call("GET", f"{API}/gallery/{asset_id}")))

    def save(
        self,
        item: str | VideoGenerationResponse | Asset,
        *,
        title: str | None = None,
        tags: Sequence[str] | None = None,
        visibility: str | None = None,
    ) -> Asset:
        """Keeps a job's video or an upload in the gallery (exempt from retention), or
        fetches a media URL into it."""
        return Asset.from_json(self._client._json(_save_call(item, title, tags, visibility)))

    def delete(self, asset_id: str) -> None:
        """Deletes the asset; its storage is given back."""
        self._client._send(Call("DELETE", f"{API}/gallery/{asset_id}"))


class AsyncGallery:
    """``client.gallery`` of the async client."""

    def __init__(self, client: _AsyncAPI) -> None:
        self._client = client

    async def list(
        self,
        *,
        kind: str | None = None,
        saved: bool | None = None,
        q: str | None = None,
        visibility: str | None = None,
    ) -> AsyncIterator[Asset]:
        params = _list_params(kind, saved, q, visibility)
        async for item in self._client._pages(f"{API}/gallery", params):
            yield Asset.from_json(item)

    async def get(self, asset_id: str) -> Asset:
        return Asset.from_json(await self._client._json(Call("GET", f"{API}/gallery/{asset_id}")))

    async def save(
        self,
        item: str | AsyncVideoGenerationResponse | Asset,
        *,
        title: str | None = None,
        tags: Sequence[str] | None = None,
        visibility: str | None = None,
    ) -> Asset:
        call = _save_call(item, title, tags, visibility)
        return Asset.from_json(await self._client._json(call))

    async def delete(self, asset_id: str) -> None:
        await self._client._send(Call("DELETE", f"{API}/gallery/{asset_id}"))


def _save_call(
    item: Any, title: str | None, tags: Sequence[str] | None, visibility: str | None
) -> Call:
    if isinstance(item, Asset):
        ref = item.id
    elif isinstance(item, str):
        ref = item
    else:
        ref = item.asset_id
        if not ref:
            raise ValueError("This job has no video to save yet.")
    body: dict[str, Any] = (
        {"url": ref} if ref.startswith(("http://", "https://")) else {"asset": ref}
    )
    extra = {"title": title, "tags": list(tags) if tags else None, "visibility": visibility}
    body.update({k: v for k, v in extra.items() if v is not None})
    # Saving the same asset twice is harmless; fetching a URL twice is not.
    mode: _core.RetryMode = "unsent" if "url" in body else "safe"
    return Call("POST", f"{API}/gallery", json=body, retry=mode)
