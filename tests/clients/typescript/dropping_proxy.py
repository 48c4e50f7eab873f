"""A TCP proxy on loopback that forwards everything, except that the first connection
carrying a given request line is cut after the upstream server has answered it, before a
byte of the answer reaches the client: the client sees a broken connection for a request
the server did accept (the case an idempotency key exists for)."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress


class DroppingProxy:
    def __init__(self, upstream: tuple[str, int], request_line: bytes) -> None:
        self.upstream = upstream
        self.request_line = request_line
        self.drops = 0  # connections cut after the upstream answered
        self.forwarded = 0  # requests with the request line that went through
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.5)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        server = socket.create_connection(self.upstream, timeout=60)
        client.settimeout(60)
        drop = threading.Event()
        pumps = [
            threading.Thread(target=self._up, args=(client, server, drop), daemon=True),
            threading.Thread(target=self._down, args=(server, client, drop), daemon=True),
        ]
        for pump in pumps:
            pump.start()
        for pump in pumps:
            pump.join(timeout=120)
        for sock in (client, server):
            sock.close()

    def _up(self, client: socket.socket, server: socket.socket, drop: threading.Event) -> None:
        try:
            while chunk := client.recv(65536):
                if self.request_line in chunk:
                    with self._lock:
                        if self.drops == 0 and not drop.is_set():
                            drop.set()
                        else:
                            self.forwarded += 1
                server.sendall(chunk)
        except OSError:
            pass
        finally:
            _shutdown(server)

    def _down(self, server: socket.socket, client: socket.socket, drop: threading.Event) -> None:
        try:
            while chunk := server.recv(65536):
                if drop.is_set():
                    # The server has answered (so it accepted the submit): cut the client off.
                    with self._lock:
                        self.drops += 1
                    client.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    return
                client.sendall(chunk)
        except OSError:
            pass
        finally:
            _shutdown(client)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=5)


def _shutdown(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


@contextmanager
def dropping_proxy(upstream: tuple[str, int], request_line: bytes) -> Iterator[DroppingProxy]:
    proxy = DroppingProxy(upstream, request_line)
    proxy._thread.start()
    try:
        yield proxy
    finally:
        proxy.close()
