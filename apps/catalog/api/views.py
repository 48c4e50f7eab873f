"""The public catalogue: models, one model, and cost estimates. No key is needed; an
authenticated caller gets their tier's discount on estimates."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import resolve_workspace
from apps.accounts.scopes import Scope
from apps.catalog import selectors, services
from apps.catalog.api.serializers import (
    CatalogModelListSerializer,
    CatalogModelSerializer,
    EstimateCostRequestSerializer,
    EstimateCostResponseSerializer,
)
from apps.catalog.checks import Problem
from apps.catalog.preflight import problems_raise
from apps.catalog.registry import PROVIDERS
from apps.catalog.registry.types import Method, Quality
from apps.core.api.schema import errors
from apps.core.errors import ErrorCode
from apps.core.pagination import ListPagination


class PublicWithWorkspace(BasePermission):
    """Anyone may call; a caller with a key or session gets `request.workspace`."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.user and request.user.is_authenticated:
            resolve_workspace(request)
        return True


FILTERS = {
    "method": list(Method.values),
    "provider": list(PROVIDERS),
    "quality": list(Quality.values),
    "available": ["true", "false"],
}


def _filters(query: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    problems = []
    for name, allowed in FILTERS.items():
        value = query.get(name)
        if value in (None, ""):
            continue
        value = value.lower() if name == "available" else value
        if value not in allowed:
            problems.append(
                Problem(name, ErrorCode.VALIDATION_ERROR, f"Unknown {name} {value!r}.", allowed)
            )
        else:
            found[name] = (value == "true") if name == "available" else value
    if problems:
        problems_raise(problems)
    return found


class ModelPagination(ListPagination):
    """`?limit=`/`?cursor=` like every list; without `?limit=` the whole catalogue (it is
    small and fixed, and clients have always received all of it in one answer)."""

    page_size = None


PAGE_PARAMETERS = [
    OpenApiParameter("cursor", OpenApiTypes.STR, description="Follow `next`/`previous`."),
    OpenApiParameter(
        "limit",
        OpenApiTypes.INT,
        description="Models per page (default: all, at most 200).",
    ),
]


class ModelListView(APIView):
    permission_classes = [PublicWithWorkspace]

    @extend_schema(
        operation_id="models_list",
        summary="List the AI models with prices, limits and availability (public)",
        parameters=[
            OpenApiParameter("method", OpenApiTypes.STR, enum=FILTERS["method"]),
            OpenApiParameter("provider", OpenApiTypes.STR, enum=FILTERS["provider"]),
            OpenApiParameter("quality", OpenApiTypes.STR, enum=FILTERS["quality"]),
            OpenApiParameter("available", OpenApiTypes.BOOL),
            *PAGE_PARAMETERS,
        ],
        responses={200: CatalogModelListSerializer, **errors(400)},
    )
    def get(self, request: Request) -> Response:
        entries = selectors.model_list(**_filters(request.query_params))
        page = ModelPagination().paginate_list(entries, request)
        page["results"] = [selectors.model_describe(e) for e in page["results"]]
        return Response(page)


class ModelDetailView(APIView):
    permission_classes = [PublicWithWorkspace]

    @extend_schema(
        operation_id="models_retrieve",
        summary="One AI model (ids may contain slashes)",
        parameters=[OpenApiParameter("model_id", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={200: CatalogModelSerializer, **errors(404)},
    )
    def get(self, request: Request, model_id: str) -> Response:
        return Response(selectors.model_describe(selectors.model_get(model_id=model_id)))


class EstimateCostView(APIView):
    required_scope = Scope.READ
    permission_classes = [PublicWithWorkspace]

    @extend_schema(
        operation_id="estimate_cost",
        summary="Estimate a job's cost in credits (public; your tier's discount when signed in)",
        request=EstimateCostRequestSerializer,
        responses={200: EstimateCostResponseSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        data: Any = request.data
        fields = data.dict() if hasattr(data, "dict") else data  # a form post: QueryDict
        estimate = services.cost_estimate(
            fields=fields, workspace=getattr(request, "workspace", None)
        )
        return Response(estimate.as_dict())
