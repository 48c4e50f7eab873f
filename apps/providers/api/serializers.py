from typing import Any

from rest_framework import serializers

from apps.providers.models import ProviderCredential, ProviderName


class ProviderKeySerializer(serializers.ModelSerializer[ProviderCredential]):
    id = serializers.CharField(source="public_id", read_only=True)
    masked = serializers.CharField(read_only=True, help_text="The key's last 4 characters.")

    class Meta:
        model = ProviderCredential
        fields = ("id", "provider", "label", "masked", "created_at")
        read_only_fields = fields


class ProviderKeyCreateSerializer(serializers.Serializer[Any]):
    provider = serializers.ChoiceField(choices=ProviderName.choices)
    secret = serializers.CharField(
        write_only=True,
        min_length=8,
        max_length=500,
        trim_whitespace=True,
        help_text="The provider API key. Stored encrypted; never shown again.",
    )
    label = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class ProviderWebhookAckSerializer(serializers.Serializer[Any]):
    received = serializers.BooleanField()
