from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from apps.accounts.audit import request_bind, request_unbind
from apps.accounts.selectors import user_active_membership
from apps.core.exceptions import is_api_request


class WorkspaceMiddleware:
    """For pages: `request.workspace`/`request.membership` from the session user's active
    workspace. API views resolve their own (an API key names its workspace). Also makes
    the request the one audit events are attributed to (apps/accounts/audit.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = None
        if not is_api_request(request) and request.user.is_authenticated:
            membership = user_active_membership(user=request.user)  # type: ignore[arg-type]
        request.membership = membership  # type: ignore[attr-defined]
        request.workspace = membership.workspace if membership else None  # type: ignore[attr-defined]
        token = request_bind(request)
        try:
            return self.get_response(request)
        finally:
            request_unbind(token)
