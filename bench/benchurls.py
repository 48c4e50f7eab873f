from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as real_patterns


class BareView(APIView):
    """The baseline: DRF with no authentication, permission, throttle or database."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class AuthenticatedBareView(APIView):
    """The platform's floor for any API call: the real API-key authentication, workspace
    resolution and rate limit, then a constant answer."""

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


# Under /api/ like every API route, so they get the API's treatment: a request with a key
# skips the browser-only middleware (apps/core/middleware.BrowserOnly), one without runs it.
urlpatterns = [
    path("api/bare", BareView.as_view()),
    path("api/bare-auth", AuthenticatedBareView.as_view()),
    *real_patterns,
]
