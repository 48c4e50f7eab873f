import logging
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsWorkspaceMember
from apps.accounts.scopes import PUBLIC, Scope
from apps.core.api.schema import errors
from apps.core.errors import ValidationError
from apps.core.parsers import json_loads
from apps.providers import services, webhooks
from apps.providers.api.serializers import (
    ProviderKeyCreateSerializer,
    ProviderKeySerializer,
    ProviderWebhookAckSerializer,
)
from apps.providers.signals import provider_task_updated

logger = logging.getLogger(__name__)


class ManagesProviderKeys(IsWorkspaceMember):
    """Every provider-keys operation: 403 PERMISSION_DENIED for a workspace not on a BYOK
    tier or a member who is not an owner/admin, before the body or the id is looked at."""

    def has_permission(self, request: Any, view: Any) -> bool:
        super().has_permission(request, view)
        services.provider_keys_access_check(actor=request.membership)
        return True


class ProviderKeyListCreateView(APIView):
    required_scope = Scope.ADMIN
    permission_classes = [ManagesProviderKeys]

    @extend_schema(
        summary="List the workspace's own provider keys (Enterprise)",
        responses={200: ProviderKeySerializer(many=True), **errors(403)},
    )
    def get(self, request: Request) -> Response:
        creds = services.provider_credentials_list(actor=request.membership)
        return Response(ProviderKeySerializer(creds, many=True).data)

    @extend_schema(
        summary="Add a provider key for the workspace (Enterprise; shown masked afterwards)",
        request=ProviderKeyCreateSerializer,
        responses={201: ProviderKeySerializer, **errors(400, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        body = ProviderKeyCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cred = services.provider_credential_create(actor=request.membership, **body.validated_data)
        return Response(ProviderKeySerializer(cred).data, status=status.HTTP_201_CREATED)


class ProviderKeyDetailView(APIView):
    required_scope = Scope.ADMIN
    permission_classes = [ManagesProviderKeys]

    @extend_schema(summary="Delete a provider key", responses={204: None, **errors(403, 404)})
    def delete(self, request: Request, key_id: str) -> Response:
        services.provider_credential_delete(actor=request.membership, public_id=key_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProviderWebhookView(APIView):
    """A provider's callback. Verified (signature or per-job token) before anything is
    done; a verified one asks for an immediate poll of the task."""

    required_scope = PUBLIC

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    @extend_schema(
        summary="Provider callback (signed; called by WaveSpeed, Replicate, OpenAI, fal, Runware)",
        request=None,
        parameters=[
            OpenApiParameter("job", str, required=False),
            OpenApiParameter("token", str, required=False),
        ],
        responses={200: ProviderWebhookAckSerializer, **errors(400)},
    )
    def post(self, request: Request, provider: str) -> Response:
        body = request.body
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            webhooks.verify(provider, headers, request.query_params, body)
        except webhooks.WebhookInvalid as exc:
            logger.info("rejected %s provider webhook: %s", provider, exc)
            raise ValidationError(f"Invalid webhook: {exc}") from None
        try:
            payload = json_loads(body or b"null")
            task_id = webhooks.task_id_of(provider, payload)
        except (ParseError, webhooks.WebhookInvalid) as exc:
            detail = exc.detail if isinstance(exc, ParseError) else exc
            raise ValidationError(f"The webhook body is not valid: {detail}") from None
        if task_id:
            provider_task_updated.send(
                sender=None,
                provider=provider,
                task_id=str(task_id),
                job_id=request.query_params.get("job"),
            )
        return Response({"received": True})
