"""CompiledRead (apps/core/compiled.py): the SQL is compiled once and run with each call's
values, with the ORM's conversions; lookups it cannot map back to a probe are refused."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Workspace
from apps.core.compiled import CompiledRead

pytestmark = pytest.mark.django_db


def by_name(name, id):
    return Workspace.objects.filter(name=name, id=id).values("public_id", "created_at", "id")


def test_each_run_reads_its_own_values_with_the_orms_conversions(alice, charlie):
    read = CompiledRead(by_name, name="probe-name", id=-1)
    for actor in (alice, charlie):
        ws = actor.workspace
        expected = Workspace.objects.filter(pk=ws.pk).values("public_id", "created_at", "id")
        assert read.run(name=ws.name, id=ws.pk) == expected.get()
    assert read.run(name=alice.workspace.name, id=charlie.workspace.pk) is None


def test_the_sql_is_compiled_once_and_each_run_is_one_logged_query(alice):
    read = CompiledRead(by_name, name="probe-name", id=-1)
    with CaptureQueriesContext(connection) as queries:
        read.run(name="x", id=1)
        read.run(name=alice.workspace.name, id=alice.workspace.pk)
    assert len(queries) == 2
    assert queries[0]["sql"].split("WHERE")[0] == queries[1]["sql"].split("WHERE")[0]
    assert len(read._by_alias) == 1


def test_a_lookup_that_changes_its_value_is_refused(db):
    read = CompiledRead(
        lambda name: Workspace.objects.filter(name__icontains=name).values("id"), name="probe"
    )
    with pytest.raises(ImproperlyConfigured):
        read.run(name="x")


def test_two_probes_with_the_same_value_are_refused(db):
    read = CompiledRead(
        lambda a, b: Workspace.objects.filter(name=a, public_id=b).values("id"), a="p", b="p"
    )
    with pytest.raises(ImproperlyConfigured):
        read.run(a="x", b="y")


def _drop_backend(pid: int) -> None:
    """Ends the server side of a kept connection, as a restart or an idle timeout would,
    and returns once the backend has exited (its goodbye sent)."""
    import psycopg

    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k not in ("cursor_factory", "context")},
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_read_after_the_server_dropped_the_connection_runs_on_a_new_one(alice, monkeypatch):
    """Reads go through the backend's health check like every query (apps/core/postgresql:
    no `SELECT 1` on a quiet connection): a kept connection the server dropped between
    requests is replaced before the read, which answers as usual."""
    from django.db.backends.postgresql import base as django_base

    select_ones = []
    usable = django_base.DatabaseWrapper.is_usable
    monkeypatch.setattr(
        django_base.DatabaseWrapper, "is_usable", lambda self: select_ones.append(1) or usable(self)
    )
    read = CompiledRead(by_name, name="probe-name", id=-1)
    ws = alice.workspace
    assert read.run(name=ws.name, id=ws.pk)["id"] == ws.pk  # a kept connection
    for _ in range(2):
        connection.health_check_enabled = True  # CONN_HEALTH_CHECKS (set again on connect)
        connection.health_check_done = False  # as at the start of every request
        assert read.run(name=ws.name, id=ws.pk)["id"] == ws.pk
    assert select_ones == []  # quiet: no round trip

    pid = connection.connection.info.backend_pid
    _drop_backend(pid)
    connection.health_check_enabled, connection.health_check_done = True, False
    assert read.run(name=ws.name, id=ws.pk)["id"] == ws.pk
    assert connection.connection.info.backend_pid != pid
    assert select_ones == [1]  # the check found the dropped connection
    connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_a_dropped_connection_is_an_error(alice):
    from django.db import OperationalError, transaction

    read = CompiledRead(by_name, name="probe-name", id=-1)
    ws = alice.workspace
    read.run(name=ws.name, id=ws.pk)
    with pytest.raises(OperationalError), transaction.atomic():
        connection.health_check_done = False
        Workspace.objects.filter(pk=ws.pk).exists()  # the transaction has begun
        _drop_backend(connection.connection.info.backend_pid)
        read.run(name=ws.name, id=ws.pk)
    connection.close()
