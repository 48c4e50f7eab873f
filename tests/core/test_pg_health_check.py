"""apps/core/postgresql: CONN_HEALTH_CHECKS without a `SELECT 1` on a quiet connection, and
a connection the server closed between requests still found and replaced."""

import pytest
from django.db import connection, transaction
from django.db.backends.postgresql import base as django_base

from apps.accounts.models import Workspace
from apps.catalog.services import model_override_set
from apps.core.postgresql.base import DatabaseWrapper, quiet
from tests.core.test_compiled_read import _drop_backend
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def select_ones(monkeypatch) -> list[int]:
    """Each `SELECT 1` Django's own health check sends."""
    sent: list[int] = []
    usable = django_base.DatabaseWrapper.is_usable

    def counted(self):
        sent.append(1)
        return usable(self)

    monkeypatch.setattr(django_base.DatabaseWrapper, "is_usable", counted)
    return sent


def _new_request() -> None:
    """What Django does to the kept connection when a request starts."""
    connection.health_check_enabled = True  # CONN_HEALTH_CHECKS (set again on connect)
    connection.health_check_done = False


def test_the_configured_backend_is_this_one():
    assert isinstance(connection._connections[connection._alias], DatabaseWrapper)


def test_a_quiet_kept_connection_needs_no_round_trip(alice, select_ones):
    Workspace.objects.count()  # a kept connection
    for _ in range(3):
        _new_request()
        assert Workspace.objects.filter(pk=alice.workspace.pk).exists()
    assert select_ones == []


def test_a_connection_the_server_closed_is_replaced_before_the_request_uses_it(alice, select_ones):
    Workspace.objects.count()
    pid = connection.connection.info.backend_pid
    _drop_backend(pid)
    assert not quiet(connection.connection)  # the server's goodbye is waiting to be read
    _new_request()
    assert Workspace.objects.filter(pk=alice.workspace.pk).exists()  # no error
    assert connection.connection.info.backend_pid != pid
    assert select_ones == [1]  # Django's own check decided


def test_a_transaction_left_open_is_not_quiet(db):
    with transaction.atomic():
        Workspace.objects.count()
        assert not quiet(connection.connection)
    assert quiet(connection.connection)


def test_a_submit_after_the_server_closed_the_connection_is_accepted(alice):
    model_override_set(model_id="local/text-to-video", price_credits=7)  # a real hold
    fund(alice.workspace, 100)
    assert alice.api.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 202
    pid = connection.connection.info.backend_pid
    _drop_backend(pid)
    _new_request()
    response = alice.api.post("/api/v1/generate", TEXT_JOB, format="json")
    assert response.status_code == 202, response.json()
    assert connection.connection.info.backend_pid != pid
