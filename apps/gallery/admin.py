"""Staff see assets and reports; moderation state can be set here until the moderation app
takes over. Storage accounting is never edited by hand (the recount task owns it)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.gallery import services
from apps.gallery.models import Asset, AssetReport, ModerationState


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = (
        "public_id",
        "workspace",
        "kind",
        "status",
        "visibility",
        "moderation_state",
        "size_bytes",
        "saved",
        "created_at",
    )
    list_filter = ("kind", "status", "visibility", "moderation_state", "saved")
    search_fields = ("public_id", "title", "original_name", "workspace__public_id")
    readonly_fields = [f.name for f in Asset._meta.fields if f.name != "moderation_state"]
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.asset_delete(asset=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Asset]) -> None:
        for asset in queryset.select_related("workspace"):
            services.asset_delete(asset=asset)

    @admin.action(description="Approve (may appear in the public feed)")
    def approve(self, request: HttpRequest, queryset: QuerySet[Asset]) -> None:
        for asset in queryset:
            services.asset_moderate(asset=asset, state=ModerationState.APPROVED)

    @admin.action(description="Reject (hidden from the public feed)")
    def reject(self, request: HttpRequest, queryset: QuerySet[Asset]) -> None:
        for asset in queryset:
            services.asset_moderate(asset=asset, state=ModerationState.REJECTED)


@admin.register(AssetReport)
class AssetReportAdmin(admin.ModelAdmin):
    list_display = ("public_id", "asset", "workspace", "reporter", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("public_id", "asset__public_id", "reason")
    readonly_fields = ("public_id", "workspace", "asset", "reporter", "reason", "created_at")
