import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.httpserver import serve


@dataclass
class Receiver:
    """A real HTTP receiver: records every request; `answers` are the statuses to give,
    in order (the last one repeats)."""

    url: str = ""
    answers: list[int] = field(default_factory=lambda: [200])
    hang_s: float = 0.0
    requests: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]

    def ids(self) -> list[str]:
        return [r["headers"]["webhook-id"] for r in self.requests]


@contextmanager
def receiving(settings, **kwargs) -> Iterator[Receiver]:
    receiver = Receiver(**kwargs)

    def handle(handler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length)
        with receiver.lock:
            n = len(receiver.requests)
            receiver.requests.append(
                {"headers": {k.lower(): v for k, v in handler.headers.items()}, "body": body}
            )
            status = receiver.answers[min(n, len(receiver.answers) - 1)]
        if receiver.hang_s:
            threading.Event().wait(receiver.hang_s)
        try:
            handler.send_response(status)
            handler.send_header("content-type", "text/plain")
            handler.end_headers()
            handler.wfile.write(b"ok " * 10 if status < 300 else b"nope " * 400)
        except OSError:
            pass

    with serve({"POST /hook": handle}) as base:
        netloc = urlsplit(base).netloc
        settings.OUTBOUND_ALLOWED_NETLOCS = [*settings.OUTBOUND_ALLOWED_NETLOCS, netloc]
        receiver.url = base + "/hook"
        yield receiver


@pytest.fixture
def receiver(settings):
    with receiving(settings) as r:
        yield r
