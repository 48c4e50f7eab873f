"""A TCP proxy in front of the live server that can drop a connection after the server
has answered a request, before relaying the answer: the client sees its connection die
with no response, although the server did the work."""

import contextlib
import socket
import threading
from dataclasses import dataclass, field


@dataclass
class DroppingProxy:
    upstream: tuple[str, int]
    # Connections whose request starts with one of these are cut once the answer starts.
    drop_prefixes: list[bytes] = field(default_factory=list)
    drops_left: int = 0
    seen: list[bytes] = field(default_factory=list)  # request lines, in order
    dropped: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def __enter__(self) -> "DroppingProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self.upstream)
        state = {"drop": False}

        def client_to_upstream() -> None:
            try:
                while data := client.recv(65536):
                    line = data.split(b"\r\n", 1)[0]
                    if line.split(b" ", 1)[0] in (b"GET", b"POST", b"DELETE", b"PATCH", b"PUT"):
                        with self._lock:
                            self.seen.append(line)
                            if self.drops_left and line.startswith(tuple(self.drop_prefixes)):
                                self.drops_left -= 1
                                state["drop"] = True
                    upstream.sendall(data)
            except OSError:
                pass
            finally:
                _shut(upstream)

        forward = threading.Thread(target=client_to_upstream, daemon=True)
        forward.start()
        try:
            while data := upstream.recv(65536):
                if state["drop"]:
                    # The server has answered (so it committed the work); the client
                    # never hears of it.
                    with self._lock:
                        self.dropped += 1
                    break
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close(client)
            _close(upstream)
            forward.join(timeout=5)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
