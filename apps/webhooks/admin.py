from django.contrib import admin

from apps.webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookMessage


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("public_id", "workspace", "url", "enabled", "disabled_reason", "created_at")
    list_filter = ("enabled",)
    search_fields = ("public_id", "url", "workspace__name")
    exclude = ("secret", "previous_secret")
    readonly_fields = ("public_id", "failing_since", "previous_secret_expires_at")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "response_status", "duration_ms", "error", "response_body")


@admin.register(WebhookMessage)
class WebhookMessageAdmin(admin.ModelAdmin):
    list_display = ("public_id", "workspace", "event", "status", "attempt_count", "created_at")
    list_filter = ("status", "event")
    search_fields = ("public_id",)
    readonly_fields = ("public_id", "body", "attempt_count", "claimed_until")
    inlines = (WebhookAttemptInline,)
