"""The Stripe client and the small helpers every payments module shares."""

import logging
from collections.abc import Callable
from typing import Any

import stripe
from django.conf import settings

from apps.billing.errors import PaymentProviderError, PaymentsDisabled
from apps.billing.models import CreditAccount

logger = logging.getLogger(__name__)

JsonObj = dict[str, Any]


def payments_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client() -> stripe.StripeClient:
    if not payments_enabled():
        raise PaymentsDisabled()
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,  # type: ignore[arg-type]
        max_network_retries=2,
    )


def _plain(obj: Any) -> JsonObj:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def stripe_call(action: Callable[[], Any]) -> JsonObj:
    try:
        return _plain(action())
    except stripe.StripeError as exc:
        logger.warning("Stripe API error: %s", exc)
        raise PaymentProviderError(
            f"Stripe refused the request: {exc.user_message or exc.__class__.__name__}."
        ) from exc


def stripe_id(value: Any) -> str:
    """An expandable Stripe field: either the id or the expanded object."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def page_url(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


def customer_remember(*, workspace_id: int, customer_id: str) -> None:
    if customer_id:
        CreditAccount.objects.filter(workspace_id=workspace_id, stripe_customer_id="").update(
            stripe_customer_id=customer_id
        )
