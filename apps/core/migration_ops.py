"""Migration operations the ORM's own do not cover.

PostgreSQL: Django gives every indexed or unique `CharField` a second index with
`varchar_pattern_ops` (`<table>_<column>_<hash>_like`), for `LIKE 'abc%'` queries. On the
tables every job writes (the job, its credit hold, the ledger) nothing queries those
columns with a pattern (the admin's search is `icontains`, which no btree serves), so each
such index is only a write: one more index entry per INSERT, and per UPDATE that changes
an indexed column (a job's status). `DropLikeIndexes` drops them; reversing recreates
them. Django's model state never records these indexes, so no later `makemigrations`
sees the change; an `AlterField` that changes such a column's type recreates its index
(`tests/core/test_write_indexes.py` fails if one comes back).

`DropForeignKeyIndex` drops the index Django keeps beside a foreign key that a composite
index already leads with, and keeps the constraint."""

from typing import Any

from django.db.migrations.operations.base import Operation


class DropLikeIndexes(Operation):
    """The `_like` indexes of `fields` of `model_name` (in the migration's app), dropped on
    PostgreSQL; nothing on other databases, which never create them."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, fields: list[str]) -> None:
        self.model_name = model_name
        self.fields = list(fields)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__name__, [self.model_name, self.fields], {})

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # the model state has no record of these indexes

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        for model, field in self._targets(app_label, schema_editor, to_state):
            name = schema_editor._create_index_name(
                model._meta.db_table, [field.column], suffix="_like"
            )
            schema_editor.execute(schema_editor._delete_index_sql(model, name))  # IF EXISTS

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        for model, field in self._targets(app_label, schema_editor, to_state):
            sql = schema_editor._create_like_index_sql(model, field)
            if sql is not None:
                schema_editor.execute(sql)

    def _targets(self, app_label: str, schema_editor: Any, state: Any) -> list[tuple[Any, Any]]:
        if schema_editor.connection.vendor != "postgresql":
            return []
        model = state.apps.get_model(app_label, self.model_name)
        return [(model, model._meta.get_field(name)) for name in self.fields]

    def describe(self) -> str:
        return f"Drop the LIKE-pattern indexes of {self.model_name}: {', '.join(self.fields)}"


class DropForeignKeyIndex(Operation):
    """Foreign key `name` of `model_name` without its own index (the model declares
    `db_index=False`), the constraint kept: `AlterField` would drop and re-add the
    constraint, which checks every row of the table under a lock. The index's name is
    Django's, derived as its schema editor derives it."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, name: str) -> None:
        self.model_name = model_name
        self.name = name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__name__, [self.model_name, self.name], {})

    def state_forwards(self, app_label: str, state: Any) -> None:
        model = self.model_name.lower()
        field = state.models[app_label, model].fields[self.name].clone()
        field.db_index = False
        state.alter_field(app_label, model, self.name, field, True)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model = from_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        name = schema_editor._create_index_name(model._meta.db_table, [field.column])
        schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        schema_editor.execute(
            schema_editor._create_index_sql(model, fields=[model._meta.get_field(self.name)])
        )

    def describe(self) -> str:
        return f"Drop the index of foreign key {self.model_name}.{self.name}, keep the key"
