"""A tiny threaded HTTP server on 127.0.0.1 for tests that need a real peer."""

import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[[BaseHTTPRequestHandler], None]


@contextmanager
def serve(routes: dict[str, Handler], tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serves `routes` ({"GET /path": handler}) and yields the base URL (https with a
    server-side `tls` context)."""

    class _Handler(BaseHTTPRequestHandler):
        def _dispatch(self) -> None:
            handler = routes.get(f"{self.command} {self.path.split('?')[0]}")
            if handler is None:
                self.send_error(404)
                return
            handler(self)

        do_GET = do_POST = do_PUT = do_DELETE = _dispatch

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        scheme = "https" if tls is not None else "http"
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
