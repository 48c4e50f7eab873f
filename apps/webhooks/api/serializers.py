from typing import Any

from rest_framework import serializers

from apps.webhooks.models import (
    Event,
    MessageStatus,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookMessage,
)

EVENTS_HELP = "Event names: " + ", ".join(Event.values) + "."


class WebhookEndpointSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    id = serializers.CharField(source="public_id")
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices))
    disabled_reason = serializers.CharField(
        help_text="Why the endpoint was disabled automatically (410 Gone, 5 days of failures)."
    )

    class Meta:
        model = WebhookEndpoint
        fields: tuple[str, ...] = (
            "id",
            "url",
            "events",
            "description",
            "enabled",
            "disabled_reason",
            "payload_format",
            "created_at",
        )
        read_only_fields = ("payload_format",)


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="`whsec_…`, the signing secret. Shown only now and on rotation."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = (*WebhookEndpointSerializer.Meta.fields, "secret")


class WebhookEndpointCreateSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=2048, help_text="http(s), on a public address.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices),
        allow_empty=False,
        max_length=20,
        help_text=EVENTS_HELP,
    )
    description = serializers.CharField(max_length=255, required=False, allow_blank=True)


class WebhookEndpointUpdateSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=2048, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices),
        allow_empty=False,
        max_length=20,
        required=False,
        help_text=EVENTS_HELP,
    )
    description = serializers.CharField(max_length=255, required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False)


class WebhookSecretSerializer(serializers.Serializer[Any]):
    secret = serializers.CharField(help_text="`whsec_…`: verify signatures with it.")


class WebhookAttemptSerializer(serializers.ModelSerializer[WebhookAttempt]):
    response_status = serializers.IntegerField(allow_null=True)
    response_body = serializers.CharField(help_text="The first 1 KB of the response body.")

    class Meta:
        model = WebhookAttempt
        fields = ("at", "response_status", "duration_ms", "error", "response_body")


class WebhookDeliverySerializer(serializers.ModelSerializer[WebhookMessage]):
    id = serializers.CharField(
        source="public_id", help_text="`msg_…`, the `webhook-id` header of every attempt."
    )
    event = serializers.ChoiceField(choices=Event.choices)
    status = serializers.ChoiceField(choices=MessageStatus.choices)
    attempts = WebhookAttemptSerializer(many=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = WebhookMessage
        fields = ("id", "event", "status", "attempts", "next_attempt_at", "created_at")


class WebhookDeliveryQuerySerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=MessageStatus.choices, required=False)
    event = serializers.ChoiceField(choices=Event.choices, required=False)
