"""Query-string filters of API lists, validated against a serializer."""

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request


def query_validated(request: Request, serializer_class: type[serializers.Serializer[Any]]) -> Any:
    """The validated filters of `request`: a value outside a filter's choices
    (`?status=AAA`) or a filter given twice is a 400 VALIDATION_ERROR naming the filter.
    An empty value (`?status=`) counts as absent, as HTML forms send unset fields."""
    serializer = serializer_class()
    data: dict[str, Any] = {}
    for name in serializer.fields:
        values = request.query_params.getlist(name)
        if len(values) > 1:
            raise serializers.ValidationError({name: ["Give this filter at most once."]})
        if values and values[0] != "":
            data[name] = values[0]
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
