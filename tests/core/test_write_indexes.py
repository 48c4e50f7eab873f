"""The tables every job writes (its row, its credit hold, the ledger) carry no index that
no query reads (issue 19): no LIKE-pattern (`_like`) index, and no index on workspace_id
alone where a composite one leads with it. The foreign keys themselves stay."""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from apps.core.migration_ops import DropForeignKeyIndex, DropLikeIndexes

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TABLES = ("jobs_job", "billing_credithold", "billing_ledgerentry")


def _indexes(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


@pytest.mark.parametrize("table", TABLES)
def test_no_pattern_index_and_workspace_served_by_a_composite(table):
    indexes = _indexes(table)
    assert not [name for name in indexes if name.endswith("_like")]
    on_workspace = [d for d in indexes.values() if "(workspace_id" in d]
    assert on_workspace, "an index must still lead with workspace_id"
    assert all("(workspace_id)" not in d or " WHERE " in d for d in on_workspace), on_workspace


@pytest.mark.parametrize("table", TABLES)
def test_the_workspace_foreign_key_is_kept(table):
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM pg_constraint c
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
               WHERE c.conrelid = %s::regclass AND c.contype = 'f'
                 AND a.attname = 'workspace_id'""",
            [table],
        )
        assert cursor.fetchone()[0] == 1


def test_drop_like_indexes_reverses_and_reapplies():
    """Backwards recreates the indexes Django would have made; forwards drops them again.
    DDL is transactional on PostgreSQL: the test's transaction undoes both."""
    state = MigrationLoader(connection).project_state(("jobs", "0010_job_write_indexes"))
    operation = DropLikeIndexes("job", ["public_id", "status"])
    with connection.schema_editor(atomic=False) as editor:
        operation.database_backwards("jobs", editor, state, state)
    assert {n for n in _indexes("jobs_job") if n.endswith("_like")} == {
        "jobs_job_public_id_b9bd3048_like",
        "jobs_job_status_383f1641_like",
    }
    with connection.schema_editor(atomic=False) as editor:
        operation.database_forwards("jobs", editor, state, state)
    assert not [n for n in _indexes("jobs_job") if n.endswith("_like")]


def test_drop_foreign_key_index_reverses_and_reapplies():
    """Backwards recreates the index under Django's own name; forwards drops it again and
    leaves the constraint."""
    state = MigrationLoader(connection).project_state(("jobs", "0009_job_active_index"))
    operation = DropForeignKeyIndex("job", "workspace")
    after = state.clone()
    operation.state_forwards("jobs", after)
    assert after.models["jobs", "job"].fields["workspace"].db_index is False
    with connection.schema_editor(atomic=False) as editor:
        operation.database_backwards("jobs", editor, after, state)
    assert "jobs_job_workspace_id_91873d4d" in _indexes("jobs_job")
    with connection.schema_editor(atomic=False) as editor:
        operation.database_forwards("jobs", editor, state, after)
    assert "jobs_job_workspace_id_91873d4d" not in _indexes("jobs_job")
    test_the_workspace_foreign_key_is_kept("jobs_job")
