"""API key authentication: `Authorization: Bearer <key>` or `X-API-Key: <key>`."""

from typing import Any

from django.conf import settings
from rest_framework.authentication import BaseAuthentication

from apps.accounts import keycache, keys
from apps.accounts.models import ApiKey
from apps.accounts.scopes import scope_check
from apps.accounts.services import (
    LAST_USED_RESOLUTION,
    api_key_authenticate,
    api_key_last_used_touch,
    api_key_vet,
)
from apps.core import refcache, vrecord
from apps.core.errors import AuthenticationFailed
from apps.core.throttling import (
    auth_failure_record,
    auth_failures_check,
    auth_failures_refuse,
    client_address,
    counts_tier_rate,
    precount_hit,
    precount_release,
)


def raw_key_from(request: Any) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return value.strip()
        return None
    value = request.META.get("HTTP_X_API_KEY")
    return value.strip() if value is not None else None


def _record_wanted(request: Any, view: Any) -> tuple[str, str] | None:
    """The versioned record a read declares it answers from (`prefetched_record` on the
    view: a record stem and the URL keyword that names the record), to read along with
    the key. The view finds its body in `request.prefetched_record` (None: read the
    database) and serves it only to the key's own workspace, which the lookup keys it by."""
    wanted = getattr(view, "prefetched_record", None)
    if wanted is None or request.method not in ("GET", "HEAD"):
        return None
    name = ((getattr(request, "parser_context", None) or {}).get("kwargs") or {}).get(wanted[1])
    return (wanted[0], name) if isinstance(name, str) else None


def _versions_wanted(request: Any, view: Any) -> list[str]:
    """The per-process copies' version keys, for a view that declares its POST reads the
    copies (`prefetched_versions` on the view: a submit reads the catalogue's overrides
    and the moderation terms): read along with the key, and handed to the view in
    `request.prefetched_versions` (apps/core/refcache.one_read)."""
    if request.method != "POST" or not getattr(view, "prefetched_versions", False):
        return []
    return refcache.version_names()


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
        view = (getattr(request, "parser_context", None) or {}).get("view")
        api_key = self._cached(request, raw, address, view)
        if api_key is None:
            auth_failures_check(address=address)
            api_key = api_key_authenticate(raw_key=raw)
        if api_key is None:
            auth_failure_record(address=address)
            # Wrong, revoked and malformed keys get the same answer.
            raise AuthenticationFailed("Invalid API key.")
        # The scope check lives here, not in each view's permission classes, so no view
        # (whatever permissions it declares, public ones included) skips it.
        if view is not None:
            scope_check(scopes=api_key.scopes, view=view, method=request.method)
        return api_key.created_by, api_key

    def _cached(self, request: Any, raw: str, address: str, view: Any) -> ApiKey | None:
        """The key from its cached record (apps/accounts/keycache.py) in one Redis round
        trip that also applies the failed-auth limit and, for a view the tier limit
        applies to, counts the request in its workspace's window. None: no Redis, a
        malformed key, or no current record (the caller reads the database)."""
        if vrecord.backend() is None:
            return None
        prefix = keys.parse_prefix(raw)
        if prefix is None:
            return None
        versions = _versions_wanted(request, view)
        hit = keycache.key_lookup(
            prefix=prefix,
            address=address,
            failure_limit=settings.AUTH_FAILURES_PER_MINUTE,
            count=view is not None and counts_tier_rate(view),
            touch_every_s=int(LAST_USED_RESOLUTION.total_seconds()),
            record=_record_wanted(request, view),
            also=versions,
        )
        if hit.auth_blocked:
            auth_failures_refuse()
        if hit.api_key is None:
            return None
        if hit.rate_key:
            precount_hit(request, key=hit.rate_key, count=hit.count, window=hit.window)
        api_key = api_key_vet(api_key=hit.api_key, raw_key=raw)
        if api_key is not None and hit.touch:
            api_key_last_used_touch(api_key=api_key)
        if api_key is None:
            precount_release(request)
            auth_failure_record(address=address)
            raise AuthenticationFailed("Invalid API key.")
        request.prefetched_record = hit.record
        if hit.also is not None:
            request.prefetched_versions = refcache.prefetched(versions, hit.also)
        return api_key

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'
