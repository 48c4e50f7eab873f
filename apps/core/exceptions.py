"""One DRF exception handler and the Django error views, so that every API failure —
ours, DRF's, Django's 404/500 — has the same envelope."""

import logging
import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from rest_framework import exceptions as drf
from rest_framework.response import Response

from apps.core import requestid
from apps.core.errors import ApplicationError, ErrorCode
from apps.core.throttling import precount_release

logger = logging.getLogger(__name__)

_DRF_CODES: list[tuple[type[drf.APIException], str, str | None]] = [
    (drf.ValidationError, ErrorCode.VALIDATION_ERROR, None),
    (drf.ParseError, ErrorCode.VALIDATION_ERROR, None),
    (drf.NotAuthenticated, ErrorCode.AUTHENTICATION_FAILED, None),
    (drf.AuthenticationFailed, ErrorCode.AUTHENTICATION_FAILED, None),
    (drf.PermissionDenied, ErrorCode.PERMISSION_DENIED, None),
    (drf.NotFound, ErrorCode.NOT_FOUND, "Not found."),
    (drf.MethodNotAllowed, ErrorCode.METHOD_NOT_ALLOWED, None),
    (drf.UnsupportedMediaType, ErrorCode.UNSUPPORTED_MEDIA_TYPE, None),
    (drf.NotAcceptable, ErrorCode.NOT_ACCEPTABLE, None),
    (drf.Throttled, ErrorCode.RATE_LIMIT_EXCEEDED, None),
]


def _flatten(detail: Any) -> str:
    """The first human message in a DRF error detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            inner = _flatten(value)
            return inner if key == "non_field_errors" else f"{key}: {inner}"
    if isinstance(detail, list) and detail:
        return _flatten(detail[0])
    return str(detail)


def error_from_drf(exc: drf.APIException) -> ApplicationError:
    code, message = next(
        ((c, m) for klass, c, m in _DRF_CODES if isinstance(exc, klass)),
        (ErrorCode.INTERNAL_ERROR, None),
    )
    details: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(exc, drf.ValidationError):
        details = {"fields": exc.detail} if isinstance(exc.detail, dict) else {}
        message = "Invalid input: " + _flatten(exc.detail)
    if isinstance(exc, drf.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(math.ceil(exc.wait))
        details["retry_after_s"] = math.ceil(exc.wait)
    status = exc.status_code
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        status = 401
    return ApplicationError(
        message or _flatten(exc.detail),
        code=code,
        status=status,
        retryable=isinstance(exc, drf.Throttled),
        details=details,
        headers=headers,
    )


def _from_suspicious(exc: SuspiciousOperation) -> ApplicationError:
    """Django's refusals of a request body (raised while DRF or Django parses it, so in
    `request.data`/`request.body`): the client's fault, never retryable as sent."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return ApplicationError(
            f"The request body is too large: at most {limit} bytes outside uploaded files.",
            code=ErrorCode.PAYLOAD_TOO_LARGE,
            status=413,
            details={"max_bytes": limit},
        )
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        message, details = f"The request has more than {limit} fields.", {"max_fields": limit}
    elif isinstance(exc, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        message, details = f"The request has more than {limit} files.", {"max_files": limit}
    else:
        message, details = "The request is malformed.", {}
    return ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, status=400, details=details)


def application_error_from(exc: Exception) -> ApplicationError:
    """Any exception a view raised as the one ApplicationError it means (an unexpected
    one is logged and becomes a retryable 500). Compat dialects render the result in
    their own shapes."""
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, SuspiciousOperation):
        logger.info("Refused an API request: %s", exc)
        exc = _from_suspicious(exc)
    if isinstance(exc, drf.APIException):
        exc = error_from_drf(exc)
    if not isinstance(exc, ApplicationError):
        logger.exception("Unhandled API error", exc_info=exc)
        exc = ApplicationError(retryable=True)
    return exc


def envelope(error: ApplicationError) -> dict[str, Any]:
    """The error's body in our one shape, with the request's id in `details.request_id`
    (the id the response's X-Request-ID header carries: quote it to support)."""
    body = error.as_dict()
    rid = requestid.current()
    if rid:
        body["error"]["details"] = {**body["error"]["details"], "request_id": rid}
    return body


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = application_error_from(exc)
    headers = dict(exc.headers)
    if exc.status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    request = context.get("request")
    # Refused before its throttle ran: a hit counted with the key lookup is taken back.
    precount_release(request)
    path = getattr(request, "path", "") or ""
    dialect = next((p for p in ERROR_BODIES if path.startswith(p)), None)
    body = exc.as_dict() if dialect else envelope(exc)
    return Response(body, status=exc.status, headers=headers)


# The API and the vendor-compatible fronts (apps/compat): JSON errors, no session workspace.
API_PREFIXES = ("/api/", "/v1/", "/compat/")


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES)


# Path prefix -> the body of an error in that front's own shape (apps/compat registers
# its dialects at start-up); refusals made before a view runs use it too.
ERROR_BODIES: dict[str, Callable[[ApplicationError], dict[str, Any]]] = {}


def error_body_register(*, prefix: str, render: Callable[[ApplicationError], dict]) -> None:
    ERROR_BODIES[prefix] = render


def error_body(request: HttpRequest, error: ApplicationError) -> dict[str, Any]:
    for prefix, shape in ERROR_BODIES.items():
        if request.path.startswith(prefix):
            return shape(error)
    return envelope(error)


def _error_response(request: HttpRequest, error: ApplicationError, template: str) -> HttpResponse:
    if is_api_request(request):
        return JsonResponse(error_body(request, error), status=error.status)
    return render(request, template, {"error": error}, status=error.status)


def error_response(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """The envelope under /api/, else the error page: for refusals outside a DRF view."""
    return _error_response(request, error, "error.html")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Django sends SuspiciousOperation here, e.g. a body too big for a plain Django view.
    if isinstance(exception, SuspiciousOperation):
        error = _from_suspicious(exception)
    else:
        error = ApplicationError("Bad request.", code=ErrorCode.VALIDATION_ERROR, status=400)
    return _error_response(request, error, "error.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    error = ApplicationError(
        "You do not have permission to do this.", code=ErrorCode.PERMISSION_DENIED, status=403
    )
    return _error_response(request, error, "error.html")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    error = ApplicationError("Not found.", code=ErrorCode.NOT_FOUND, status=404)
    return _error_response(request, error, "error.html")


def server_error(request: HttpRequest) -> HttpResponse:
    error = ApplicationError(retryable=True)
    if is_api_request(request):
        return JsonResponse(error_body(request, error), status=error.status)
    # A template of its own, rendered without the request's context processors (no
    # database): it must work when whatever failed was the database.
    html = loader.render_to_string("500.html")
    return HttpResponse(html, status=500)
