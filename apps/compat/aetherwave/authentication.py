"""AetherWave's key header, `X-AW-Key`, carrying one of our API keys. Our own headers
(`Authorization: Bearer`, `X-API-Key`) work too. Lookup and the failed-attempt limit are
apps.accounts' (ApiKeyAuthentication); only where the key is read differs."""

from typing import Any

from apps.accounts.authentication import ApiKeyAuthentication
from apps.accounts.permissions import IsWorkspaceMember
from apps.core.errors import AuthenticationFailed

KEY_HEADER = "HTTP_X_AW_KEY"


class AetherWaveKeyAuthentication(ApiKeyAuthentication):
    def raw_key(self, request: Any) -> str | None:
        value = request.META.get(KEY_HEADER)
        if value is not None:
            return value.strip()
        return super().raw_key(request)


class AetherWaveMember(IsWorkspaceMember):
    """A member of a workspace, told about X-AW-Key when no key came."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            raise AuthenticationFailed(
                "Authentication required: send your API key as `X-AW-Key: <key>` "
                "(or `Authorization: Bearer <key>`)."
            )
        return super().has_permission(request, view)
