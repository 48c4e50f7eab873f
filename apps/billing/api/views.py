from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsWorkspaceManager
from apps.accounts.scopes import PUBLIC, Scope
from apps.billing import selectors, services
from apps.billing.api.serializers import (
    BalanceSerializer,
    BalanceUpdateSerializer,
    CheckoutCreateSerializer,
    CheckoutUrlSerializer,
    CreditPackSerializer,
    LedgerEntrySerializer,
    StripeWebhookReceivedSerializer,
    SubscribeCreateSerializer,
)
from apps.billing.payments.checkout import checkout_create, subscription_checkout_create
from apps.billing.payments.webhook import stripe_event_process
from apps.core.api.schema import ErrorSerializer, errors

STRIPE_DOWN = {502: OpenApiResponse(ErrorSerializer, description="Stripe unavailable")}


def balance_payload(workspace: Any) -> dict[str, int | None]:
    account = selectors.credit_account_get(workspace=workspace)
    return {
        "balance": account.balance,
        "held": account.held,
        "available": account.available,
        "low_credit_threshold": account.low_credit_threshold,
        "low_credit_threshold_effective": selectors.low_credit_threshold_effective(account=account),
    }


class BalanceView(APIView):
    required_scope = Scope.BILLING

    def get_permissions(self) -> list[Any]:
        # Every member reads the balance; only owners and admins change the threshold.
        if self.request.method == "PATCH":
            return [IsWorkspaceManager()]
        return super().get_permissions()

    @extend_schema(
        summary="Credit balance: owned, held by running jobs, and available",
        responses={200: BalanceSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        return Response(BalanceSerializer(balance_payload(request.workspace)).data)

    @extend_schema(
        summary="Set the low-credit threshold of credits.low (owners and admins)",
        request=BalanceUpdateSerializer,
        responses={200: BalanceSerializer, **errors(400, 403)},
    )
    def patch(self, request: Request) -> Response:
        body = BalanceUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if "low_credit_threshold" in body.validated_data:
            services.low_credit_threshold_set(
                workspace=request.workspace,
                threshold=body.validated_data["low_credit_threshold"],
            )
        return Response(BalanceSerializer(balance_payload(request.workspace)).data)


class LedgerView(ListAPIView[Any]):
    required_scope = Scope.BILLING
    serializer_class = LedgerEntrySerializer

    def get_queryset(self) -> Any:
        return selectors.ledger_list(workspace=self.request.workspace).select_related("hold")

    @extend_schema(
        summary="Ledger entries, newest first (cursor paginated)",
        responses={200: LedgerEntrySerializer(many=True), **errors()},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PackListView(ListAPIView[Any]):
    required_scope = Scope.BILLING
    serializer_class = CreditPackSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.packs_list()

    @extend_schema(
        summary="Credit packs on sale",
        responses={200: CreditPackSerializer(many=True), **errors()},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CheckoutView(APIView):
    required_scope = Scope.BILLING

    @extend_schema(
        summary="Start a Stripe Checkout for a credit pack",
        request=CheckoutCreateSerializer,
        responses={200: CheckoutUrlSerializer, **errors(400, 404, 409), **STRIPE_DOWN},
    )
    def post(self, request: Request) -> Response:
        body = CheckoutCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        url = checkout_create(
            workspace=request.workspace, user=request.user, pack_id=body.validated_data["pack"]
        )
        return Response(CheckoutUrlSerializer({"checkout_url": url}).data)


class SubscribeView(APIView):
    required_scope = Scope.BILLING
    permission_classes = [IsWorkspaceManager]

    @extend_schema(
        summary="Subscribe to a paid tier through Stripe Checkout (owners and admins)",
        request=SubscribeCreateSerializer,
        responses={200: CheckoutUrlSerializer, **errors(400, 403, 409), **STRIPE_DOWN},
    )
    def post(self, request: Request) -> Response:
        body = SubscribeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        url = subscription_checkout_create(
            workspace=request.workspace, user=request.user, tier=body.validated_data["tier"]
        )
        return Response(CheckoutUrlSerializer({"checkout_url": url}).data)


class StripeWebhookView(APIView):
    """Called by Stripe; authenticated by the Stripe-Signature header alone."""

    required_scope = PUBLIC

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    @extend_schema(
        summary="Stripe webhook endpoint (signed by Stripe)",
        request={"application/json": dict},
        responses={
            200: StripeWebhookReceivedSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Bad signature; nothing stored"),
            500: OpenApiResponse(ErrorSerializer, description="Handler failed; Stripe retries"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        # The raw bytes: the signature covers them exactly, so never touch request.data.
        event = stripe_event_process(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
        return Response({"received": True, "status": event.status})
