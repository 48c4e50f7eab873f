"""A Redis connection a thread keeps to itself, for the hot paths' single commands (the
key lookup's EVALSHA, a job start's LPUSH): the same wire command redis-py's client sends,
without its per-call pool checkout, retry and event wrappers (about 60 µs of CPU a call).

Each use names its slot ("keycache", "broker"); a slot holds one connection, made on the
slot's first use, again in a forked process, and again for another pool (a changed cache
or broker setting: the old connection would talk to the old server)."""

import os
import threading
from typing import Any

from hiredis import pack_command
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

DROPPED = (RedisConnectionError, RedisTimeoutError, OSError)

_local = threading.local()


def kept_connection(slot: str, pool: Any) -> Any:
    """This thread's connection of `slot` to `pool`'s server."""
    if getattr(_local, "pid", None) != os.getpid():
        # In a forked process: the inherited connections are closed on this side only
        # (redis-py's disconnect leaves a socket another process owns to that process).
        for _pool, inherited in getattr(_local, "slots", {}).values():
            inherited.disconnect()
        _local.slots, _local.pid = {}, os.getpid()
    kept = _local.slots.get(slot)
    if kept is None or kept[0] is not pool:
        if kept is not None:
            kept[1].disconnect()
        kept = _local.slots[slot] = (pool, pool.connection_class(**pool.connection_kwargs))
    return kept[1]


def kept_call(slot: str, pool: Any, *command: Any) -> Any:
    """Sends `command` on the kept connection and returns the reply. A dropped connection
    is reopened and the command sent once more; a second failure is raised (DROPPED)."""
    conn = kept_connection(slot, pool)
    try:
        # hiredis's packer directly: redis-py's wrapper re-checks every argument in Python.
        packed = [pack_command(command)]
    except TypeError:  # an argument hiredis does not take: redis-py's packer says which
        packed = conn.pack_command(*command)
    try:
        conn.send_packed_command(packed, check_health=False)
        return conn.read_response()
    except DROPPED:
        conn.disconnect()
    conn.send_packed_command(packed, check_health=False)
    return conn.read_response()
