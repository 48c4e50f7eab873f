"""Staff edit the term lists and work cases here; decisions go through the services (so
jobs resume and the audit trail is written)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.errors import ApplicationError
from apps.moderation import services
from apps.moderation.models import ModerationAction, ModerationCase, ModerationTerm


@admin.register(ModerationTerm)
class ModerationTermAdmin(admin.ModelAdmin):
    list_display = ("term", "category", "action", "is_regex", "enabled", "updated_at")
    list_filter = ("category", "action", "is_regex", "enabled")
    list_editable = ("action", "enabled")
    search_fields = ("term", "category", "note")


class ModerationActionInline(admin.TabularInline):
    model = ModerationAction
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "actor", "message", "data")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ModerationCase)
class ModerationCaseAdmin(admin.ModelAdmin):
    list_display = (
        "public_id",
        "subject_type",
        "subject_id",
        "origin",
        "state",
        "priority",
        "report_count",
        "assignee",
        "opened_at",
    )
    list_filter = ("state", "subject_type", "origin")
    search_fields = ("public_id", "subject_id", "snapshot_text", "workspace__public_id")
    readonly_fields = [f.name for f in ModerationCase._meta.fields]
    inlines = [ModerationActionInline]
    actions = ["approve_selected", "reject_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[ModerationCase], approve: bool
    ) -> None:
        done = 0
        for case in queryset:
            try:
                services.case_decide(
                    case=case,
                    user=request.user,  # type: ignore[arg-type]
                    approve=approve,
                    reason="Approved in the admin." if approve else "Rejected by moderation.",
                )
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{case.public_id}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{done} case(s) {'approved' if approve else 'rejected'}.")

    @admin.action(description="Approve selected cases")
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[ModerationCase]) -> None:
        self._decide(request, queryset, True)

    @admin.action(description="Reject selected cases")
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[ModerationCase]) -> None:
        self._decide(request, queryset, False)
