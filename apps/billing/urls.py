from django.urls import path

from apps.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.billing_page, name="page"),
    path("buy/", views.buy_pack, name="buy"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("checkout/success/", views.checkout_success, name="checkout-success"),
]
