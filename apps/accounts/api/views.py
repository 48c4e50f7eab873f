from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.api.serializers import (
    ApiKeyCreatedSerializer,
    ApiKeyCreateSerializer,
    ApiKeySerializer,
    ApiKeyUpdateSerializer,
    MemberAddSerializer,
    MemberChangeSerializer,
    MemberSerializer,
    WorkspaceSerializer,
)
from apps.accounts.authentication import request_api_key
from apps.accounts.scopes import Scope
from apps.core.api.schema import errors


class WorkspaceView(APIView):
    @extend_schema(
        summary="The caller's workspace: tier, limits and usage",
        responses={200: WorkspaceSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        return Response(WorkspaceSerializer(request.workspace).data)


class ApiKeyListCreateView(ListAPIView[Any]):
    required_scope = Scope.ADMIN
    serializer_class = ApiKeySerializer

    def get_queryset(self) -> Any:
        return selectors.api_keys_list(workspace=self.request.workspace)

    @extend_schema(
        summary="List API keys", responses={200: ApiKeySerializer(many=True), **errors()}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create an API key (the secret is returned once)",
        request=ApiKeyCreateSerializer,
        responses={201: ApiKeyCreatedSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        body = ApiKeyCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        api_key, secret = services.api_key_create(
            actor=request.membership, actor_key=request_api_key(request), **body.validated_data
        )
        api_key.key = secret
        return Response(ApiKeyCreatedSerializer(api_key).data, status=status.HTTP_201_CREATED)


class ApiKeyDetailView(APIView):
    required_scope = Scope.ADMIN

    @extend_schema(summary="One API key", responses={200: ApiKeySerializer, **errors(404)})
    def get(self, request: Request, key_id: str) -> Response:
        api_key = selectors.api_key_get(workspace=request.workspace, public_id=key_id)
        return Response(ApiKeySerializer(api_key).data)

    @extend_schema(
        summary="Change an API key's name, scopes, allowed models, monthly limit or expiry",
        request=ApiKeyUpdateSerializer,
        responses={200: ApiKeySerializer, **errors(400, 403, 404, 409)},
    )
    def patch(self, request: Request, key_id: str) -> Response:
        api_key = selectors.api_key_get(workspace=request.workspace, public_id=key_id)
        body = ApiKeyUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        api_key = services.api_key_update(
            actor=request.membership,
            api_key=api_key,
            changes=body.validated_data,
            actor_key=request_api_key(request),
        )
        return Response(ApiKeySerializer(api_key).data)

    @extend_schema(
        summary="Revoke an API key", responses={200: ApiKeySerializer, **errors(403, 404)}
    )
    def delete(self, request: Request, key_id: str) -> Response:
        api_key = selectors.api_key_get(workspace=request.workspace, public_id=key_id)
        api_key = services.api_key_revoke(actor=request.membership, api_key=api_key)
        return Response(ApiKeySerializer(api_key).data)


class MemberListCreateView(ListAPIView[Any]):
    required_scope = Scope.ADMIN
    serializer_class = MemberSerializer

    def get_queryset(self) -> Any:
        return selectors.members_list(workspace=self.request.workspace)

    @extend_schema(summary="List members", responses={200: MemberSerializer(many=True), **errors()})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a member by email (owners and admins)",
        request=MemberAddSerializer,
        responses={201: MemberSerializer, **errors(400, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        body = MemberAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = services.membership_add(
            actor=request.membership,
            email=body.validated_data["email"],
            role=body.validated_data["role"],
        )
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)


class MemberDetailView(APIView):
    required_scope = Scope.ADMIN

    def _get(self, request: Request, member_id: str) -> Any:
        return selectors.membership_get(workspace=request.workspace, public_id=member_id)

    @extend_schema(summary="One member", responses={200: MemberSerializer, **errors(404)})
    def get(self, request: Request, member_id: str) -> Response:
        return Response(MemberSerializer(self._get(request, member_id)).data)

    @extend_schema(
        summary="Change a member's role (owners and admins)",
        request=MemberChangeSerializer,
        responses={200: MemberSerializer, **errors(400, 403, 404, 409)},
    )
    def patch(self, request: Request, member_id: str) -> Response:
        membership = self._get(request, member_id)
        body = MemberChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            actor=request.membership,
            membership=membership,
            role=body.validated_data["role"],
        )
        return Response(MemberSerializer(membership).data)

    @extend_schema(
        summary="Remove a member (or leave)", responses={204: None, **errors(403, 404, 409)}
    )
    def delete(self, request: Request, member_id: str) -> Response:
        membership = self._get(request, member_id)
        services.membership_remove(actor=request.membership, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
