"""The staff-only queue API and the owner's appeal. Staff endpoints answer 403
PERMISSION_DENIED to everyone else, whatever their workspace role."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsStaff, IsWorkspaceMember
from apps.accounts.scopes import Scope
from apps.core.api.query import query_validated
from apps.core.api.schema import errors
from apps.core.errors import PermissionDenied
from apps.core.pagination import CursorPagination
from apps.moderation import selectors, services
from apps.moderation.api.serializers import (
    ModerationAppealCreateSerializer,
    ModerationAppealSerializer,
    ModerationCaseDetailSerializer,
    ModerationCaseListQuerySerializer,
    ModerationCaseSerializer,
    ModerationDecisionSerializer,
    ModerationStatsSerializer,
)

_CASE_ID = [OpenApiParameter("case_id", str, OpenApiParameter.PATH)]


class QueuePagination(CursorPagination):
    """Oldest first: a queue is worked from its front."""

    ordering = ("created_at", "id")


class ModerationCaseListView(ListAPIView[Any]):
    required_scope = Scope.ADMIN
    permission_classes = [IsStaff]
    serializer_class = ModerationCaseSerializer
    pagination_class = QueuePagination

    def get_queryset(self) -> Any:
        return selectors.cases_list(
            **query_validated(self.request, ModerationCaseListQuerySerializer)
        )

    @extend_schema(
        summary="The moderation queue (staff only)",
        parameters=[ModerationCaseListQuerySerializer],
        responses={200: ModerationCaseSerializer(many=True), **errors(400, 403)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ModerationCaseDetailView(APIView):
    required_scope = Scope.ADMIN
    permission_classes = [IsStaff]

    @extend_schema(
        summary="One case with its media, reports and audit trail (staff only)",
        parameters=_CASE_ID,
        responses={200: ModerationCaseDetailSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, case_id: str) -> Response:
        case = selectors.case_get(public_id=case_id)
        return Response(ModerationCaseDetailSerializer(case).data)


class ModerationCaseClaimView(APIView):
    required_scope = Scope.ADMIN
    permission_classes = [IsStaff]

    @extend_schema(
        summary="Claim a case (staff only)",
        request=None,
        parameters=_CASE_ID,
        responses={200: ModerationCaseSerializer, **errors(403, 404, 409)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = services.case_claim(case=selectors.case_get(public_id=case_id), user=request.user)
        return Response(ModerationCaseSerializer(selectors.case_get(public_id=case.public_id)).data)


class _DecideView(APIView):
    permission_classes = [IsStaff]
    approve = True

    def post(self, request: Request, case_id: str) -> Response:
        case = selectors.case_get(public_id=case_id)
        body = ModerationDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.case_decide(
            case=case,
            user=request.user,
            approve=self.approve,
            reason=body.validated_data.get("reason", ""),
        )
        return Response(ModerationCaseSerializer(selectors.case_get(public_id=case_id)).data)


class ModerationCaseApproveView(_DecideView):
    required_scope = Scope.ADMIN
    approve = True

    @extend_schema(
        summary="Approve: the job starts / the asset may be public (staff only)",
        request=ModerationDecisionSerializer,
        parameters=_CASE_ID,
        responses={200: ModerationCaseSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        return super().post(request, case_id)


class ModerationCaseRejectView(_DecideView):
    required_scope = Scope.ADMIN
    approve = False

    @extend_schema(
        summary="Reject with a reason the owner sees (staff only)",
        request=ModerationDecisionSerializer,
        parameters=_CASE_ID,
        responses={200: ModerationCaseSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        return super().post(request, case_id)


class ModerationStatsView(APIView):
    required_scope = Scope.ADMIN
    permission_classes = [IsStaff]

    @extend_schema(
        summary="Queue figures (staff only)",
        responses={200: ModerationStatsSerializer, **errors(403)},
    )
    def get(self, request: Request) -> Response:
        return Response(ModerationStatsSerializer(selectors.moderation_stats()).data)


class ModerationAppealView(APIView):
    required_scope = Scope.JOBS
    permission_classes = [IsWorkspaceMember]

    @extend_schema(
        summary="Appeal a rejection, once (the workspace's owners and admins)",
        description=(
            'Name the case (`{"case": "case_…"}`) or the rejected job (`{"job": "job_…"}`). '
            "The case goes back into the queue; a second appeal is 409 CONFLICT."
        ),
        request=ModerationAppealCreateSerializer,
        responses={201: ModerationAppealSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        body = ModerationAppealCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = selectors.case_get_for_workspace(
            workspace=request.workspace, public_id=data.get("case"), job_id=data.get("job")
        )
        if not request.membership.can_manage:
            raise PermissionDenied("Only the workspace's owners and admins can appeal.")
        case = services.case_appeal(case=case, user=request.user, message=data["message"])
        return Response(ModerationAppealSerializer(case).data, status=status.HTTP_201_CREATED)
