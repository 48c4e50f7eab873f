from django.urls import path

from apps.webhooks.api import views

urlpatterns = [
    path("webhooks", views.WebhookListCreateView.as_view(), name="webhooks"),
    path("webhooks/job-secret", views.WebhookJobSecretView.as_view(), name="webhooks-job-secret"),
    path("webhooks/<str:endpoint_id>", views.WebhookDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<str:endpoint_id>/test", views.WebhookTestView.as_view(), name="webhook-test"),
    path(
        "webhooks/<str:endpoint_id>/rotate-secret",
        views.WebhookRotateSecretView.as_view(),
        name="webhook-rotate-secret",
    ),
    path(
        "webhooks/<str:endpoint_id>/deliveries",
        views.WebhookDeliveryListView.as_view(),
        name="webhook-deliveries",
    ),
    path(
        "webhooks/<str:endpoint_id>/deliveries/<str:delivery_id>/retry",
        views.WebhookDeliveryRetryView.as_view(),
        name="webhook-delivery-retry",
    ),
]
