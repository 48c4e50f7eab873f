"""Which API key a call uses: the workspace's own (Enterprise, bring-your-own-key) or the
platform's from settings. Secrets are never logged."""

from django.conf import settings

from apps.core.errors import ErrorCode
from apps.providers import crypto
from apps.providers.base import ProviderError
from apps.providers.models import ProviderCredential
from apps.providers.sandbox import inapp

PLATFORM_SETTINGS = {
    "wavespeed": "WAVESPEED_API_KEY",
    "fal": "FAL_KEY",
    "replicate": "REPLICATE_API_TOKEN",
    "runway": "RUNWAYML_API_SECRET",
    "google": "GEMINI_API_KEY",
    "openai": "OPENAI_API_KEY",
    "runware": "RUNWARE_API_KEY",
}


def byok_allowed(workspace: object) -> bool:
    tier = getattr(workspace, "tier", None)
    return getattr(tier, "name", None) in set(settings.PROVIDER_BYOK_TIERS)


def platform_key(provider: str) -> str:
    if inapp.enabled():
        return inapp.provider_key(provider)  # never a real key to the fake
    return str(getattr(settings, PLATFORM_SETTINGS[provider], "") or "")


def key_for_submit(provider: str, workspace_id: int | None) -> tuple[str, str | None]:
    """(secret, credential public id or None for the platform key)."""
    if workspace_id is not None and not inapp.enabled():
        cred = (
            ProviderCredential.objects.select_related("workspace__tier")
            .filter(workspace_id=workspace_id, provider=provider)
            .first()
        )
        if cred is not None and byok_allowed(cred.workspace):
            return crypto.decrypt(cred.secret_encrypted), cred.public_id
    secret = platform_key(provider)
    if not secret:
        raise ProviderError(
            f"No API key is configured for {provider}.", code=ErrorCode.MODEL_UNAVAILABLE
        )
    return secret, None


def key_for_task(provider: str, credential_id: str | None) -> str:
    """The key a task was submitted with (polls and cancels must use the same account)."""
    if credential_id is None:
        secret = platform_key(provider)
        if not secret:
            raise ProviderError(
                f"No API key is configured for {provider}.", code=ErrorCode.MODEL_UNAVAILABLE
            )
        return secret
    cred = ProviderCredential.objects.filter(public_id=credential_id, provider=provider).first()
    if cred is None:
        raise ProviderError(
            "The workspace's own provider key this task was submitted with was removed.",
            code=ErrorCode.MODEL_UNAVAILABLE,
        )
    return crypto.decrypt(cred.secret_encrypted)
