"""OpenAPI pieces every endpoint shares: the error envelope, and the statuses every
operation can answer whatever its view declares (added by `declare_common_errors`)."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

# For a method field that may be null (a signed URL of a file that is gone, ...).
NULLABLE_URI = serializers.URLField(allow_null=True)


class ErrorBodySerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Upper-case error code, e.g. INSUFFICIENT_CREDITS.")
    message = serializers.CharField()
    retryable = serializers.BooleanField()
    details = serializers.DictField()


class ErrorSerializer(serializers.Serializer[Any]):
    error = ErrorBodySerializer()


_DESCRIPTIONS = {
    400: "Invalid input (VALIDATION_ERROR and friends)",
    401: "AUTHENTICATION_FAILED",
    402: "INSUFFICIENT_CREDITS, or KEY_BUDGET_EXCEEDED past the API key's monthly_credit_limit",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE (the API only answers application/json)",
    409: "CONFLICT",
    413: "FILE_TOO_LARGE, or PAYLOAD_TOO_LARGE for a request body past the limit",
    415: "UNSUPPORTED_MEDIA_TYPE (a body in a content type the operation does not take)",
    429: "RATE_LIMIT_EXCEEDED",
    507: "STORAGE_FULL",
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """`responses=` entries for the error statuses an endpoint can return (401 and 429
    apply to every authenticated endpoint and are always included)."""
    wanted = sorted({401, 429, *statuses})
    return {s: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[s]) for s in wanted}


def _ensure(responses: dict[str, Any], status: int) -> None:
    if str(status) not in responses:
        responses[str(status)] = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            "description": _DESCRIPTIONS[status],
        }


def _shadowed_by(template: str, paths: dict[str, Any]) -> list[dict[str, Any]]:
    """The fixed routes a templated path also matches, e.g. `/gallery/public` for
    `/gallery/{asset_id}`: a request for that id reaches the fixed route instead."""
    parts = template.strip("/").split("/")
    out = []
    for other, item in paths.items():
        theirs = other.strip("/").split("/")
        if other == template or "{" in other or len(theirs) != len(parts):
            continue
        if all(p == t or p.startswith("{") for p, t in zip(parts, theirs, strict=True)):
            out.append(item)
    return out


def declare_common_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the statuses every operation can give, so the
    schema holds each status a client can see (Schemathesis checks it in CI).

    - every operation: 401 (a bad key is refused even where none is needed), 406 (an
      Accept the JSON renderer cannot meet) and 429 (the tier or anonymous rate limit);
    - with a request body: 400 (malformed or invalid), 413 (a body past the size limit)
      and 415 (a content type the operation does not parse);
    - with query parameters: 400 (a filter, cursor or limit that is not valid);
    - with path parameters: 404 (no such object in this workspace) and 400 (a control
      character in the path); 405 where an id can spell a fixed route that does not take
      the method (`PATCH /gallery/public`).
    """
    paths = result.get("paths", {})
    for template, path_item in paths.items():
        shadows = _shadowed_by(template, paths) if "{" in template else []
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in (401, 406, 429):
                _ensure(responses, status)
            params = operation.get("parameters", [])
            if "requestBody" in operation:
                for status in (400, 413, 415):
                    _ensure(responses, status)
            if any(p.get("in") == "query" for p in params):
                _ensure(responses, 400)
            if any(p.get("in") == "path" for p in params):
                _ensure(responses, 400)
                _ensure(responses, 404)
            if any(method not in item for item in shadows):
                _ensure(responses, 405)
            for param in params:
                # Filters, cursor and limit alike read `?name=` as absent (as HTML forms
                # send unset fields), which the schema has to say.
                if param.get("in") == "query":
                    param["allowEmptyValue"] = True
            operation["responses"] = dict(sorted(responses.items()))
    return result
