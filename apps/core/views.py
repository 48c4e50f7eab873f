import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from apps.core import metrics
from apps.core.errors import AuthenticationFailed
from apps.core.exceptions import envelope
from apps.core.health import run_checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with a JSON report when everything is up; 503 naming what is down."""
    checks = run_checks()
    down = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "ok" if not down else "unavailable", "down": down, "checks": checks}
    return JsonResponse(body, status=503 if down else 200)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics (apps/core/metrics.py). Off (404, like any unknown URL) without
    METRICS_TOKEN; with it, only `Authorization: Bearer <METRICS_TOKEN>` reads them (401
    in the error envelope otherwise)."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("Metrics are off.")
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        error = AuthenticationFailed("Send the metrics token: `Authorization: Bearer <token>`.")
        response = JsonResponse(envelope(error), status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
