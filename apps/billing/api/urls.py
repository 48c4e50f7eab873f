from django.urls import path

from apps.billing.api import views

urlpatterns = [
    path("billing/balance", views.BalanceView.as_view(), name="billing-balance"),
    path("billing/ledger", views.LedgerView.as_view(), name="billing-ledger"),
    path("billing/packs", views.PackListView.as_view(), name="billing-packs"),
    path("billing/checkout", views.CheckoutView.as_view(), name="billing-checkout"),
    path("billing/subscribe", views.SubscribeView.as_view(), name="billing-subscribe"),
    path(
        "billing/stripe/webhook",
        views.StripeWebhookView.as_view(),
        name="billing-stripe-webhook",
    ),
]
