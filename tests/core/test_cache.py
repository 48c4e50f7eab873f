"""apps/core/cache.py: Django's Redis cache keeping one client per connection pool,
doing everything Django's does."""

import pytest
import redis
from django.core.cache import caches

from apps.core.cache import RedisCache

pytestmark = pytest.mark.skipif(
    not isinstance(caches["default"], RedisCache), reason="needs the Redis cache"
)


def test_one_client_serves_every_call(monkeypatch):
    cache = caches["default"]
    cache.set("kept-client", 1)
    made = []
    init = redis.Redis.__init__
    monkeypatch.setattr(
        redis.Redis, "__init__", lambda self, *a, **kw: made.append(1) or init(self, *a, **kw)
    )
    cache.set("kept-client", {"a": [1, 2]}, timeout=30)
    assert cache.get("kept-client") == {"a": [1, 2]}
    assert cache.get_many(["kept-client", "missing"]) == {"kept-client": {"a": [1, 2]}}
    assert cache.add("kept-client", 2) is False
    cache.set("kept-counter", 1)
    assert cache.incr("kept-counter", 5) == 6
    cache.delete_many(["kept-client", "kept-counter"])
    assert cache.get("kept-client") is None
    assert made == []


def test_a_new_pool_gets_a_new_client():
    client = caches["default"]._cache
    first = client.get_client(write=True)
    assert client.get_client(write=True) is first
    client._pools.clear()  # as when Django's cache connections are rebuilt
    assert client.get_client(write=True) is not first
