from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts import keys
from apps.accounts.budgets import api_key_spent
from apps.accounts.key_settings import MAX_ALLOWED_MODELS, MAX_MONTHLY_CREDIT_LIMIT
from apps.accounts.models import ApiKey, Membership, Role, Tier, Workspace
from apps.accounts.scopes import Scope


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
    expired = serializers.SerializerMethodField()
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices))
    allowed_models = serializers.ListField(
        child=serializers.CharField(), help_text="Model ids or prefixes; empty = every model."
    )
    monthly_credit_limit = serializers.IntegerField(
        allow_null=True, help_text="Credits per calendar month (UTC); null = no limit."
    )
    spent_this_month = serializers.SerializerMethodField(
        help_text="Credits held + captured for this key's jobs this month (UTC)."
    )

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
            "scopes",
            "allowed_models",
            "monthly_credit_limit",
            "spent_this_month",
            "expires_at",
            "expired",
        )

    def get_prefix(self, obj: ApiKey) -> str:
        return keys.display(obj.prefix)

    def get_revoked(self, obj: ApiKey) -> bool:
        return obj.revoked_at is not None

    def get_expired(self, obj: ApiKey) -> bool:
        return obj.is_expired

    def get_spent_this_month(self, obj: ApiKey) -> int:
        spent = getattr(obj, "spent_this_month", None)
        return spent if spent is not None else api_key_spent(api_key=obj)


class _ApiKeySettingsSerializer(serializers.Serializer[Any]):
    """Types only; the service checks meaning (known scopes and models, a future
    expiry) so the API keys page gets the same checks."""

    scopes = serializers.ListField(child=serializers.CharField(max_length=32), max_length=16)
    allowed_models = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=MAX_ALLOWED_MODELS
    )
    monthly_credit_limit = serializers.IntegerField(
        allow_null=True, min_value=0, max_value=MAX_MONTHLY_CREDIT_LIMIT
    )
    expires_at = serializers.DateTimeField(allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return attrs


class ApiKeyCreateSerializer(_ApiKeySettingsSerializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.CharField(max_length=32),
        max_length=16,
        required=False,
        help_text="Default: every scope but admin.",
    )
    allowed_models = serializers.ListField(
        child=serializers.CharField(max_length=200),
        max_length=MAX_ALLOWED_MODELS,
        required=False,
    )
    monthly_credit_limit = serializers.IntegerField(
        allow_null=True, min_value=0, max_value=MAX_MONTHLY_CREDIT_LIMIT, required=False
    )
    expires_at = serializers.DateTimeField(allow_null=True, required=False)


class ApiKeyUpdateSerializer(_ApiKeySettingsSerializer):
    name = serializers.CharField(max_length=100, required=False)
    scopes = serializers.ListField(
        child=serializers.CharField(max_length=32), max_length=16, required=False
    )
    allowed_models = serializers.ListField(
        child=serializers.CharField(max_length=200),
        max_length=MAX_ALLOWED_MODELS,
        required=False,
    )
    monthly_credit_limit = serializers.IntegerField(
        allow_null=True, min_value=0, max_value=MAX_MONTHLY_CREDIT_LIMIT, required=False
    )
    expires_at = serializers.DateTimeField(allow_null=True, required=False)


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
