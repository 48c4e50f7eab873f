"""The protocol every provider adapter speaks, as the job pipeline sees it.

Two shapes:
- inline providers (the local engine) do the work inside the worker: `run()` writes the
  output file, reporting progress and honouring cancellation;
- remote providers (WaveSpeed, fal, Replicate, ...) take a submission and are polled:
  `submit()` returns the provider's task id at once, `poll()` says how it is going, and
  `cancel()` is best effort. A waiting job never occupies a worker.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from apps.core.errors import ErrorCode


@dataclass(frozen=True)
class JobInput:
    """One input file: a local path for inline providers, a short-lived URL for remote."""

    role: str  # image | end_image | audio | video
    path: Path | None = None
    url: str | None = None
    content_type: str = ""


@dataclass(frozen=True)
class JobSpec:
    job_id: str
    model_id: str
    provider_model: str
    method: str
    prompt: str
    params: dict[str, Any]
    inputs: dict[str, JobInput] = field(default_factory=dict)
    webhook_url: str | None = None
    # The workspace the job belongs to: remote adapters use its own provider key when it
    # has one (bring-your-own-key, Enterprise). None: the platform's key.
    workspace_id: int | None = None
    # Provider fields the model's creative controls set (camera_fixed, fps, ...), filled
    # by the submit path from the catalogue (apps/catalog/registry/controls.py).
    native: dict[str, Any] = field(default_factory=dict)


class PollState(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class PollResult:
    state: PollState
    progress: int | None = None
    stage: str = ""
    output_url: str | None = None
    error_code: str = ErrorCode.DELIVERY_FAILED
    error_message: str = ""
    retryable: bool = False
    # Headers the download of `output_url` needs (OpenAI's /content and Veo's file URIs
    # are authenticated); empty for pre-signed URLs.
    output_headers: dict[str, str] = field(default_factory=dict)


class ProviderError(Exception):
    """A provider refused or failed a call. `retryable` says whether trying again later
    can succeed (429, 5xx, timeouts) or not (bad input, content policy)."""

    def __init__(
        self,
        message: str,
        *,
        code: str = ErrorCode.DELIVERY_FAILED,
        retryable: bool = False,
        ambiguous: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable
        # The call may or may not have taken effect (a submit that timed out).
        self.ambiguous = ambiguous


ProgressCallback = Callable[[int, str], None]
CancelCheck = Callable[[], bool]


@runtime_checkable
class InlineProvider(Protocol):
    name: str
    inline: bool  # True

    def run(
        self,
        spec: JobSpec,
        *,
        workdir: Path,
        on_progress: ProgressCallback,
        should_cancel: CancelCheck,
    ) -> Path: ...


@runtime_checkable
class RemoteProvider(Protocol):
    name: str
    inline: bool  # False

    def submit(self, spec: JobSpec) -> str: ...

    def poll(self, task_id: str) -> PollResult: ...

    def cancel(self, task_id: str) -> None: ...


Provider = InlineProvider | RemoteProvider
