"""Versioned records in Redis: a copy of rows, rendered, that is never read after a change
to those rows has committed (issue 19: the status read served from a cache read).

A record is stored under its own key as one line naming the version keys it depends on,
each with the token it was filled under, then its body:

    <version key> <token> [<version key> <token> ...]\\n<body>

It is current while every version key still holds its token (`CHECK_LUA`). A writer
calls `changing(names)` around its write: before the write every named version is set to
a *pending* token ("p:<writers>:..."), and once the write has committed (on commit, or
right after the block outside a transaction) each is set to a fresh token. So:

- between the write's start and its settle, no record matches (a pending token never
  tags one: `versions_read` refuses to hand it out), and readers read the database;
- after the settle, every record filled before it carries an old token and never matches;
- a fill reads the versions *before* it reads the rows (`versions_read`, then the read,
  then `store`), so a fill that raced a write is tagged with a token that write replaces.

Overlapping writers on one key: the pending token counts them (each start adds one,
each settle takes one off), and the version turns fresh only when the last settles, in
whatever order they commit. A pending token left behind (a rolled-back transaction, a
process that died between commit and settle) expires PENDING_TTL_S after the last
writer started; the next fill then creates a fresh version. Only a transaction open
longer than that can outlive its pending token; its own settle still replaces whatever
version a fill created meanwhile.

Without Redis (the embedded default's local-memory cache) there are no records: every
call here does nothing and readers read the database."""

import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction

PENDING_TTL_S = 300
# How long a version key lives after its last write. A version that expired makes its
# records misses (a missing version matches no token), never stale; short, because every
# row ever written gets one.
VERSION_TTL_S = 2 * 3600

# Checks a record (the local `rec`) against its version keys; leaves its body in `body`
# (false when absent, malformed or stale). For scripts that read a record with other work
# in the same round trip (apps/accounts/keycache.py).
CHECK_LUA = """
local body = false
if rec then
  local nl = string.find(rec, '\\n', 1, true)
  if nl then
    local names, tokens = {}, {}
    for name, token in string.gmatch(string.sub(rec, 1, nl - 1), '(%S+) (%S+)') do
      names[#names + 1] = name
      tokens[#tokens + 1] = token
    end
    if #names > 0 then
      local now = redis.call('MGET', unpack(names))
      body = string.sub(rec, nl + 1)
      for i = 1, #names do
        if now[i] ~= tokens[i] then body = false end
      end
    end
  end
end
"""

# KEYS: version keys. ARGV: a fresh token per key, then the TTL. Creates missing versions;
# returns them all, or nil when one is pending (a write is under way: do not fill).
_READ_LUA = """
local out = {}
for i, k in ipairs(KEYS) do
  redis.call('SET', k, ARGV[i], 'NX', 'EX', ARGV[#ARGV])
  local v = redis.call('GET', k)
  if not v or string.sub(v, 1, 2) == 'p:' then return nil end
  out[i] = v
end
return out
"""

# The writers a version's pending token counts (0: not pending).
_WRITERS_LUA = """
local function writers(v)
  if v and string.sub(v, 1, 2) == 'p:' then return tonumber(string.match(v, '^p:(%d+):')) or 1 end
  return 0
end
"""

# KEYS: version keys. ARGV: a token, the pending TTL. One more writer under way on each.
_BEGIN_LUA = (
    _WRITERS_LUA
    + """
for _, k in ipairs(KEYS) do
  local n = writers(redis.call('GET', k)) + 1
  redis.call('SET', k, 'p:' .. n .. ':' .. ARGV[1], 'EX', ARGV[2])
end
return 1
"""
)

# KEYS: version keys. ARGV: a fresh token per key, then the TTL. One writer fewer on
# each: still pending while others are under way, else fresh.
_SETTLE_LUA = (
    _WRITERS_LUA
    + """
for i, k in ipairs(KEYS) do
  local n = writers(redis.call('GET', k))
  if n > 1 then
    redis.call('SET', k, 'p:' .. (n - 1) .. ':' .. ARGV[i], 'KEEPTTL')
  else
    redis.call('SET', k, ARGV[i], 'EX', ARGV[#ARGV])
  end
end
return 1
"""
)


_local = threading.local()


def backend() -> RedisCache | None:
    """The default cache when it is Redis. Looked up once per thread (`caches[...]`
    walks asgiref's context-local storage, about 10 µs a call) and again whenever Django
    replaces its per-thread cache connections (a changed CACHES setting does)."""
    connections = caches._connections  # type: ignore[attr-defined]  # asgiref Local, no stub
    if getattr(_local, "caches", None) is not connections:
        cache = caches["default"]
        _local.backend = cache if isinstance(cache, RedisCache) else None
        _local.caches = connections
    return _local.backend


def key(name: str) -> str | None:
    """`name` as the default cache names it (its prefix and version); None without Redis."""
    cache = backend()
    return None if cache is None else cache.make_key(name)


def _client() -> Any:
    cache = backend()
    return None if cache is None else cache._cache.get_client(write=True)


def _script(client: Any, source: str) -> Any:
    scripts = client.__dict__.setdefault("_vrecord_scripts", {})
    if source not in scripts:
        scripts[source] = client.register_script(source)
    return scripts[source]


def _token() -> str:
    return uuid.uuid4().hex


@contextmanager
def changing(names: Sequence[str]) -> Iterator[None]:
    """Around a write to the rows behind version keys `names` (full key names): no record
    tagged with them is read from now until the write has committed, nor ever after."""
    client = _client()
    if client is None or not names:
        yield
        return
    _script(client, _BEGIN_LUA)(keys=list(names), args=[_token(), PENDING_TTL_S], client=client)
    try:
        yield
    finally:

        def settle() -> None:
            _script(client, _SETTLE_LUA)(
                keys=list(names),
                args=[*(_token() for _ in names), VERSION_TTL_S],
                client=client,
            )

        if connection.in_atomic_block:
            transaction.on_commit(settle)
        else:
            settle()


def versions_read(names: Sequence[str], ttl_s: int = VERSION_TTL_S) -> list[str] | None:
    """The current tokens of `names` (created when missing, to live `ttl_s`), to tag a
    fill with: read them *before* reading the rows. None without Redis or while a write
    is under way."""
    client = _client()
    if client is None:
        return None
    found = _script(client, _READ_LUA)(
        keys=list(names), args=[*(_token() for _ in names), ttl_s], client=client
    )
    if not found:
        return None
    return [v.decode() if isinstance(v, bytes) else v for v in found]


def store(
    record_key: str, names: Sequence[str], versions: Sequence[str], body: bytes, ttl_s: int
) -> None:
    """Stores `body` under `record_key`, tagged with `versions` of `names`."""
    client = _client()
    if client is None:
        return
    head = " ".join(f"{name} {version}" for name, version in zip(names, versions, strict=True))
    client.set(record_key, head.encode() + b"\n" + body, ex=ttl_s)
