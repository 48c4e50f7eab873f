"""The real URLconf plus views that fail, to test the envelope of 500s."""

from django.http import HttpRequest
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from config.urls import handler500  # noqa: F401
from config.urls import urlpatterns as real_patterns


class BoomAPIView(APIView):
    permission_classes = (AllowAny,)

    def get(self, request):
        raise RuntimeError("secret internals")


def boom_plain(request: HttpRequest):
    raise RuntimeError("secret internals")


urlpatterns = [
    path("api/test-boom", BoomAPIView.as_view()),
    path("api/test-boom-plain", boom_plain),
    path("page-boom", boom_plain),
    *real_patterns,
]
