"""`GET /api/v1/audit-events`: the workspace's audit log, for its owners and admins."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.audit_models import AuditAction, AuditEvent
from apps.accounts.audit_selectors import audit_events_list
from apps.accounts.permissions import IsWorkspaceManager
from apps.core.api.query import query_validated
from apps.core.api.schema import errors
from apps.core.pagination import CursorPagination


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    id = serializers.CharField(source="public_id", read_only=True)
    actor_user = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True, allow_null=True, help_text="usr_… or null."
    )
    actor_api_key = serializers.SlugRelatedField(
        slug_field="public_id",
        read_only=True,
        allow_null=True,
        help_text="key_… when the action was made with an API key.",
    )
    actor_label = serializers.CharField(
        read_only=True, help_text="Who it was, readable after the user or key is gone."
    )
    action = serializers.ChoiceField(choices=AuditAction.choices, read_only=True)
    details = serializers.DictField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "at",
            "action",
            "actor_user",
            "actor_api_key",
            "actor_label",
            "target_type",
            "target_id",
            "ip",
            "user_agent",
            "details",
        )
        read_only_fields = fields


class AuditEventListQuerySerializer(serializers.Serializer[Any]):
    action = serializers.CharField(
        required=False,
        max_length=64,
        help_text="An action (`api_key.revoked`) or a family (`api_key`: every api_key.*).",
    )
    actor = serializers.CharField(
        required=False,
        max_length=254,
        help_text="A user id (usr_…), API key id (key_…), email, or label (`stripe`, `system`).",
    )
    target = serializers.CharField(
        required=False, max_length=64, help_text="The target's id (key_…, mem_…, ast_…)."
    )
    to = serializers.DateTimeField(required=False, help_text="Events before this (exclusive).")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # `from` is a Python keyword, so it cannot be a class attribute.
        fields["from"] = serializers.DateTimeField(
            required=False, help_text="Events at or after this (ISO 8601)."
        )
        return fields


class AuditPagination(CursorPagination):
    ordering = ("-at", "-id")


class AuditEventListView(ListAPIView[Any]):
    permission_classes = [IsWorkspaceManager]
    serializer_class = AuditEventSerializer
    pagination_class = AuditPagination

    def get_queryset(self) -> Any:
        query = query_validated(self.request, AuditEventListQuerySerializer)
        return audit_events_list(
            workspace=self.request.workspace,
            action=query.get("action"),
            actor=query.get("actor"),
            target=query.get("target"),
            since=query.get("from"),
            until=query.get("to"),
        )

    @extend_schema(
        summary="The workspace's audit log, newest first (owners and admins)",
        parameters=[AuditEventListQuerySerializer],
        responses={200: AuditEventSerializer(many=True), **errors(400, 403)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
