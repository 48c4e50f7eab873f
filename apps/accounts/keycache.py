"""API-key authentication and the tier's rate limit in one Redis round trip (issue 19).

A key's record — the rows `api_key_for_prefix` loads (key, workspace, tier, user, the
user's membership) minus the columns that change without telling us (last_used_at,
storage_used_bytes, password, ...) — is kept in Redis under its prefix, tagged with the
versions of three version keys read *before* the rows were read from the database:

    authv:ws:<workspace id>   bumped by any change to the workspace (closure, reopening,
                              tier change, rename), to any of its memberships (role
                              change, removal), and to any of its API keys (settings,
                              revocation)
    authv:user:<user id>      bumped by any change to the user (is_active, ...)
    authv:tier:<tier id>      bumped by any change to the tier row (its limits)
    authv:all                 bumped after every `migrate` (data migrations edit rows
                              with .update(), which sends no signal)

The record is one line of ids and version tags (matched in Lua without a JSON decoder),
then the rows as JSON. One Lua script (EVALSHA) reads the failed-authentication counter of
the caller's address, the record and the current versions, and when they all match counts
the request in the workspace's rate-limit window (the key TierRateThrottle uses). A bump
writes a fresh random token (never a counter: an evicted or expired version key reads as
missing, which never matches), so a record filled before a change can never match after
it. Writers bump inside their transaction and again after it commits (a fill that read the
old rows between the two is tagged with the first bump and dies at the second), so the very
next request after a service returns sees the change. Model signals bump too (admin edits).

Without Redis (local dev on locmem) every request reads the database as before."""

import time
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from redis.exceptions import NoScriptError

from apps.accounts.keycache_record import layout, record_decode, record_encode
from apps.accounts.models import ApiKey
from apps.core import vrecord
from apps.core.redisconn import kept_call

RECORD_TTL_S = 3600
VERSION_TTL_S = 7 * 24 * 3600
RATE_WINDOW_S = 60
RATE_TTL_S = RATE_WINDOW_S + 5  # as apps/core/throttling.count_hit

# KEYS: record, auth-failure counter. ARGV: failure limit, version-key prefix,
# rate-key prefix, window, rate TTL, count (1/0), last-used-marker prefix, its TTL, the
# record layout this code reads (keycache_record.layout): another release's is a miss,
# a versioned record of the key's workspace to read along (apps/core/vrecord.py): its
# key's stem ('' for none) and name, read as <stem><workspace id>:<name>; then any more
# keys to read along (their values, raw, in a list).
_HOT_LUA = (
    """
local limit = tonumber(ARGV[1])
if limit > 0 and tonumber(redis.call('GET', KEYS[2]) or '0') >= limit then
  return {-1}
end
local raw = redis.call('GET', KEYS[1])
if not raw then return {0} end
-- The record's first line: its layout, the key, workspace, user and tier ids, then the
-- four versions.
local layout, k, w, u, t, v1, v2, v3, v4, at = string.match(
  raw, '^(%x+) (%d+) (%d+) (%d+) (%d+) (%x+) (%x+) (%x+) (%x+)\\n()')
if layout ~= ARGV[9] then return {0} end
local now = redis.call('MGET', ARGV[2] .. 'ws:' .. w, ARGV[2] .. 'user:' .. u,
                       ARGV[2] .. 'tier:' .. t, ARGV[2] .. 'all')
if now[1] ~= v1 or now[2] ~= v2 or now[3] ~= v3 or now[4] ~= v4 then return {0} end
local count = 0
if ARGV[6] == '1' then
  local rk = ARGV[3] .. w .. ':' .. ARGV[4]
  count = redis.call('INCR', rk)
  if count == 1 then redis.call('EXPIRE', rk, ARGV[5]) end
end
local touch = 0
if redis.call('SET', ARGV[7] .. k, '1', 'NX', 'EX', ARGV[8]) then touch = 1 end
local rec = false
if ARGV[10] ~= '' then rec = redis.call('GET', ARGV[10] .. w .. ':' .. ARGV[11]) end
"""
    + vrecord.CHECK_LUA
    + """
local also = false
if #ARGV > 11 then also = redis.call('MGET', unpack(ARGV, 12, #ARGV)) end
return {1, string.sub(raw, at), count, touch, body, also}
"""
)


def _client() -> Any:
    """The cache's Redis client (kept by apps/core/cache.py)."""
    backend = vrecord.backend()
    assert backend is not None
    return backend._cache.get_client("authv", write=True)


def _hot_script(client: Any) -> Any:
    script = client.__dict__.get("_keycache_script")
    if script is None:
        script = client.__dict__["_keycache_script"] = client.register_script(_HOT_LUA)
    return script


def _key(backend: RedisCache, name: str) -> str:
    """The cache's full name for `name` (its KEY_PREFIX and version), without Django's
    per-call key validation, which only warns about names memcached would refuse: every
    name here is built from validated parts (a key prefix, ids, an address). The stems
    (names ending in ":") are memoised per backend; a stem's full name followed by the
    rest of a name is that name's full name (Django's key function joins the prefix, the
    version and the name), which the hot path and its Lua script rely on."""
    names = backend.__dict__.setdefault("_keycache_names", {})
    full = names.get(name)
    if full is None:
        full = backend.make_key(name)
        if name.endswith(":"):  # the fixed stems; not per-request names (unbounded)
            names[name] = full
    return full


def _version_keys(backend: RedisCache, ws: int, user: int, tier: int) -> list[str]:
    base = _key(backend, "authv:")
    return [f"{base}ws:{ws}", f"{base}user:{user}", f"{base}tier:{tier}", f"{base}all"]


# --- Invalidation ---------------------------------------------------------------------


def auth_cache_bump(
    *,
    workspace_id: int | None = None,
    user_id: int | None = None,
    tier_id: int | None = None,
    everything: bool = False,
) -> None:
    """Invalidates every cached key record that depends on these rows: now, and again
    once the surrounding transaction commits. Call it from every service that changes a
    key, a membership, a workspace, a user or a tier."""
    backend = vrecord.backend()
    if backend is None:
        return
    base = _key(backend, "authv:")
    names = [
        f"{base}{kind}:{pk}"
        for kind, pk in (("ws", workspace_id), ("user", user_id), ("tier", tier_id))
        if pk is not None
    ] + ([f"{base}all"] if everything else [])
    if not names:
        return

    def bump() -> None:
        pipe = _client().pipeline(transaction=False)
        for name in names:
            pipe.set(name, uuid.uuid4().hex, ex=VERSION_TTL_S)
        pipe.execute()

    bump()
    if connection.in_atomic_block:
        transaction.on_commit(bump)


# --- The hot path ---------------------------------------------------------------------


class Hit:
    """What one round trip found: the key (or None: not cached, or stale), whether the
    caller's address is over its failed-authentication limit, the rate-limit count this
    request got (0 when not counted) and its window, whether last_used_at is due, the
    body of the record read along, when it is current, and the raw values of the other
    keys read along (None: none asked for)."""

    __slots__ = (
        "also",
        "api_key",
        "auth_blocked",
        "count",
        "rate_key",
        "record",
        "touch",
        "window",
    )

    def __init__(self) -> None:
        self.record: bytes | None = None
        self.also: list[bytes | None] | None = None
        self.api_key: ApiKey | None = None
        self.auth_blocked = False
        self.count = 0
        self.window = 0
        self.rate_key = ""
        self.touch = False


def key_lookup(
    *,
    prefix: str,
    address: str,
    failure_limit: int,
    count: bool,
    touch_every_s: int,
    record: tuple[str, str] | None = None,
    also: Sequence[str] = (),
) -> Hit:
    """One EVALSHA: the failed-auth check for `address`, the cached record of `prefix`
    and, on a current record with `count`, the hit in its workspace's rate window. With
    `record` (a stem such as "jobrec:" and a name), also the versioned record
    <stem><the key's workspace id>:<name>, when current; with `also` (cache names), their
    values as stored, read in the same round trip."""
    backend = vrecord.backend()
    assert backend is not None
    client = _client()
    hot = _hot_script(client)
    window = int(time.time() // RATE_WINDOW_S)
    result = _evalsha(
        client,
        hot,
        _key(backend, "authrec:") + prefix,
        _key(backend, "authfail:") + f"{address}:{window}",
        failure_limit,
        _key(backend, "authv:"),
        _key(backend, "ratelimit:ws:"),
        window,
        RATE_TTL_S,
        "1" if count else "0",
        _key(backend, "authused:"),
        touch_every_s,
        layout(),
        _key(backend, record[0]) if record else "",
        record[1] if record else "",
        *(backend.make_key(name) for name in also),
    )
    hit = Hit()
    if result[0] == -1:
        hit.auth_blocked = True
    elif result[0] == 1:
        hit.api_key = record_decode(result[1])
        hit.count, hit.touch, hit.window = int(result[2]), bool(result[3]), window
        hit.record = result[4]
        if also:
            hit.also = result[5]
        if count:
            hit.rate_key = f"ratelimit:ws:{hit.api_key.workspace_id}:{window}"
    return hit


def _evalsha(client: Any, script: Any, *keys_then_args: Any) -> Any:
    """`script` with two keys and the rest as arguments, on a connection this thread keeps
    (apps/core/redisconn.py). A Redis that lost its scripts gets the script loaded again
    (the script is idempotent up to its counters, and a refused send counted nothing)."""
    command = ("EVALSHA", script.sha, 2, *keys_then_args)
    try:
        return kept_call("keycache", client.connection_pool, *command)
    except NoScriptError:
        client.script_load(script.script)
    return kept_call("keycache", client.connection_pool, *command)


def key_fill(*, prefix: str, load: Any) -> ApiKey | None:
    """The key from the database via `load(prefix=...)`, stored for the hot path: versions
    are read (created when missing) between two loads, so a change that commits after the
    versions were read bumps them and the stored record never matches again."""
    first = load(prefix=prefix)
    if first is None:
        return None
    ids = (first.workspace_id, first.created_by_id, first.workspace.tier_id)
    backend = vrecord.backend()
    assert backend is not None
    # Never pending (these versions are only bumped), so never None with Redis up.
    versions = vrecord.versions_read(_version_keys(backend, *ids), ttl_s=VERSION_TTL_S)
    api_key = load(prefix=prefix)
    if api_key is None:
        return None
    current = (api_key.workspace_id, api_key.created_by_id, api_key.workspace.tier_id)
    if versions and current == ids:
        record = record_encode(api_key, versions)
        _client().set(_key(backend, f"authrec:{prefix}"), record, ex=RECORD_TTL_S)
    return api_key


def used_mark(*, key_id: int, ttl_s: int) -> None:
    """Marks key `key_id` as recently used for `ttl_s` (the hot path writes last_used_at
    only when the marker is absent)."""
    backend = vrecord.backend()
    if backend is not None:
        _client().set(_key(backend, f"authused:{key_id}"), "1", nx=True, ex=ttl_s)
