from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from apps.accounts import services
from apps.accounts.models import ApiKey, AuditEvent, Membership, Tier, User, Workspace


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "name", "public_id", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "name", "public_id")
    readonly_fields = ("public_id", "date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("email", "password", "public_id")}),
        ("Profile", {"fields": ("name", "active_workspace")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    raw_id_fields = ("active_workspace",)


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "display_name",
        "max_upload_bytes",
        "storage_quota_bytes",
        "max_concurrent_jobs",
        "requests_per_minute",
        "sort_order",
    )
    list_editable = ("sort_order",)
    search_fields = ("name", "display_name")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("public_id", "created_at")


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("name", "public_id", "tier", "is_personal", "storage_used_bytes", "created_at")
    list_filter = ("tier", "is_personal")
    search_fields = ("name", "public_id", "memberships__user__email")
    readonly_fields = ("public_id", "created_at", "updated_at")
    raw_id_fields = ("created_by",)
    inlines = (MembershipInline,)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # A tier change goes through the service, which records `workspace.tier_changed`.
        if change and "tier" in form.changed_data:
            tier = obj.tier
            obj.tier_id = form.initial["tier"]
            super().save_model(request, obj, form, change)
            services.workspace_tier_change(workspace=obj, tier=tier, reason="staff, Django admin")
            return
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "workspace", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "workspace__name", "workspace__public_id")
    raw_id_fields = ("user", "workspace")
    readonly_fields = ("public_id",)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "workspace",
        "created_by",
        "created_at",
        "last_used_at",
        "scopes",
        "monthly_credit_limit",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = (
        "name",
        "prefix",
        "workspace__name",
        "workspace__public_id",
        "created_by__email",
    )
    readonly_fields = ("public_id", "prefix", "hashed_secret", "last_used_at", "created_at")
    raw_id_fields = ("workspace", "created_by")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # keys are created where the secret can be shown once


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events are append-only (only retention removes them)."""

    list_display = ("at", "action", "actor_label", "workspace", "target_type", "target_id", "ip")
    list_filter = ("action", "target_type")
    search_fields = ("public_id", "actor_label", "target_id", "workspace__public_id", "ip")
    date_hierarchy = "at"
    list_select_related = ("workspace",)
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
