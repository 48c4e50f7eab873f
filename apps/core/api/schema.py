"""OpenAPI pieces every endpoint shares: the error envelope."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


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
    402: "INSUFFICIENT_CREDITS",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "FILE_TOO_LARGE or PAYLOAD_TOO_LARGE",
    429: "RATE_LIMIT_EXCEEDED",
    507: "STORAGE_FULL",
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """`responses=` entries for the error statuses an endpoint can return (401 and 429
    apply to every authenticated endpoint and are always included)."""
    wanted = sorted({401, 429, *statuses})
    return {s: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[s]) for s in wanted}
