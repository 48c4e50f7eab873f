from typing import Any

from rest_framework import serializers

from apps.billing.models import CreditPack, LedgerEntry
from apps.billing.services import LOW_CREDIT_THRESHOLD_MAX


class BalanceSerializer(serializers.Serializer[Any]):
    balance = serializers.IntegerField(help_text="Credits owned (credits); negative in debt.")
    held = serializers.IntegerField(help_text="Credits reserved by running jobs (credits).")
    available = serializers.IntegerField(help_text="balance - held, never below 0 (credits).")
    low_credit_threshold = serializers.IntegerField(
        allow_null=True,
        help_text="The workspace's own credits.low threshold (credits); null = the default.",
    )
    low_credit_threshold_effective = serializers.IntegerField(
        help_text="The threshold in force (credits): the setting, else 10 % of the last grant "
        "or purchase rounded up; 0 = credits.low is never sent."
    )


class _WholeNumberField(serializers.IntegerField):
    """A JSON integer only: DRF's IntegerField would also take "12" and true."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class BalanceUpdateSerializer(serializers.Serializer[Any]):
    low_credit_threshold = _WholeNumberField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=LOW_CREDIT_THRESHOLD_MAX,
        help_text="Send credits.low when available credits fall below this (credits); "
        "null = 10 % of the last grant or purchase; 0 = never.",
    )


class LedgerEntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    id = serializers.CharField(source="public_id")
    credits = serializers.IntegerField(help_text="Signed change (credits).")
    balance_after = serializers.IntegerField(help_text="Balance after this entry (credits).")
    hold = serializers.CharField(source="hold.public_id", default=None, allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = (
            "id",
            "kind",
            "credits",
            "balance_after",
            "reference",
            "description",
            "hold",
            "created_at",
        )


class CreditPackSerializer(serializers.ModelSerializer[CreditPack]):
    id = serializers.CharField(source="public_id")
    credits = serializers.IntegerField(help_text="Credits granted (credits).")
    price_cents = serializers.IntegerField(help_text="Price (cents).")

    class Meta:
        model = CreditPack
        fields = ("id", "name", "credits", "price_cents", "currency")


class CheckoutCreateSerializer(serializers.Serializer[Any]):
    pack = serializers.CharField(help_text="The credit pack's id (from GET /billing/packs).")


class SubscribeCreateSerializer(serializers.Serializer[Any]):
    tier = serializers.CharField(help_text="Tier name, e.g. pro or enterprise.")


class CheckoutUrlSerializer(serializers.Serializer[Any]):
    checkout_url = serializers.URLField(help_text="Send the customer here to pay on Stripe.")


class StripeWebhookReceivedSerializer(serializers.Serializer[Any]):
    received = serializers.BooleanField()
    status = serializers.CharField(help_text="processed, ignored (unhandled type) or failed.")
