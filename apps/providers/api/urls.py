from django.urls import path

from apps.providers.api import views

urlpatterns = [
    path("provider-keys", views.ProviderKeyListCreateView.as_view(), name="provider-keys"),
    path(
        "provider-keys/<str:key_id>",
        views.ProviderKeyDetailView.as_view(),
        name="provider-key-detail",
    ),
    path(
        "providers/<str:provider>/webhook",
        views.ProviderWebhookView.as_view(),
        name="provider-webhook",
    ),
]
