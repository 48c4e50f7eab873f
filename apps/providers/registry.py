"""Provider adapters by the catalog's provider name."""

from apps.core.errors import ApplicationError, ErrorCode
from apps.providers.adapters.fal import FalAdapter
from apps.providers.adapters.google import VeoAdapter
from apps.providers.adapters.openai import OpenAIVideoAdapter
from apps.providers.adapters.replicate import ReplicateAdapter
from apps.providers.adapters.runware import RunwareAdapter
from apps.providers.adapters.runway import RunwayAdapter
from apps.providers.adapters.wavespeed import WaveSpeedAdapter
from apps.providers.base import Provider
from apps.providers.local import LocalProvider

_ADAPTERS: dict[str, Provider] = {
    "local": LocalProvider(),
    "wavespeed": WaveSpeedAdapter(),
    "fal": FalAdapter(),
    "replicate": ReplicateAdapter(),
    "runway": RunwayAdapter(),
    "google": VeoAdapter(),
    "openai": OpenAIVideoAdapter(),
    "runware": RunwareAdapter(),
}


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
