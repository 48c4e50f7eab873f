"""Which statements PostgreSQL prepares (apps/core/compiled.bound_cursor): the hot
paths' own, bound on the server and prepared once a connection ran them five times; the
ORM's queries keep client-side binding, so a query with more than 65,535 parameters (a
delete's `IN` list over many rows) still runs."""

import pytest
from django.conf import settings
from django.db import connection

from apps.accounts.models import Workspace
from apps.core.compiled import bound_cursor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PROBE = "SELECT id FROM accounts_workspace WHERE id = %s AND 'bound-cursor-probe' <> ''"


def _prepared(fragment: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{fragment}%"],
        )
        return cursor.fetchone()[0]


def test_a_bound_statement_is_prepared_after_its_fifth_run(alice):
    if settings.DATABASES["default"]["OPTIONS"].get("prepare_threshold") is None:
        pytest.skip("DATABASE_PREPARED_STATEMENTS=false")
    for run in range(1, 7):
        with bound_cursor() as cursor:
            cursor.execute(PROBE, [alice.workspace.pk])
            assert cursor.fetchone() == (alice.workspace.pk,)
        assert _prepared("bound-cursor-probe") == (1 if run > 5 else 0), run


def test_the_orms_queries_are_not_bound_on_the_server(alice):
    ids = [alice.workspace.pk, *range(-70_000, 0)]  # more than 65,535 parameters
    assert list(Workspace.objects.filter(pk__in=ids).values_list("pk", flat=True)) == [
        alice.workspace.pk
    ]
    assert Workspace.objects.filter(pk__in=ids[1:]).delete()[0] == 0
