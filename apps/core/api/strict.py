"""Request bodies that name only fields the endpoint knows.

DRF ignores keys a serializer does not declare, so a typo (`{"titel": "x"}`) or a field
the endpoint does not change is "accepted" and silently dropped. A serializer built on
`KnownFieldsSerializer` answers 400 VALIDATION_ERROR naming each unknown field instead
(details.fields.<name>), as the /process settings and the compat fronts do."""

from collections.abc import Mapping
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers


class KnownFieldsSerializer(serializers.Serializer[Any]):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in known)
            if unknown:
                message = (
                    f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
                    f"Allowed: {', '.join(sorted(known))}."
                )
                raise serializers.ValidationError({name: [message] for name in unknown})
        return super().to_internal_value(data)


class KnownFieldsSerializerSchema(OpenApiSerializerExtension):
    """The schema says so too: `additionalProperties: false`."""

    target_class = KnownFieldsSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema
