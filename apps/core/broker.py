"""The Celery broker transport for Redis: kombu's own, with one change. kombu's Redis
channel builds a new `redis.Redis` client (and its table of 170 response callbacks) for
every message it publishes; this channel builds one and keeps it, on the same connection
pool. About 125 µs less per published task (issue 19: every accepted job publishes one).

settings/base.py selects it (CELERY_BROKER_TRANSPORT) when CELERY_BROKER_URL is a
`redis://` URL; the wire format, queues and acknowledgement are kombu's."""

from typing import Any

from kombu.transport import redis


class Channel(redis.Channel):
    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:  # the consumer's client: kombu already keeps it
            return super()._create_client(asynchronous=True)
        kept = self.__dict__.get("_kept_client")
        if kept is None or kept.connection_pool is not self.pool:
            kept = self._kept_client = super()._create_client()
        return kept


class Transport(redis.Transport):
    Channel = Channel
