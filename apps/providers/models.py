"""A workspace's own provider API keys (bring-your-own-key, Enterprise tier)."""

from django.conf import settings
from django.db import models

from apps.core.models import BaseModel, PublicIdField


class ProviderName(models.TextChoices):
    WAVESPEED = "wavespeed", "WaveSpeed AI"
    FAL = "fal", "fal"
    REPLICATE = "replicate", "Replicate"
    RUNWAY = "runway", "Runway"
    GOOGLE = "google", "Google Gemini API"
    OPENAI = "openai", "OpenAI"
    RUNWARE = "runware", "Runware"


class ProviderCredential(BaseModel):
    """One provider key of one workspace. The secret is stored encrypted (Fernet, key
    derived from PROVIDER_KEYS_SECRET or SECRET_KEY) and only its last 4 characters are
    ever shown."""

    public_id = PublicIdField(prefix="pkey")
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="provider_credentials"
    )
    provider = models.CharField(max_length=32, choices=ProviderName.choices)
    label = models.CharField(max_length=120, blank=True)
    secret_encrypted = models.TextField(editable=False)
    last4 = models.CharField(max_length=4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "provider"], name="provider_credential_one_per_provider"
            )
        ]
        ordering = ("provider",)

    def __str__(self) -> str:
        return f"{self.get_provider_display()} key …{self.last4}"

    @property
    def masked(self) -> str:
        return f"…{self.last4}"
