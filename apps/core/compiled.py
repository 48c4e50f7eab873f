"""A read whose SQL is compiled once per process (issue 19).

On the API's hottest reads Django spends longer turning a queryset into SQL (about
0.35 ms for a two-table `values()`) and building it (another 0.3 ms) than PostgreSQL
spends answering it. `CompiledRead` builds the queryset once with recognisable probe
values, keeps the SQL, the order of its parameters and the column converters, and then
runs it with each request's values: the same SQL, the same conversions (JSON, dates,
booleans on SQLite), through the connection's ordinary cursor (so query logging,
`CaptureQueriesContext` and execute wrappers still see it).

Only for lookups whose values reach the database unchanged (`exact` on integer and text
columns): compiling refuses any parameter it cannot map back to exactly one probe."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[str, ...]  # probe names, in the SQL's parameter order
    columns: tuple[str, ...]
    converters: dict[int, tuple[list[Any], Any]]


class CompiledRead:
    """`build(**probes)` must return a `values()` queryset that selects at most one row
    (a unique lookup); `run(**values)` answers that row as a dict, or None."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], **probes: Any) -> None:
        self._build = build
        self._probes = probes
        self._by_alias: dict[str, _Compiled] = {}

    def _compile(self, alias: str) -> _Compiled:
        queryset = self._build(**self._probes)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        order = []
        for value in params:
            names = [
                name
                for name, probe in self._probes.items()
                if type(probe) is type(value) and probe == value
            ]
            if len(names) != 1:
                raise ImproperlyConfigured(
                    f"CompiledRead: the parameter {value!r} is not exactly one probe value "
                    "(only exact lookups on integer and text columns can be compiled)."
                )
            order.append(names[0])
        columns = tuple(alias_ for _, _, alias_ in compiler.select)
        if not all(columns) or len(set(columns)) != len(columns):
            raise ImproperlyConfigured("CompiledRead needs a values() queryset.")
        converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
        compiled = _Compiled(sql, tuple(order), columns, converters)
        self._by_alias[alias] = compiled
        return compiled

    def run(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> dict[str, Any] | None:
        compiled = self._by_alias.get(using) or self._compile(using)
        return self._fetch(compiled, connections[using], values)

    @staticmethod
    def _fetch(
        compiled: _Compiled, connection: Any, values: dict[str, Any]
    ) -> dict[str, Any] | None:
        cursor = _kept_cursor(connection)
        cursor.execute(compiled.sql, [values[name] for name in compiled.params])
        row = cursor.fetchone()
        if row is None:
            return None
        fields = list(row)
        for position, (functions, expression) in compiled.converters.items():
            value = fields[position]
            for convert in functions:
                value = convert(value, expression, connection)
            fields[position] = value
        return dict(zip(compiled.columns, fields, strict=True))


def _kept_cursor(connection: Any) -> Any:
    """A cursor on `connection` kept for as long as its database connection lives, in
    the wrapper Django gives every cursor (so query logging, CaptureQueriesContext and
    execute wrappers see each run). A new cursor per read would rebuild the loaders of
    every result column each time (psycopg keeps them per cursor): about 50 µs a read."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    kept = getattr(connection, "_compiled_read_cursor", None)
    if kept is None or kept[0] is not connection.connection or kept[1].closed:
        with connection.wrap_database_errors:
            raw = (
                _server_binding_cursor(connection)
                if connection.vendor == "postgresql"
                else connection.create_cursor()
            )
            kept = (connection.connection, raw)
        connection._compiled_read_cursor = kept
    return connection._prepare_cursor(kept[1])


def bound_cursor(using: str = DEFAULT_DB_ALIAS) -> Any:
    """A cursor for the hot paths' own statements (fixed SQL, a few parameters): on
    PostgreSQL with server-side binding, so psycopg prepares a statement the fifth time a
    connection runs it (`prepare_threshold`, DATABASE_PREPARED_STATEMENTS) and PostgreSQL
    stops planning it every time. In Django's wrapper, like any cursor (query logging,
    CaptureQueriesContext and execute wrappers see it). The ORM's own cursors keep
    client-side binding, which has no 65,535-parameter limit. Elsewhere, a plain cursor."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_server_binding_cursor(connection))


def _server_binding_cursor(connection: Any) -> Any:
    from django.db.backends.postgresql.base import ServerBindingCursor

    return ServerBindingCursor(connection.connection)


class InsertColumns:
    """A model's INSERT column list, built once, and an instance's values for it as the
    ORM's own insert writes them: each field's `pre_save(add=True)` (auto_now stamps, set
    on the instance as `save()` sets them), then `get_db_prep_save` (JSON, dates). For
    statements that write rows of several tables in one round trip (PostgreSQL's
    data-modifying WITH), where `save()` would cost a round trip and its query building
    per row. `supplied` names the columns the statement fills in itself (a foreign key
    RETURNING'd by an earlier part of it): they are left out of the list.

    Only for models without save() overrides or save signals that matter: none run."""

    def __init__(self, model: type[Model], *, supplied: tuple[str, ...] = ()) -> None:
        meta = model._meta
        self._fields = [
            field
            for field in meta.concrete_fields
            if not field.primary_key and not field.generated and field.attname not in supplied
        ]
        missing = set(supplied) - {field.attname for field in meta.concrete_fields}
        if missing:
            raise ImproperlyConfigured(f"InsertColumns: {model.__name__} has no {missing}.")
        self.table = f'"{meta.db_table}"'
        self.columns = ", ".join(f'"{field.column}"' for field in self._fields)
        self.placeholders = ", ".join(["%s"] * len(self._fields))

    def values(self, instance: Model, using: str = DEFAULT_DB_ALIAS) -> list[Any]:
        connection = connections[using]  # not the `connection` proxy: 35 fields ask it
        return [
            field.get_db_prep_save(field.pre_save(instance, True), connection)
            for field in self._fields
        ]


def inserted(instance: Model, pk: int, using: str = DEFAULT_DB_ALIAS) -> None:
    """Marks an instance written by an InsertColumns statement as saved, as `save()`
    would: its new primary key, and no longer `adding`."""
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = using
