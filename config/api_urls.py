"""Everything under /api/v1/ (namespace "api")."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.billing.api.urls")),
    path("", include("apps.catalog.api.urls")),
    path("", include("apps.gallery.api.urls")),
    path("", include("apps.jobs.api.urls")),
    path("", include("apps.moderation.api.urls")),
    path("", include("apps.providers.api.urls")),
    path("", include("apps.webhooks.api.urls")),
]
