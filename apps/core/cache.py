"""The Redis cache backend: Django's own, keeping its `redis.Redis` client. Django's
builds a new client (and its table of about 170 response callbacks) for every cache
call, about 80 µs of CPU each time; the client is only a handle on the connection pool
and is safe to share, so one is kept per pool (issue 19: a submit reads the reference
copies' versions, every rate-limited request touches the cache).

settings/core.py selects it for the `default` cache when REDIS_URL is set."""

from typing import Any

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        kept: dict[int, Any] = self.__dict__.setdefault("_kept_clients", {})
        client = kept.get(id(pool))
        if client is None or client.connection_pool is not pool:
            client = kept[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
