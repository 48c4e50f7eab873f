"""The billing page: balance, ledger, packs, tier and upgrade. It calls the same services
as the API and shows an ApplicationError's message, never a traceback."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.decorators import workspace_required
from apps.billing import selectors
from apps.billing.payments.checkout import (
    checkout_create,
    checkout_fulfil_on_return,
    subscription_checkout_create,
)
from apps.billing.payments.client import payments_enabled
from apps.core.errors import ApplicationError


@workspace_required
def billing_page(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    workspace = membership.workspace
    if request.GET.get("checkout") == "cancelled":
        messages.info(request, "Checkout cancelled; nothing was charged.")
    entries = Paginator(selectors.ledger_list(workspace=workspace).select_related("hold"), 25)
    plans = list(selectors.tier_plans_list())
    return render(
        request,
        "billing/billing.html",
        {
            "workspace": workspace,
            "account": selectors.credit_account_get(workspace=workspace),
            "entries": entries.get_page(request.GET.get("page")),
            "packs": selectors.packs_list(),
            "plans": plans,
            "subscription": selectors.subscription_for(workspace=workspace),
            "payments_enabled": payments_enabled(),
            "can_manage": membership.can_manage,
        },
    )


@workspace_required
@require_POST
def buy_pack(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    try:
        url = checkout_create(
            workspace=membership.workspace,
            user=request.user,  # type: ignore[arg-type]
            pack_id=request.POST.get("pack", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("billing:page")
    return redirect(url)


@workspace_required
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    if not membership.can_manage:
        messages.error(request, "Only the workspace's owners and admins can change the tier.")
        return redirect("billing:page")
    try:
        url = subscription_checkout_create(
            workspace=membership.workspace,
            user=request.user,  # type: ignore[arg-type]
            tier=request.POST.get("tier", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("billing:page")
    return redirect(url)


@workspace_required
def checkout_success(request: HttpRequest) -> HttpResponse:
    """Stripe's success redirect. Fulfils at once if Stripe says the session is paid, so the
    credits show without waiting for the webhook; the webhook does the same, exactly once."""
    membership = request.membership  # type: ignore[attr-defined]
    session_id = request.GET.get("session_id", "")
    if not session_id:
        return redirect("billing:page")
    try:
        outcome = checkout_fulfil_on_return(workspace=membership.workspace, session_id=session_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("billing:page")
    text = {
        "paid": "Payment received: your credits are in.",
        "pending": "Payment is processing; credits arrive as soon as it clears.",
        "subscription": "Subscription started; your tier updates as soon as Stripe confirms.",
    }[outcome]
    messages.success(request, text)
    return redirect("billing:page")
