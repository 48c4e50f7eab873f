"""The one cursor pagination every API list uses (REST_FRAMEWORK DEFAULT_PAGINATION_CLASS).

A cursor is opaque to clients: they only ever follow `next`/`previous`. Anything else sent
as `?cursor=` — garbage, base64 of junk, a position that is not a value of the ordering
field, a negative or huge offset — is a 400 VALIDATION_ERROR naming `cursor`, never a 500
from the database or DRF's undocumented 404. `?limit=` must be a positive integer; values
above `max_page_size` are served as `max_page_size`."""

import binascii
import re
from base64 import b64decode
from typing import Any
from urllib import parse

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.utils.urls import remove_query_param

_CURSOR_KEYS = {"o", "r", "p"}
# A public id as apps/core/ids.py makes them: a short prefix, "_", random characters.
PUBLIC_ID = re.compile(r"[a-z]{2,8}_[A-Za-z0-9]{8,40}")


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


class KeysetCursorPagination(CursorPagination):
    """The same links and cursor contract, paged on the whole ordering key.

    DRF's cursor keeps only the first ordering field (`created_at`) and steps over rows
    that share it with an OFFSET, which stops at `offset_cutoff` (a bulk import of a
    thousand rows in one instant breaks the walk). Here the cursor carries the boundary
    row's `created_at` and `public_id` (the tie-breaker: unique, and unlike the integer
    pk it says nothing about how many rows exist), and a page is one range scan of the
    index on (…filters, created_at DESC, public_id DESC) from that row: `created_at <= t`
    bounds the scan and the rows of that very instant at or past the id are skipped. No
    count, no offset, the same single query at any depth. A cursor of the plain form (no
    id, as handed out before) is still served by CursorPagination, so links already given
    out keep working.

    `ordering` is two fields in the same direction, the second a unique public id."""

    ordering = ("-created_at", "-public_id")
    separator = "~"

    def position_of(self, instance: Any) -> str:
        first, second = (f.lstrip("-") for f in self.ordering)
        value = getattr(instance, first)
        return f"{value.isoformat()}{self.separator}{getattr(instance, second)}"

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        cursor = self.decode_cursor(request)
        self.keyset = cursor is None or (
            cursor.position is not None and self.separator in str(cursor.position)
        )
        if not self.keyset:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.cursor = cursor
        first, second = (f.lstrip("-") for f in self.ordering)
        descending = self.ordering[0].startswith("-")
        if cursor is not None and cursor.offset:  # never written with one
            raise _bad(self.cursor_query_param, self.invalid_cursor_message)
        key = None if cursor is None else self._key(queryset.model, str(cursor.position))
        reverse = bool(cursor and cursor.reverse)
        if reverse:
            flipped = (f[1:] if f.startswith("-") else f"-{f}" for f in self.ordering)
            queryset = queryset.order_by(*flipped)
        else:
            queryset = queryset.order_by(*self.ordering)
        if key is not None:
            value, pk = key
            # Rows past the boundary in the direction of travel.
            before = descending != reverse
            bound, tie = ("lte", "gte") if before else ("gte", "lte")
            queryset = queryset.filter(**{f"{first}__{bound}": value}).exclude(
                **{first: value, f"{second}__{tie}": pk}
            )
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
        self.has_next = key is not None if reverse else more
        self.has_previous = more if reverse else key is not None
        self.boundary = None if cursor is None else str(cursor.position)
        self.display_page_controls = self.has_next or self.has_previous
        return self.page

    def _key(self, model: Any, position: str) -> tuple[Any, str]:
        first = self.ordering[0].lstrip("-")
        raw_value, _, raw_pk = position.rpartition(self.separator)
        field = model._meta.get_field(first)
        try:
            value = field.to_python(raw_value)
            if value is None or (hasattr(value, "utcoffset") and value.utcoffset() is None):
                raise ValueError("a boundary needs its time zone")
            field.get_prep_value(value)
            if not PUBLIC_ID.fullmatch(raw_pk):
                raise ValueError("bad id")
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise _bad(self.cursor_query_param, self.invalid_cursor_message) from None
        return value, raw_pk

    def get_next_link(self) -> str | None:
        if not self.keyset:
            return super().get_next_link()
        if not self.has_next:
            return None
        position = self.position_of(self.page[-1]) if self.page else self.boundary
        return self._cursor_link(position, reverse=False)

    def get_previous_link(self) -> str | None:
        if not self.keyset:
            return super().get_previous_link()
        if not self.has_previous:
            return None
        position = self.position_of(self.page[0]) if self.page else self.boundary
        return self._cursor_link(position, reverse=True)

    def _cursor_link(self, position: Any, *, reverse: bool) -> str:
        cursor = pagination.Cursor(offset=0, reverse=reverse, position=position)
        return str(self.encode_cursor(cursor))
