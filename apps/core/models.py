import functools
from typing import Any

from django.db import models

from apps.core.ids import RANDOM_LENGTH, new_public_id


class PublicIdField(models.CharField):
    """A unique, prefixed, random public id generated when the row is built."""

    def __init__(self, *args: Any, prefix: str, **kwargs: Any) -> None:
        self.prefix = prefix
        kwargs.setdefault("max_length", len(prefix) + 1 + RANDOM_LENGTH)
        kwargs["unique"] = True
        kwargs["editable"] = False
        kwargs["default"] = functools.partial(new_public_id, prefix)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["prefix"] = self.prefix
        for key in ("default", "unique", "editable"):
            kwargs.pop(key, None)
        return name, path, args, kwargs


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
