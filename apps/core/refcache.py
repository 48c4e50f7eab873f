"""A per-process copy of a small, rarely changed table (the catalogue's admin overrides,
the moderation term lists) that every submit reads, kept exact across processes by a
version token in the shared cache (Redis).

Reading costs one cache GET instead of a database query. Every write to the table bumps
the token twice: at once (so the writer's own process and a test inside one transaction
see the change) and again when the write commits (a reader that reloaded between the
first bump and the commit read the old rows; the second bump makes it reload). A request
that starts after the write's transaction has committed therefore always sees the new
rows. When the token is missing (cache flushed, first use) a fresh one is made, so a
copy is never trusted without a token it was loaded under; when the cache is down, the
table is read directly."""

import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from django.core.cache import cache
from django.core.cache.backends.redis import RedisSerializer
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Every copy, so that one_read() can fetch all their versions at once.
_COPIES: list["ProcessCopy[Any]"] = []
_block = threading.local()
_loads = RedisSerializer().loads
# In a block's versions: they have been fetched, so a version missing from them is
# missing from the cache too (the copy reads and makes it itself, not another MGET).
FETCHED = ""


def version_names() -> list[str]:
    """Every copy's version key (its name in the cache, without the cache's prefix)."""
    return sorted({copy.key for copy in _COPIES})


def prefetched(names: Sequence[str], raw: Sequence[bytes | None]) -> dict[str, str]:
    """The versions `one_read(prefetched=...)` takes, from the raw Redis values of
    `names` (version keys) read in another round trip of the same request: the key
    lookup's (apps/accounts/keycache.py), so a submit reads none of its own."""
    found = {
        name: str(_loads(value))
        for name, value in zip(names, raw, strict=True)
        if value is not None
    }
    found[FETCHED] = FETCHED
    return found


@contextmanager
def one_read(prefetched: Mapping[str, str] | None = None) -> Iterator[None]:
    """Inside the block, the first copy asked for reads the versions of every copy in
    one MGET and the others reuse them (a submit reads the catalogue's overrides and the
    moderation terms: one cache round trip instead of two). The versions are those of the
    block's start, as for a request that began then; with `prefetched` (`prefetched()`,
    read earlier in the same request), those, and no round trip at all."""
    outer = getattr(_block, "versions", None)
    if outer is None:
        _block.versions = dict(prefetched) if prefetched else {}
    try:
        yield
    finally:
        if outer is None:
            _block.versions = None


class ProcessCopy(Generic[T]):
    def __init__(self, key: str, load: Callable[[], T]) -> None:
        self.key = f"refcache:{key}:version"
        self._load = load
        self._copy: tuple[str, T] | None = None
        self._lock = threading.Lock()
        _COPIES.append(self)

    def _version(self) -> str:
        versions = getattr(_block, "versions", None)
        if versions is not None:
            if not versions:
                versions.update(cache.get_many(list({copy.key for copy in _COPIES})))
                versions[FETCHED] = FETCHED  # even if no key was set yet
            version = versions.get(self.key)
            if version is not None:
                return str(version)
        version = cache.get(self.key)
        if version is None:
            cache.add(self.key, uuid.uuid4().hex, timeout=None)
            version = cache.get(self.key)
        if versions is not None:
            versions[self.key] = version
        return str(version)

    def get(self) -> T:
        try:
            version = self._version()
        except Exception:  # a cache outage must not stop submits: read the table
            logger.warning("refcache %s: cache unavailable, reading the table", self.key)
            return self._load()
        copy = self._copy
        if copy is not None and copy[0] == version:
            return copy[1]
        with self._lock:
            # Loaded after the version was read: a copy is never older than its token.
            value = self._load()
            self._copy = (version, value)
        return value

    def _bump(self) -> None:
        try:
            cache.set(self.key, uuid.uuid4().hex, timeout=None)
        except Exception:
            logger.exception("refcache %s: could not bump the version", self.key)
        self._copy = None
        versions = getattr(_block, "versions", None)
        if versions:
            versions.clear()  # this thread's own change: read the versions again

    def changed(self, *args: object, **kwargs: object) -> None:
        """Call on every write to the table (a post_save / post_delete receiver)."""
        self._bump()
        transaction.on_commit(self._bump)
