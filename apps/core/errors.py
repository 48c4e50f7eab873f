"""The one error hierarchy. Every API error renders as
{"error": {"code", "message", "retryable", "details"}} (see core/exceptions.py)."""

from typing import Any


class ErrorCode:
    VALIDATION_ERROR = "VALIDATION_ERROR"
    INVALID_PROMPT = "INVALID_PROMPT"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    INVALID_FORMAT = "INVALID_FORMAT"  # an output format the workspace's tier does not get
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    INVALID_RESOLUTION = "INVALID_RESOLUTION"
    MODEL_UNAVAILABLE = "MODEL_UNAVAILABLE"
    PROCESSING_TIMEOUT = "PROCESSING_TIMEOUT"
    INSUFFICIENT_CREDITS = "INSUFFICIENT_CREDITS"
    KEY_BUDGET_EXCEEDED = "KEY_BUDGET_EXCEEDED"  # 402: an API key's monthly_credit_limit
    RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED"
    STORAGE_FULL = "STORAGE_FULL"
    DELIVERY_FAILED = "DELIVERY_FAILED"
    CORRUPTION_DETECTED = "CORRUPTION_DETECTED"
    CONTENT_POLICY = "CONTENT_POLICY"
    NOT_FOUND = "NOT_FOUND"
    AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    CONFLICT = "CONFLICT"
    # Beyond the product spec's list: HTTP-level failures that still need a code.
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"  # 413: a request body over the server's limit
    INTERNAL_ERROR = "INTERNAL_ERROR"


class ApplicationError(Exception):
    code: str = ErrorCode.INTERNAL_ERROR
    status: int = 500
    retryable: bool = False
    default_message: str = "Something went wrong on our side."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        retryable: bool | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        if retryable is not None:
            self.retryable = retryable
        self.details = details or {}
        self.headers = headers or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "retryable": self.retryable,
                "details": self.details,
            }
        }


class ValidationError(ApplicationError):
    code = ErrorCode.VALIDATION_ERROR
    status = 400
    default_message = "The request is not valid."


class NotFound(ApplicationError):
    code = ErrorCode.NOT_FOUND
    status = 404
    default_message = "Not found."


class AuthenticationFailed(ApplicationError):
    code = ErrorCode.AUTHENTICATION_FAILED
    status = 401
    default_message = "Authentication failed: send a valid API key or log in."


class PermissionDenied(ApplicationError):
    code = ErrorCode.PERMISSION_DENIED
    status = 403
    default_message = "You do not have permission to do this."


class Conflict(ApplicationError):
    code = ErrorCode.CONFLICT
    status = 409
    default_message = "The request conflicts with the current state."


class RateLimitExceeded(ApplicationError):
    code = ErrorCode.RATE_LIMIT_EXCEEDED
    status = 429
    retryable = True
    default_message = "Too many requests."
