from django.urls import path

from apps.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhooks_page, name="list"),
    path("<str:endpoint_id>/", views.endpoint_page, name="detail"),
    path("<str:endpoint_id>/test/", views.endpoint_test, name="test"),
    path("<str:endpoint_id>/rotate-secret/", views.endpoint_rotate_secret, name="rotate-secret"),
    path("<str:endpoint_id>/enabled/", views.endpoint_enabled, name="enabled"),
    path("<str:endpoint_id>/delete/", views.endpoint_delete, name="delete"),
    path(
        "<str:endpoint_id>/deliveries/<str:delivery_id>/retry/",
        views.delivery_retry,
        name="delivery-retry",
    ),
]
