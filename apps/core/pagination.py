"""The one cursor pagination every API list uses (REST_FRAMEWORK DEFAULT_PAGINATION_CLASS).

A cursor is opaque to clients: they only ever follow `next`/`previous`. Anything else sent
as `?cursor=` — garbage, base64 of junk, a position that is not a value of the ordering
field, a negative or huge offset — is a 400 VALIDATION_ERROR naming `cursor`, never a 500
from the database or DRF's undocumented 404. `?limit=` must be a positive integer; values
above `max_page_size` are served as `max_page_size`."""

import binascii
from base64 import b64decode
from typing import Any
from urllib import parse

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.utils.urls import remove_query_param

_CURSOR_KEYS = {"o", "r", "p"}


def _bad(param: str, message: str) -> ValidationError:
    return ValidationError({param: [message]})


class CursorPagination(pagination.CursorPagination):
    """Newest first; stable under inserts (no page drift), `?limit=` up to 200."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200
    invalid_cursor_message = "Invalid cursor: follow the `next` or `previous` link as given."

    def get_page_size(self, request: Any) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise _bad(self.page_size_query_param, "Must be a positive integer.")
        return min(size, self.max_page_size)

    def decode_cursor(self, request: Any) -> pagination.Cursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None or encoded == "":
            return None
        try:
            text = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
            tokens = parse.parse_qs(text, keep_blank_values=True, strict_parsing=True)
            if not tokens or set(tokens) - _CURSOR_KEYS:
                raise ValueError("unknown cursor fields")
            if any(len(values) != 1 for values in tokens.values()):
                raise ValueError("repeated cursor fields")
            offset = int(tokens.get("o", ["0"])[0])
            if not 0 <= offset <= self.offset_cutoff:
                raise ValueError("offset out of range")
            reverse = tokens.get("r", ["0"])[0]
            if reverse not in ("0", "1"):
                raise ValueError("bad direction")
            position: Any = tokens.get("p", [None])[0]
        except (ValueError, binascii.Error):  # UnicodeError is a ValueError
            raise _bad(self.cursor_query_param, self.invalid_cursor_message) from None
        return pagination.Cursor(offset=offset, reverse=reverse == "1", position=position)

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        cursor = self.decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            self._check_position(queryset, request, view, str(cursor.position))
        return super().paginate_queryset(queryset, request, view)

    def _check_position(self, queryset: Any, request: Any, view: Any, position: str) -> None:
        """The position is compared with the first ordering field in SQL: it must be a
        value of that field, or the database refuses the query."""
        order = self.get_ordering(request, queryset, view)[0].lstrip("-")
        try:
            field = queryset.model._meta.get_field(order)
        except FieldDoesNotExist:
            return
        try:
            field.get_prep_value(field.to_python(position))
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise _bad(self.cursor_query_param, self.invalid_cursor_message) from None

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = (
                    f"Results per page (default {self.page_size}; values above "
                    f"{self.max_page_size} are served as {self.max_page_size})."
                )
        return parameters


class ListPagination(CursorPagination):
    """The same `?limit=`/`?cursor=` contract over an in-memory list (a catalogue, not
    rows): the cursor carries an offset only. `page_size` None serves the whole list by
    default (up to `max_page_size`), for lists whose clients always received all of it."""

    def paginate_list(self, items: list[Any], request: Any) -> dict[str, Any]:
        size = self.get_page_size(request) or self.max_page_size
        cursor = self.decode_cursor(request)
        if cursor is not None and (cursor.position is not None or cursor.reverse):
            raise _bad(self.cursor_query_param, self.invalid_cursor_message)
        offset = cursor.offset if cursor else 0
        self.base_url = request.build_absolute_uri()
        nxt = prev = None
        if offset + size < len(items):
            nxt = self._link(offset + size)
        if offset > 0:
            prev = self._link(max(offset - size, 0))
        return {
            "count": len(items),
            "next": nxt,
            "previous": prev,
            "results": items[offset : offset + size],
        }

    def _link(self, offset: int) -> str:
        if offset == 0:
            return str(remove_query_param(str(self.base_url), self.cursor_query_param))
        cursor = pagination.Cursor(offset=offset, reverse=False, position=None)
        return str(self.encode_cursor(cursor))
