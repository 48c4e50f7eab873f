"""Workspace export and closure (owners only; apps/jobs/export.py, apps/jobs/closure.py)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.scopes import Scope
from apps.core.api.schema import errors
from apps.core.api.strict import KnownFieldsSerializer
from apps.jobs import closure, export
from apps.jobs.models import ExportStatus, WorkspaceExport


class WorkspaceExportSerializer(serializers.ModelSerializer[WorkspaceExport]):
    id = serializers.CharField(source="public_id", read_only=True)
    status = serializers.ChoiceField(choices=ExportStatus.choices, read_only=True)
    progress = serializers.IntegerField(read_only=True, help_text="0 to 100.")
    size_bytes = serializers.IntegerField(read_only=True, help_text="Size of the zip (bytes).")
    download_url = serializers.SerializerMethodField(
        help_text="A signed link to the zip, valid until `expires_at`; null until completed."
    )

    class Meta:
        model = WorkspaceExport
        fields = (
            "id",
            "status",
            "progress",
            "size_bytes",
            "error_message",
            "created_at",
            "completed_at",
            "expires_at",
            "download_url",
        )
        read_only_fields = fields

    def get_download_url(self, obj: WorkspaceExport) -> str | None:
        return export.export_download_url(obj)


class WorkspaceExportStartSerializer(KnownFieldsSerializer):
    """No fields: the export covers the whole workspace."""


class WorkspaceCloseSerializer(KnownFieldsSerializer):
    confirm = serializers.CharField(
        max_length=200, trim_whitespace=False, help_text="The workspace's exact name."
    )


class WorkspaceClosureSerializer(serializers.Serializer[Any]):
    id = serializers.CharField(help_text="The workspace's public id.")
    name = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    erase_after = serializers.DateTimeField(
        allow_null=True, help_text="Media and personal data are erased after this."
    )
    keys_revoked = serializers.IntegerField(required=False)
    jobs_cancelled = serializers.IntegerField(required=False)


def _closure(workspace: Any, **counts: int) -> dict[str, Any]:
    return {
        "id": workspace.public_id,
        "name": workspace.name,
        "closed_at": workspace.closed_at,
        "erase_after": workspace.erase_after,
        **counts,
    }


class WorkspaceExportStartView(APIView):
    required_scope = Scope.ADMIN

    @extend_schema(
        summary="Export the workspace (owners only)",
        description="Queues a zip of the workspace's jobs, assets, ledger, audit events, "
        "members and API keys (as JSON, without secrets) and its media files. Poll "
        "`GET /api/v1/workspace/exports/{id}` for the signed download link.",
        request=WorkspaceExportStartSerializer,
        responses={202: WorkspaceExportSerializer, **errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        WorkspaceExportStartSerializer(data=request.data).is_valid(raise_exception=True)
        started = export.export_start(actor=request.membership)
        return Response(WorkspaceExportSerializer(started).data, status=status.HTTP_202_ACCEPTED)


class WorkspaceExportDetailView(APIView):
    required_scope = Scope.ADMIN
    # The owner may still download an export of a closed workspace within its grace.
    allows_closed_workspace = True

    @extend_schema(
        summary="One workspace export (owners only)",
        responses={200: WorkspaceExportSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, export_id: str) -> Response:
        export.require_owner(request.membership)
        found = export.export_get(workspace=request.workspace, public_id=export_id)
        return Response(WorkspaceExportSerializer(found).data)


class WorkspaceCloseView(APIView):
    required_scope = Scope.ADMIN
    allows_closed_workspace = True  # so closing twice is a clear 409

    @extend_schema(
        summary="Close the workspace (owners only)",
        description="Access stops at once: every API key is revoked and jobs in flight are "
        "cancelled. Media and personal data are erased after WORKSPACE_CLOSURE_GRACE_DAYS; "
        "the owner can reopen it until then. `confirm` must be the workspace's exact name.",
        request=WorkspaceCloseSerializer,
        responses={200: WorkspaceClosureSerializer, **errors(400, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        body = WorkspaceCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = closure.workspace_close(
            actor=request.membership, confirm=body.validated_data["confirm"]
        )
        data = _closure(
            result["workspace"],
            keys_revoked=result["keys_revoked"],
            jobs_cancelled=result["jobs_cancelled"],
        )
        return Response(WorkspaceClosureSerializer(data).data)


class WorkspaceReopenView(APIView):
    required_scope = Scope.ADMIN
    allows_closed_workspace = True

    @extend_schema(
        summary="Cancel the workspace's closure within its grace (owners only)",
        description="Members regain access. API keys revoked at closure stay revoked.",
        request=None,
        responses={200: WorkspaceClosureSerializer, **errors(403, 409)},
    )
    def post(self, request: Request) -> Response:
        workspace = closure.workspace_reopen(actor=request.membership)
        return Response(WorkspaceClosureSerializer(_closure(workspace)).data)
