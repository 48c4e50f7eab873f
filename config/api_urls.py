"""Everything under /api/v1/ (namespace "api")."""

from django.urls import include, path

app_name = "api"

# Jobs first: Django tries patterns in order, and the status poll and submit are the
# API's hottest routes (issue 19; each pattern tried before the match costs ~1 µs).
urlpatterns = [
    path("", include("apps.jobs.api.urls")),
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.billing.api.urls")),
    path("", include("apps.catalog.api.urls")),
    path("", include("apps.gallery.api.urls")),
    path("", include("apps.moderation.api.urls")),
    path("", include("apps.providers.api.urls")),
    path("", include("apps.webhooks.api.urls")),
]
