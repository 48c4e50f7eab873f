from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core.views import healthz, metrics_view

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Prometheus (docs/operations.md): a 404 unless METRICS_TOKEN is set.
    path("metrics", metrics_view, name="metrics"),
    path("api/v1/", include("config.api_urls")),
    # Other vendors' APIs, spoken as they are written (docs/compat.md).
    path("v1/", include("apps.compat.openai.urls")),
    path("compat/alwrity/", include("apps.compat.alwrity.urls")),
    path("compat/aetherwave/", include("apps.compat.aetherwave.urls")),
    path("compat/veo3/", include("apps.compat.veo3.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("billing/", include("apps.billing.urls")),
    path("models/", include("apps.catalog.urls")),
    path("gallery/", include("apps.gallery.urls")),
    path("media-signed/", include("apps.gallery.media_urls")),
    path("moderation/", include("apps.moderation.urls")),
    path("webhooks/", include("apps.webhooks.urls")),
    # The fake provider APIs, only with PROVIDER_SANDBOX on (a 404 otherwise).
    path("_sandbox/", include("apps.providers.sandbox.urls")),
    path("", include("apps.dashboard.urls")),
]

handler400 = "apps.core.exceptions.bad_request"
handler403 = "apps.core.exceptions.permission_denied"
handler404 = "apps.core.exceptions.page_not_found"
handler500 = "apps.core.exceptions.server_error"
