"""The public "Models & pricing" page: every model grouped by method, with filters."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.catalog import selectors
from apps.catalog.registry import PROVIDERS
from apps.catalog.registry.types import Method, Quality


def models_page(request: HttpRequest) -> HttpResponse:
    params = request.GET
    method = params.get("method") if params.get("method") in Method.values else None
    provider = params.get("provider") if params.get("provider") in PROVIDERS else None
    quality = params.get("quality") if params.get("quality") in Quality.values else None
    available = {"true": True, "false": False}.get(params.get("available", ""))
    groups = selectors.models_for_picker(
        method=method, provider=provider, quality=quality, available=available
    )
    return render(
        request,
        "catalog/models.html",
        {
            "groups": groups,
            "count": len({m["id"] for g in groups for m in g["models"]}),
            "methods": Method.choices,
            "providers": [(key, name) for key, (name, _) in PROVIDERS.items()],
            "qualities": Quality.choices,
            "selected": {
                "method": method or "",
                "provider": provider or "",
                "quality": quality or "",
                "available": params.get("available", ""),
            },
        },
    )
