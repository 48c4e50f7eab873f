"""Errors on /v1/ in OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`,
with the statuses the openai SDKs map to their exception classes (docs/compat.md)."""

from typing import Any

from rest_framework.response import Response

from apps.core.errors import ApplicationError, ErrorCode
from apps.core.exceptions import application_error_from, error_body_register


class OpenAIError(ApplicationError):
    """A refusal worded for this dialect, naming the request parameter at fault."""

    status = 400
    code = ErrorCode.VALIDATION_ERROR

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = "invalid_value",
        status: int = 400,
    ) -> None:
        super().__init__(message, status=status)
        self.param = param
        self.openai_code = code


# Our code -> OpenAI's `code`; anything else is our code in lower case.
CODES = {
    ErrorCode.AUTHENTICATION_FAILED: "invalid_api_key",
    ErrorCode.INSUFFICIENT_CREDITS: "insufficient_quota",
    ErrorCode.CONTENT_POLICY: "moderation_blocked",
    ErrorCode.RATE_LIMIT_EXCEEDED: "rate_limit_exceeded",
    ErrorCode.VALIDATION_ERROR: "invalid_value",
}
TYPES = {
    401: "invalid_request_error",
    402: "insufficient_quota",
    403: "permission_error",
    429: "rate_limit_error",
}
# The SDKs retry 408, 409, 429 and 5xx unless told not to; a 409 here is a definite
# answer (an Idempotency-Key reused with another body), never a lock timeout.
RETRYABLE = {408, 429}


def _field(details: dict[str, Any]) -> str | None:
    problems = details.get("problems")
    if isinstance(problems, list) and problems and isinstance(problems[0], dict):
        field = problems[0].get("field")
        return field if isinstance(field, str) else None
    for key in ("field", "param"):
        if isinstance(details.get(key), str):
            return details[key]
    fields = details.get("fields")
    if isinstance(fields, dict) and fields:
        return str(next(iter(fields)))
    if isinstance(fields, list) and fields and isinstance(fields[0], str):
        return fields[0]
    return None


def param_for(field: str | None, names: dict[str, str]) -> str | None:
    """Our field name as the request's parameter (the view's `param_names`)."""
    if not field:
        return None
    base = field.split("[", 1)[0].split(".", 1)[0]
    return names.get(field) or names.get(base) or field


def openai_error_body(error: ApplicationError, params: dict[str, str]) -> dict[str, Any]:
    if isinstance(error, OpenAIError):
        param, code = error.param, error.openai_code
    else:
        param = param_for(_field(error.details), params)
        code = CODES.get(error.code, error.code.lower())
    if error.status >= 500:
        kind = "server_error"
    else:
        kind = TYPES.get(error.status, "invalid_request_error")
    return {"error": {"message": error.message, "type": kind, "param": param, "code": code}}


def openai_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    error = application_error_from(exc)
    view = context.get("view")
    params = getattr(view, "param_names", {}) if view is not None else {}
    headers = dict(error.headers)
    if error.status not in RETRYABLE and error.status < 500:
        headers["x-should-retry"] = "false"
    if error.status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    return Response(openai_error_body(error, params), status=error.status, headers=headers)


def register() -> None:
    """Refusals under /v1/ made before a view runs (bad characters in the URL, Django's
    404 and 500) in this shape too."""
    error_body_register(prefix="/v1/", render=lambda error: openai_error_body(error, {}))
