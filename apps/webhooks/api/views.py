"""The webhooks API: owners and admins manage the workspace's endpoints."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsWorkspaceManager
from apps.accounts.scopes import Scope
from apps.core.api.query import query_validated
from apps.core.api.schema import errors
from apps.webhooks import selectors, services
from apps.webhooks.api.serializers import (
    WebhookDeliveryQuerySerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointCreateSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateSerializer,
    WebhookSecretSerializer,
)
from apps.webhooks.models import WebhookEndpoint


def _endpoint(request: Request, endpoint_id: str) -> WebhookEndpoint:
    return selectors.endpoint_get(workspace=request.workspace, public_id=endpoint_id)


class WebhookListCreateView(ListAPIView[Any]):
    required_scope = Scope.ADMIN
    permission_classes = [IsWorkspaceManager]
    serializer_class = WebhookEndpointSerializer

    def get_queryset(self) -> Any:
        return selectors.endpoints_list(workspace=self.request.workspace)

    @extend_schema(
        summary="List webhook endpoints",
        responses={200: WebhookEndpointSerializer(many=True), **errors(403)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a webhook endpoint (the secret is returned once)",
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointCreatedSerializer, **errors(400, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        body = WebhookEndpointCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint, secret = services.endpoint_create(
            membership=request.membership,
            url=body.validated_data["url"],
            events=body.validated_data["events"],
            description=body.validated_data.get("description", ""),
        )
        endpoint.secret = secret
        return Response(
            WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )


class WebhookDetailView(APIView):
    required_scope = Scope.ADMIN
    permission_classes = [IsWorkspaceManager]

    @extend_schema(
        summary="One webhook endpoint",
        responses={200: WebhookEndpointSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, endpoint_id: str) -> Response:
        return Response(WebhookEndpointSerializer(_endpoint(request, endpoint_id)).data)

    @extend_schema(
        summary="Change a webhook endpoint (url, events, description, enabled)",
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer, **errors(400, 403, 404)},
    )
    def patch(self, request: Request, endpoint_id: str) -> Response:
        endpoint = _endpoint(request, endpoint_id)
        body = WebhookEndpointUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(endpoint=endpoint, **body.validated_data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Delete a webhook endpoint and its delivery log",
        responses={204: None, **errors(403, 404)},
    )
    def delete(self, request: Request, endpoint_id: str) -> Response:
        services.endpoint_delete(endpoint=_endpoint(request, endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookTestView(APIView):
    required_scope = Scope.ADMIN
    permission_classes = [IsWorkspaceManager]

    @extend_schema(
        summary="Send a webhook.test event to the endpoint now",
        request=None,
        responses={202: WebhookDeliverySerializer, **errors(403, 404, 409)},
    )
    def post(self, request: Request, endpoint_id: str) -> Response:
        message = services.endpoint_send_test(endpoint=_endpoint(request, endpoint_id))
        return Response(WebhookDeliverySerializer(message).data, status=status.HTTP_202_ACCEPTED)


class WebhookRotateSecretView(APIView):
    required_scope = Scope.ADMIN
    permission_classes = [IsWorkspaceManager]

    @extend_schema(
        summary="Rotate the signing secret (the old one also signs for 24 h)",
        request=None,
        responses={200: WebhookSecretSerializer, **errors(403, 404)},
    )
    def post(self, request: Request, endpoint_id: str) -> Response:
        secret = services.endpoint_rotate_secret(endpoint=_endpoint(request, endpoint_id))
        return Response(WebhookSecretSerializer({"secret": secret}).data)


class WebhookDeliveryListView(ListAPIView[Any]):
    required_scope = Scope.ADMIN
    permission_classes = [IsWorkspaceManager]
    serializer_class = WebhookDeliverySerializer

    def get_queryset(self) -> Any:
        query = query_validated(self.request, WebhookDeliveryQuerySerializer)
        return selectors.messages_list(
            workspace=self.request.workspace,
            endpoint=_endpoint(self.request, self.kwargs["endpoint_id"]),
            status=query.get("status"),
            event=query.get("event"),
        )

    @extend_schema(
        summary="The endpoint's delivery log, newest first",
        parameters=[WebhookDeliveryQuerySerializer],
        responses={200: WebhookDeliverySerializer(many=True), **errors(400, 403, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class WebhookDeliveryRetryView(APIView):
    required_scope = Scope.ADMIN
    permission_classes = [IsWorkspaceManager]

    @extend_schema(
        summary="Send a delivery again now (same webhook-id)",
        request=None,
        responses={202: WebhookDeliverySerializer, **errors(403, 404, 409)},
    )
    def post(self, request: Request, endpoint_id: str, delivery_id: str) -> Response:
        endpoint = _endpoint(request, endpoint_id)
        message = selectors.message_get(
            workspace=request.workspace, endpoint=endpoint, public_id=delivery_id
        )
        message = services.message_retry(message=message)
        message = selectors.message_get(
            workspace=request.workspace, endpoint=endpoint, public_id=delivery_id
        )
        return Response(WebhookDeliverySerializer(message).data, status=status.HTTP_202_ACCEPTED)


class WebhookJobSecretView(APIView):
    required_scope = Scope.ADMIN
    permission_classes = [IsWorkspaceManager]

    @extend_schema(
        summary="The secret signing one-off deliveries to a job's webhook_url",
        responses={200: WebhookSecretSerializer, **errors(403)},
    )
    def get(self, request: Request) -> Response:
        secret = services.job_secret_get(workspace=request.workspace)
        return Response(WebhookSecretSerializer({"secret": secret}).data)
