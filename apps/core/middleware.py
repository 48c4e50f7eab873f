"""Refuses text no view should see, before any view runs: control characters or lone
surrogates in the path or the query string (every page and API list filters on these), in
header values (Idempotency-Key is stored), and in the fields of a page's form post. API
bodies are checked by the API's parsers (apps/core/parsers.py)."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import ValidationError

from apps.core import text
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
