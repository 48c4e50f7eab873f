"""A TCP proxy in front of the live server that can lose a response: it forwards a
request, lets the server answer in full, then closes the client's connection instead of
relaying the answer — what a dropped connection looks like to the SDK."""

import socket
import threading
from dataclasses import dataclass, field


def _read_message(sock: socket.socket, buffer: bytes = b"") -> tuple[bytes, bytes] | None:
    """One HTTP/1.1 message with a Content-Length (or none), and what followed it."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


@dataclass
class DroppingProxy:
    upstream: tuple[str, int]
    drop: int = 1  # how many responses to a POST to drop
    seen: list[bytes] = field(default_factory=list)  # request heads, in order

    def start(self) -> str:
        self._server = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()
        return f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        pending = b""
        with client:
            while True:
                got = _read_message(client, pending)
                if got is None:
                    return
                request, pending = got
                self.seen.append(request.split(b"\r\n\r\n", 1)[0])
                with socket.create_connection(self.upstream) as up:
                    up.sendall(request)
                    answer = _read_message(up)
                if answer is None:
                    return
                if request.startswith(b"POST ") and self.drop > 0:
                    self.drop -= 1
                    return  # the server has answered; the client never hears it
                client.sendall(answer[0])
