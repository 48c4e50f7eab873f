"""Provider adapters by the catalog's provider name."""

from apps.core.errors import ApplicationError, ErrorCode
from apps.providers.base import Provider
from apps.providers.local import LocalProvider

_ADAPTERS: dict[str, Provider] = {"local": LocalProvider()}


def provider_get(*, name: str) -> Provider:
    adapter = _ADAPTERS.get(name)
    if adapter is None:
        raise ApplicationError(
            f"Provider '{name}' has no adapter on this server.",
            code=ErrorCode.MODEL_UNAVAILABLE,
            status=400,
            details={"provider": name},
        )
    return adapter


def provider_register(*, name: str, adapter: Provider) -> None:
    _ADAPTERS[name] = adapter
