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
