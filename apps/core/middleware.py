"""Refuses text no view should see, before any view runs: control characters or lone
surrogates in the path or the query string (every page and API list filters on these), in
header values (Idempotency-Key is stored), and in the fields of a page's form post. API
bodies are checked by the API's parsers (apps/core/parsers.py)."""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import ValidationError

from apps.core import metrics, requestid, text
from apps.core.exceptions import error_from_drf, error_response, is_api_request


class RejectControlCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            if text.has_bad_characters(request.path):
                raise ValidationError({"path": [text.MESSAGE]})
            text.check_pairs(request.GET.lists())
            for key, value in request.META.items():
                if key.startswith("HTTP_") and text.BAD_HEADER_CHARACTERS.search(value):
                    name = key[5:].replace("_", "-").title()
                    raise ValidationError({name: ["A header value has a control character."]})
        except ValidationError as exc:
            return error_response(request, error_from_drf(exc))
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        # A page's form, after CsrfViewMiddleware has read it (so reading it costs nothing
        # more). csrf_exempt views (the API, signed media PUTs) read their bodies their own
        # way: parsing one here would spool a file before the view can refuse it.
        if request.method != "POST" or is_api_request(request):
            return None
        if getattr(view_func, "csrf_exempt", False):
            return None
        try:
            text.check_pairs(request.POST.lists())
        except ValidationError as exc:
            return error_response(request, error_from_drf(exc))
        return None


class RequestObservabilityMiddleware:
    """Outermost: gives every request its id (X-Request-ID, echoed in the response and in
    error envelopes), counts it in the HTTP metrics by route name (bounded: never the raw
    path) and status, and with LOG_REQUESTS writes one log line for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = requestid.request_id_from(request.META.get(requestid.META_KEY))
        request.request_id = rid  # type: ignore[attr-defined]
        token = requestid.bind(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[requestid.HEADER] = rid
            elapsed = time.perf_counter() - started
            route, method = _route(request), _method(request)
            metrics.HTTP_REQUESTS.labels(route, method, str(response.status_code)).inc()
            metrics.HTTP_REQUEST_DURATION.labels(route, method).observe(elapsed)
            if settings.LOG_REQUESTS:
                request_logger.info(
                    "%s %s %s", request.method, request.path, response.status_code,
                    extra={
                        "event": "request",
                        "method": request.method,
                        "route": route,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round(elapsed * 1000, 1),
                        "request_id": rid,
                        **_actor(request),
                    },
                )  # fmt: skip
            return response
        finally:
            requestid.unbind(token)


request_logger = logging.getLogger("reelsmith.request")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"  # no URL pattern: a 404 (or refused before routing)
    return match.view_name or match.route or "unnamed"


def _method(request: HttpRequest) -> str:
    method = (request.method or "").upper()
    return method if method in METHODS else "other"


def _actor(request: HttpRequest) -> dict[str, str | None]:
    """Workspace, user and API key public ids, as far as the request resolved them."""
    workspace = getattr(request, "workspace", None)
    user = getattr(request, "user", None)
    auth = getattr(request, "auth", None)
    return {
        "workspace_id": getattr(workspace, "public_id", None),
        "user_id": getattr(user, "public_id", None)
        if getattr(user, "is_authenticated", False)
        else None,
        "api_key_id": getattr(auth, "public_id", None),
    }


def _keyed_api_request(request: HttpRequest) -> bool:
    """An API request that names an API key (`Authorization: Bearer …` or `X-API-Key`):
    DRF's key authentication either accepts it or answers 401, so the session, its user
    and flash messages are never consulted for it. Decided once per request (three
    middleware ask)."""
    keyed = getattr(request, "_keyed_api", None)
    if keyed is None:
        meta = request.META
        keyed = (
            "HTTP_X_API_KEY" in meta
            or meta.get("HTTP_AUTHORIZATION", "")[:7].lower() == ("bearer ")
        ) and is_api_request(request)
        request._keyed_api = keyed  # type: ignore[attr-defined]
    return keyed


class BrowserOnly:
    """Mixed into Django's session, authentication and message middleware: every request
    but a keyed API request runs them; that one goes straight on (they cost it about
    60 µs and give it nothing). CSRF stays Django's own: the API's views are exempt from
    it anyway, and `check --deploy` asks for the middleware by name."""

    get_response: Callable[[HttpRequest], HttpResponse]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _keyed_api_request(request):
            return self.get_response(request)
        return super().__call__(request)  # type: ignore[misc]


class SessionMiddleware(BrowserOnly, sessions_middleware.SessionMiddleware):
    pass


class AuthenticationMiddleware(BrowserOnly, auth_middleware.AuthenticationMiddleware):
    pass


class MessageMiddleware(BrowserOnly, messages_middleware.MessageMiddleware):
    pass
