"""API key authentication: `Authorization: Bearer <key>` or `X-API-Key: <key>`."""

from typing import Any

from rest_framework.authentication import BaseAuthentication

from apps.accounts.models import ApiKey
from apps.accounts.scopes import scope_check
from apps.accounts.services import api_key_authenticate
from apps.core.errors import AuthenticationFailed
from apps.core.throttling import auth_failure_record, auth_failures_check, client_address


def raw_key_from(request: Any) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return value.strip()
        return None
    value = request.META.get("HTTP_X_API_KEY")
    return value.strip() if value is not None else None


def request_api_key(request: Any) -> ApiKey | None:
    """The API key a request authenticated with; None for a session (dashboard) user."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None


class ApiKeyAuthentication(BaseAuthentication):
    """Subclasses that read the key from another header (a vendor's, in apps/compat)
    override `raw_key`; lookup and the failed-attempt limit stay here."""

    def raw_key(self, request: Any) -> str | None:
        return raw_key_from(request)

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        raw = self.raw_key(request)
        if raw is None:
            return None  # no key offered: let session auth try
        address = client_address(request)
        auth_failures_check(address=address)
        api_key = api_key_authenticate(raw_key=raw)
        if api_key is None:
            auth_failure_record(address=address)
            # Wrong, revoked and malformed keys get the same answer.
            raise AuthenticationFailed("Invalid API key.")
        # The scope check lives here, not in each view's permission classes, so no view
        # (whatever permissions it declares, public ones included) skips it.
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if view is not None:
            scope_check(scopes=api_key.scopes, view=view, method=request.method)
        return api_key.created_by, api_key

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'
