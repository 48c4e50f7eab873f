"""Django's PostgreSQL backend with a health check that costs no round trip on a quiet
connection (settings/core.py selects it for every postgres:// DATABASE_URL).

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request
on a kept connection, to find one the server closed in between. A server that closes a
connection (a restart, pg_terminate_backend, idle_session_timeout) tells the client: a
FATAL message, then the end of the stream, and either makes the socket readable. An idle
connection that is healthy has nothing to read. So `is_usable` first asks the socket
(poll, no I/O): nothing pending and psycopg seeing the connection open and idle means
usable; anything else (something to read, an error, a transaction left open) and it
runs Django's `SELECT 1`. About 100 µs and one round trip less on every request whose
first query is not a compiled read (apps/core/compiled.py, which already skips it).

A connection that died silently (a network path dropped without a reset) passes this
check as it would have hung in `SELECT 1`; its first query fails, and Django closes it
at the end of that request, as it does without health checks."""

import select
from typing import Any

from django.db.backends.postgresql import base
from psycopg import pq


def quiet(connection: Any) -> bool:
    """Whether psycopg's `connection` is open, outside a transaction, and its socket has
    nothing to read (no notice from the server, no end of stream) and no error."""
    if connection.closed or connection.broken:
        return False
    if connection.info.transaction_status != pq.TransactionStatus.IDLE:
        return False
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
    return not poller.poll(0)


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is not None and quiet(self.connection):
            return True
        return bool(super().is_usable())
