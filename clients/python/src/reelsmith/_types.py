"""What the client returns: the video response of the spec and small typed views of the
API's objects. Each keeps the full JSON in ``raw``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reelsmith._errors import job_error

if TYPE_CHECKING:
    from reelsmith._async import AsyncReelsmith
    from reelsmith._sync import Reelsmith

TERMINAL = frozenset({"completed", "failed", "cancelled", "rejected"})
"""Job statuses that never change again."""
PROCESSING = frozenset({"queued", "review", "running", "delivering"})
"""The statuses the spec calls "processing"."""


@dataclass
class JobError:
    code: str
    message: str
    retryable: bool


@dataclass
class Attempt:
    """One model a job tried (``attempts``): a failed one carries its error code and
    message; the one that delivered (or is running) has ``error_code`` None."""

    model: str
    provider: str
    error_code: str | None
    error_message: str | None
    at: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Attempt:
        err = data.get("error") if isinstance(data.get("error"), dict) else None
        return cls(
            model=str(data.get("model") or ""),
            provider=str(data.get("provider") or ""),
            error_code=str(err.get("code")) if err else None,
            error_message=str(err.get("message") or "") if err else None,
            at=str(data.get("at") or ""),
        )


class _ResponseBase:
    """The fields of ``GET /api/v1/tasks/{id}`` under the spec's property names."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.raw: dict[str, Any] = job
        self._bytes: bytes | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.task_id} {self.status} {self.progress}%>"

    @property
    def _result(self) -> dict[str, Any]:
        result = self.raw.get("result")
        return result if isinstance(result, dict) else {}

    @property
    def task_id(self) -> str:
        """The job id (``job_…``)."""
        return str(self.raw.get("id", ""))

    @property
    def status(self) -> str:
        """queued, review, running, delivering (the spec's "processing"), completed,
        failed, cancelled or rejected."""
        return str(self.raw.get("status", ""))

    @property
    def is_processing(self) -> bool:
        return self.status in PROCESSING

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def progress(self) -> int:
        """0-100."""
        return int(self.raw.get("progress") or 0)

    @property
    def stage(self) -> str:
        return str(self.raw.get("stage") or "")

    @property
    def model(self) -> str:
        return str(self.raw.get("model") or "")

    @property
    def method(self) -> str:
        return str(self.raw.get("method") or "")

    @property
    def video_url(self) -> str | None:
        """A signed, short-lived link to the video (None until completed)."""
        url = self._result.get("video_url")
        return str(url) if url else None

    @property
    def hls_url(self) -> str | None:
        """The signed HLS master playlist (``output_format("hls")``); its variants and
        segments are signed with it and expire together. None otherwise."""
        url = self._result.get("hls_url")
        return str(url) if url else None

    @property
    def mp4_url(self) -> str | None:
        """The MP4 itself, signed and short-lived (``video_url`` is the playlist for HLS)."""
        url = self._result.get("mp4_url")
        return str(url) if url else None

    @property
    def attempts(self) -> list[Attempt]:
        """Every model tried, in order (more than one when a fallback took over)."""
        items = self.raw.get("attempts")
        return [Attempt.from_json(a) for a in items if isinstance(a, dict)] if items else []

    @property
    def fallback_models(self) -> list[str]:
        items = self.raw.get("fallback_models")
        return [str(m) for m in items] if isinstance(items, list) else []

    @property
    def capability_url(self) -> str | None:
        """A visitor's free-perk job (no key): the only URL it can be read through."""
        url = self.raw.get("capability_url")
        return str(url) if url else None

    @property
    def _ref(self) -> str:
        """What polling reads: the capability URL of a visitor's job, else the id."""
        return self.capability_url or self.task_id

    @property
    def _signed_download(self) -> str | None:
        """A visitor's job downloads through its signed link (no key for /result)."""
        return (self.mp4_url or self.video_url) if self.capability_url else None

    @property
    def thumbnail_url(self) -> str | None:
        url = self._result.get("thumbnail_url")
        return str(url) if url else None

    @property
    def asset_id(self) -> str | None:
        """The gallery asset (``ast_…``) holding the video."""
        asset = self._result.get("asset")
        return str(asset) if asset else None

    @property
    def format(self) -> str:
        """The container, e.g. ``"mp4"`` (MP4 unless the job converted it)."""
        return str(self._result.get("format") or "mp4")

    @property
    def duration(self) -> float | None:
        """Seconds."""
        value = self._result.get("duration")
        return float(value) if value is not None else None

    @property
    def width(self) -> int | None:
        value = self._result.get("width")
        return int(value) if value is not None else None

    @property
    def height(self) -> int | None:
        value = self._result.get("height")
        return int(value) if value is not None else None

    @property
    def size(self) -> int:
        """Size of the video in bytes (0 until completed)."""
        if self._bytes is not None:
            return len(self._bytes)
        return int(self._result.get("size_bytes") or 0)

    @property
    def error(self) -> JobError | None:
        err = self.raw.get("error")
        if not isinstance(err, dict):
            return None
        return JobError(str(err.get("code")), str(err.get("message")), bool(err.get("retryable")))

    @property
    def credits(self) -> dict[str, int]:
        """``{"estimated", "held", "charged"}`` in credits."""
        value = self.raw.get("credits")
        return dict(value) if isinstance(value, dict) else {}

    def raise_for_status(self) -> None:
        """Raises when the job ended without a video: the class of its error code
        (``StorageFull``, ``ContentPolicy``, ...) or ``JobFailed``."""
        if self.status in TERMINAL and self.status != "completed":
            err = self.error
            raise job_error(
                code=err.code if err else self.status.upper(),
                message=err.message if err else f"The job was {self.status}.",
                retryable=err.retryable if err else False,
                task_id=self.task_id,
                job_status=self.status,
            )


class VideoGenerationResponse(_ResponseBase):
    """A job and, once completed, its video. ``video_bytes`` downloads on first access;
    ``save(path)`` streams to disk without holding the video in memory."""

    def __init__(self, job: dict[str, Any], client: Reelsmith) -> None:
        super().__init__(job)
        self._client = client

    @property
    def video_bytes(self) -> bytes | None:
        """The video's bytes (downloaded once, then kept); None until completed."""
        if self._bytes is None and self.status == "completed":
            self._bytes = self._client._download(self.task_id, self._signed_download)
        return self._bytes

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Streams the video to ``path`` and returns it. Raises JobFailed when the job
        ended without one."""
        self.raise_for_status()
        target = Path(path)
        if self._bytes is not None:
            target.write_bytes(self._bytes)
        else:
            self._client._download_to(self.task_id, target, self._signed_download)
        return target


class AsyncVideoGenerationResponse(_ResponseBase):
    """The async client's response: ``await response.read()`` downloads the video (then
    ``video_bytes`` holds it), ``await response.save(path)`` streams it to disk."""

    def __init__(self, job: dict[str, Any], client: AsyncReelsmith) -> None:
        super().__init__(job)
        self._client = client

    @property
    def video_bytes(self) -> bytes | None:
        """The bytes once ``read()`` has run, else None."""
        return self._bytes

    async def read(self) -> bytes | None:
        if self._bytes is None and self.status == "completed":
            self._bytes = await self._client._download(self.task_id, self._signed_download)
        return self._bytes

    async def save(self, path: str | os.PathLike[str]) -> Path:
        self.raise_for_status()
        target = Path(path)
        if self._bytes is not None:
            target.write_bytes(self._bytes)
        else:
            await self._client._download_to(self.task_id, target, self._signed_download)
        return target


@dataclass
class Balance:
    """Credits: owned, held by running jobs, and available (= balance - held)."""

    balance: int
    held: int
    available: int
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Balance:
        return cls(int(data["balance"]), int(data["held"]), int(data["available"]), data)


@dataclass
class Estimate:
    """What a job would cost (credits, after your tier's discount) and take."""

    model: str
    method: str
    credits: int
    cost_usd: float
    processing_time_s: int
    available: bool
    raw: dict[str, Any] = field(repr=False)
    # With fallback models: the credits held at submit, the highest price among the
    # model and its fallbacks (each estimated); else the model's own price.
    hold_credits: int = 0
    fallback_credits: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.hold_credits:
            self.hold_credits = self.credits

    def with_fallbacks(self, prices: dict[str, int]) -> Estimate:
        self.fallback_credits = dict(prices)
        self.hold_credits = max([self.credits, *prices.values()])
        return self

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Estimate:
        return cls(
            model=str(data["model"]),
            method=str(data["method"]),
            credits=int(data["estimated_credits"]),
            cost_usd=float(data["estimated_cost_usd"]),
            processing_time_s=int(data["processing_time_estimate_s"]),
            available=bool(data["available"]),
            raw=data,
        )


@dataclass
class Model:
    """A catalogue model (``GET /api/v1/models``)."""

    id: str
    name: str
    provider: str
    methods: list[str]
    quality: str
    available: bool
    resolutions: list[str]
    aspect_ratios: list[str]
    default_aspect_ratio: str | None
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        return cls(
            id=str(data["id"]),
            name=str(data.get("name", "")),
            provider=str(data.get("provider", "")),
            methods=list(data.get("methods") or []),
            quality=str(data.get("quality", "")),
            available=bool(data.get("available")),
            resolutions=list(data.get("resolutions") or []),
            aspect_ratios=list(data.get("aspect_ratios") or []),
            default_aspect_ratio=data.get("default_aspect_ratio"),
            raw=data,
        )


@dataclass
class Asset:
    """A gallery asset: an upload or a job's result."""

    id: str
    kind: str
    status: str
    title: str
    size_bytes: int
    saved: bool
    url: str | None
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Asset:
        return cls(
            id=str(data["id"]),
            kind=str(data.get("kind", "")),
            status=str(data.get("status", "")),
            title=str(data.get("title", "")),
            size_bytes=int(data.get("size_bytes") or 0),
            saved=bool(data.get("saved")),
            url=data.get("url"),
            raw=data,
        )
