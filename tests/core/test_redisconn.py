"""apps/core/redisconn.py: one kept connection per slot and thread, replaced for another
pool and in a forked process (where the inherited ones are let go on this side)."""

import redis

from apps.core import redisconn


def _pool() -> redis.ConnectionPool:
    return redis.ConnectionPool(host="127.0.0.1", port=1)  # never connected to here


def test_a_slot_keeps_its_connection_and_replaces_it_for_another_pool():
    first, second = _pool(), _pool()
    kept = redisconn.kept_connection("test-slot", first)
    assert redisconn.kept_connection("test-slot", first) is kept
    assert redisconn.kept_connection("test-other-slot", first) is not kept
    assert redisconn.kept_connection("test-slot", second) is not kept


def test_in_a_forked_process_the_inherited_connections_are_let_go(monkeypatch):
    pool = _pool()
    inherited = redisconn.kept_connection("test-slot", pool)
    released = []
    monkeypatch.setattr(inherited, "disconnect", lambda: released.append(inherited))
    monkeypatch.setattr(redisconn._local, "pid", -1)  # as seen from a forked child
    fresh = redisconn.kept_connection("test-slot", pool)
    assert fresh is not inherited
    assert released == [inherited]
