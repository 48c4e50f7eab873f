"""Veo3's error shape (spec 002, "Error Types"): {"error": {"type", "message", "retryable"}},
with our `code` beside it so a client can tell the cases apart without parsing text."""

from typing import Any

from rest_framework.response import Response

from apps.core.errors import ErrorCode
from apps.core.exceptions import api_exception_handler

# Our code → Veo3's error type. The spec names VideoGenerationError (content policy,
# filtered audio) and ServiceError (temporary); the rest follow their pattern.
TYPES = {
    ErrorCode.CONTENT_POLICY: "VideoGenerationError",
    ErrorCode.INVALID_PROMPT: "VideoGenerationError",
    ErrorCode.CORRUPTION_DETECTED: "VideoGenerationError",
    ErrorCode.MODEL_UNAVAILABLE: "ServiceError",
    ErrorCode.PROCESSING_TIMEOUT: "ServiceError",
    ErrorCode.DELIVERY_FAILED: "ServiceError",
    ErrorCode.INTERNAL_ERROR: "ServiceError",
    ErrorCode.STORAGE_FULL: "StorageError",
    ErrorCode.INSUFFICIENT_CREDITS: "InsufficientCreditsError",
    ErrorCode.KEY_BUDGET_EXCEEDED: "InsufficientCreditsError",
    ErrorCode.RATE_LIMIT_EXCEEDED: "RateLimitError",
    ErrorCode.NOT_FOUND: "NotFoundError",
    ErrorCode.AUTHENTICATION_FAILED: "AuthenticationError",
    ErrorCode.PERMISSION_DENIED: "PermissionError",
    ErrorCode.CONFLICT: "ConflictError",
}


# Our input names a lower layer's error may carry → the field the caller sent.
FIELD_NAMES = {"source_url": "image", "source_file": "image", "source_data": "image"}


def veo3_error(*, code: str, message: str, retryable: bool) -> dict[str, Any]:
    """One error object, as a failed task's `error` and inside an error response."""
    if code == ErrorCode.CONTENT_POLICY:
        # The spec's client looks for "content_policy" in the message.
        message = f"Content policy violation (content_policy): {message}"
    return {
        "type": TYPES.get(code, "ValidationError"),
        "message": message,
        "retryable": retryable,
        "code": code,
    }


def veo3_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = api_exception_handler(exc, context)
    if response is None or not isinstance(response.data, dict) or "error" not in response.data:
        return response
    error = response.data["error"]
    message, details = error["message"], dict(error.get("details") or {})
    ours = details.get("field")
    if isinstance(ours, str) and ours in FIELD_NAMES:
        details["field"] = FIELD_NAMES[ours]
        message = message.replace(ours, FIELD_NAMES[ours])
    body = veo3_error(code=error["code"], message=message, retryable=error["retryable"])
    if details:
        body["details"] = details
    response.data = {"error": body}
    return response
