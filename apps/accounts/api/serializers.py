from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts import keys
from apps.accounts.models import ApiKey, Membership, Role, Tier, Workspace


class TierSerializer(serializers.ModelSerializer[Tier]):
    storage_quota_bytes = serializers.IntegerField(
        allow_null=True, help_text="null means unlimited."
    )

    class Meta:
        model = Tier
        fields = (
            "name",
            "display_name",
            "max_upload_bytes",
            "storage_quota_bytes",
            "max_concurrent_jobs",
            "requests_per_minute",
            "monthly_credits",
            "credit_discount_percent",
            "max_webhook_endpoints",
        )


class WorkspaceUsageSerializer(serializers.Serializer[Any]):
    storage_bytes = serializers.IntegerField()


class WorkspaceSerializer(serializers.ModelSerializer[Workspace]):
    id = serializers.CharField(source="public_id")
    tier = TierSerializer()
    usage = serializers.SerializerMethodField()

    class Meta:
        model = Workspace
        fields = ("id", "name", "tier", "usage", "created_at")

    @extend_schema_field(WorkspaceUsageSerializer)
    def get_usage(self, obj: Workspace) -> dict[str, int]:
        return {"storage_bytes": obj.storage_used_bytes}


class ApiKeySerializer(serializers.ModelSerializer[ApiKey]):
    id = serializers.CharField(source="public_id")
    prefix = serializers.SerializerMethodField()
    created_by = serializers.EmailField(source="created_by.email")
    revoked = serializers.SerializerMethodField()

    class Meta:
        model = ApiKey
        fields = (
            "id",
            "name",
            "prefix",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked",
            "revoked_at",
        )

    def get_prefix(self, obj: ApiKey) -> str:
        return keys.display(obj.prefix)

    def get_revoked(self, obj: ApiKey) -> bool:
        return obj.revoked_at is not None


class ApiKeyCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(help_text="The full secret. Shown once; store it now.")

    class Meta(ApiKeySerializer.Meta):
        fields = (*ApiKeySerializer.Meta.fields, "key")


class MemberSerializer(serializers.ModelSerializer[Membership]):
    id = serializers.CharField(source="public_id")
    user = serializers.CharField(source="user.public_id")
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.name")

    class Meta:
        model = Membership
        fields = ("id", "user", "email", "name", "role", "created_at")


class MemberAddSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


class MemberChangeSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Role.choices)
