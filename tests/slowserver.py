"""Handlers for tests/httpserver.serve that are slow on purpose: a server dripping one byte
at a time, the way a hostile or broken media host holds a fetch open."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from tests.httpserver import serve


def dripping(
    stop: threading.Event, *, every_s: float = 0.2, size: int = 100_000, headers: bool = False
) -> Callable[[BaseHTTPRequestHandler], None]:
    """Honest headers for `size` bytes, then one byte every `every_s` until `stop`; with
    `headers`, drips the status line and headers themselves instead."""

    def handler(req: BaseHTTPRequestHandler) -> None:
        try:
            if headers:
                payload = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: " + b"y" * size
            else:
                req.send_response(200)
                req.send_header("Content-Type", "video/mp4")
                req.send_header("Content-Length", str(size))
                req.end_headers()
                req.wfile.flush()
                payload = b"x" * size
            for byte in payload:
                if stop.wait(every_s):
                    return
                req.wfile.write(bytes([byte]))
                req.wfile.flush()
        except OSError:
            return  # the client hung up, as it should

    return handler


@contextmanager
def dripping_url(settings: Any, path: str = "/clip.mp4") -> Iterator[str]:
    """The URL of a server dripping bytes until the block ends, let through the SSRF guard
    (OUTBOUND_ALLOWED_NETLOCS) for this test."""
    stop = threading.Event()
    with serve({f"GET {path}": dripping(stop)}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [urlsplit(base).netloc]
        try:
            yield f"{base}{path}"
        finally:
            stop.set()
