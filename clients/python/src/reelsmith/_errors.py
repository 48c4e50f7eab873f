"""Exceptions named after the API's error codes.

Every API error arrives as ``{"error": {"code", "message", "retryable", "details"}}``; the
client raises the subclass of :class:`ReelsmithError` registered for its code (or
:class:`ReelsmithError` itself for a code this version does not know)."""

from __future__ import annotations

from typing import Any


class ReelsmithError(Exception):
    """Base of every error the client raises.

    ``code`` is the API's upper-case error code, ``status`` the HTTP status (``None`` when
    the error was found before anything was sent or no response came back), ``retryable``
    whether the same request may succeed later, ``details`` the envelope's details."""

    default_code = "ERROR"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        retryable: bool = False,
        details: dict[str, Any] | None = None,
        task_id: str | None = None,
        job_status: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.status = status
        self.retryable = retryable
        self.details: dict[str, Any] = details or {}
        # Set when a job ended without a video (failed, cancelled, rejected): the error is
        # the job's, not the request's.
        self.task_id = task_id
        self.job_status = job_status

    def __str__(self) -> str:
        where = f" (HTTP {self.status})" if self.status else ""
        return f"{self.code}{where}: {self.message}"


class ValidationError(ReelsmithError):
    """The request was refused as invalid (also INVALID_PROMPT, INVALID_RESOLUTION,
    UNSUPPORTED_FORMAT, ...). ``details`` names the fields; preflight problems are in
    ``details["problems"]``."""

    default_code = "VALIDATION_ERROR"


class InsufficientCredits(ReelsmithError):
    """402: the workspace's available credits do not cover the job's price."""

    default_code = "INSUFFICIENT_CREDITS"


class KeyBudgetExceeded(InsufficientCredits):
    """402: the API key's ``monthly_credit_limit`` does not cover the job's price.
    ``details["limit"]`` and ``details["remaining"]`` say how much the key may still spend
    this month (UTC). A subclass of :class:`InsufficientCredits`, so code that handles 402
    keeps working."""

    default_code = "KEY_BUDGET_EXCEEDED"


class RateLimited(ReelsmithError):
    """429: the tier's request rate or concurrent-job limit. ``retry_after`` is the
    server's ``Retry-After`` in seconds (``None`` when it sent none)."""

    default_code = "RATE_LIMIT_EXCEEDED"

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ContentPolicy(ReelsmithError):
    """The prompt or an input was refused by the content policy."""

    default_code = "CONTENT_POLICY"


class FileTooLarge(ReelsmithError):
    """413: a file (or body) is past the tier's per-file limit."""

    default_code = "FILE_TOO_LARGE"


class StorageFull(ReelsmithError):
    """507: the workspace's storage quota is used up."""

    default_code = "STORAGE_FULL"


class ModelUnavailable(ReelsmithError):
    """The model exists but cannot run now (its provider is not configured or is off)."""

    default_code = "MODEL_UNAVAILABLE"


class NotFound(ReelsmithError):
    """404: no such object in your workspace."""

    default_code = "NOT_FOUND"


class AuthenticationError(ReelsmithError):
    """401: a missing, wrong or revoked API key."""

    default_code = "AUTHENTICATION_FAILED"


class PermissionDenied(ReelsmithError):
    """403: the key's role or scopes may not do this (``details["required_scope"]`` names
    a missing scope, ``details["allowed_models"]`` the models a key is limited to)."""

    default_code = "PERMISSION_DENIED"


class Conflict(ReelsmithError):
    """409: e.g. cancelling a job that has ended, or an Idempotency-Key reused with a
    different request."""

    default_code = "CONFLICT"


class ServerError(ReelsmithError):
    """5xx: something went wrong on the server's side."""

    default_code = "INTERNAL_ERROR"


class APIConnectionError(ReelsmithError):
    """No response: the connection failed or was dropped (after the client's retries)."""

    default_code = "CONNECTION_ERROR"


class WaitTimeout(ReelsmithError):
    """The client stopped waiting for a job; the job itself goes on (``task_id``)."""

    default_code = "WAIT_TIMEOUT"


class JobFailed(ReelsmithError):
    """A job ended without a video (failed, cancelled or rejected) for a reason with no
    class of its own. A job failing for a reason that has one raises that class
    (``StorageFull``, ``ContentPolicy``, ...); either way ``task_id`` and ``job_status``
    are set and ``code`` is the job's error code (``CANCELLED``/``REJECTED`` without one)."""

    default_code = "JOB_FAILED"


_BY_CODE: dict[str, type[ReelsmithError]] = {
    "VALIDATION_ERROR": ValidationError,
    "INVALID_PROMPT": ValidationError,
    "INVALID_RESOLUTION": ValidationError,
    "UNSUPPORTED_FORMAT": ValidationError,
    "INVALID_FORMAT": ValidationError,
    "UNSUPPORTED_MEDIA_TYPE": ValidationError,
    "INSUFFICIENT_CREDITS": InsufficientCredits,
    "KEY_BUDGET_EXCEEDED": KeyBudgetExceeded,
    "RATE_LIMIT_EXCEEDED": RateLimited,
    "CONTENT_POLICY": ContentPolicy,
    "FILE_TOO_LARGE": FileTooLarge,
    "PAYLOAD_TOO_LARGE": FileTooLarge,
    "STORAGE_FULL": StorageFull,
    "MODEL_UNAVAILABLE": ModelUnavailable,
    "NOT_FOUND": NotFound,
    "AUTHENTICATION_FAILED": AuthenticationError,
    "PERMISSION_DENIED": PermissionDenied,
    "CONFLICT": Conflict,
}

_BY_STATUS: dict[int, type[ReelsmithError]] = {
    400: ValidationError,
    401: AuthenticationError,
    402: InsufficientCredits,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    413: FileTooLarge,
    429: RateLimited,
    507: StorageFull,
}


def error_from_response(
    status: int, body: Any, *, retry_after: float | None = None
) -> ReelsmithError:
    """The exception for an error response: by the envelope's code, else by status."""
    envelope = body.get("error") if isinstance(body, dict) else None
    if isinstance(envelope, dict):
        code = str(envelope.get("code") or "")
        message = str(envelope.get("message") or code or f"HTTP {status}")
        retryable = bool(envelope.get("retryable", False))
        details = envelope.get("details")
        details = details if isinstance(details, dict) else {}
    else:
        code, message, retryable, details = "", f"HTTP {status}", status >= 500, {}
    cls = _BY_CODE.get(code) or _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else ReelsmithError
    kw: dict[str, Any] = {
        "code": code or None,
        "status": status,
        "retryable": retryable,
        "details": details,
    }
    if cls is RateLimited:
        if retry_after is None and isinstance(details.get("retry_after_s"), int | float):
            retry_after = float(details["retry_after_s"])
        return RateLimited(message, retry_after=retry_after, **kw)
    return cls(message, **kw)


def job_error(
    *, code: str, message: str, retryable: bool, task_id: str, job_status: str
) -> ReelsmithError:
    """The exception for a job that ended without a video: its code's class, else
    JobFailed."""
    cls = _BY_CODE.get(code, JobFailed)
    if cls in (ValidationError, NotFound, Conflict, AuthenticationError, PermissionDenied):
        cls = JobFailed  # request errors; a job that ended with one is simply failed
    return cls(message, code=code, retryable=retryable, task_id=task_id, job_status=job_status)
