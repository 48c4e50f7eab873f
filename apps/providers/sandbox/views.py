"""`/_sandbox/<provider>/...`: the in-app provider sandbox (inapp.py). A 404 unless
PROVIDER_SANDBOX is on."""

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from apps.providers.sandbox import inapp
from apps.providers.sandbox.core import encode


@csrf_exempt
def sandbox_dispatch(request: HttpRequest, path: str) -> HttpResponse:
    if not inapp.enabled():
        raise Http404("The provider sandbox is off (PROVIDER_SANDBOX).")
    headers = {name.lower(): value for name, value in request.headers.items()}
    query = {name: request.GET[name] for name in request.GET}
    resp = inapp.instance().respond(
        request.method or "GET", "/" + path, query, headers, request.body
    )
    payload, ctype = encode(resp)
    response = HttpResponse(payload, status=resp.status, content_type=ctype)
    for name, value in resp.headers.items():
        response[name] = value
    return response
