"""A small process supervisor for `make run` (manage.py runstack): starts a few commands,
prefixes their output, tells when a URL first answers, and stops them all cleanly.

Each child runs in its own session, so a Ctrl-C in the terminal reaches only the
supervisor; it then sends SIGINT to every child's process group (what the terminal would
have done: runserver and its autoreloader, the Celery worker and its pool, beat), waits
for them, and exits 0. Only a child that outlives the grace period is killed. A second
Ctrl-C kills at once."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

GRACE_S = 15.0


def port_is_free(host: str, port: int) -> bool:
    """Whether something could listen on host:port now (SO_REUSEADDR, as servers bind,
    so a port in TIME_WAIT counts as free)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def answers(url: str, timeout_s: float = 2.0) -> bool:
    """Whether an HTTP server answers `url` at all (any status counts)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s):  # noqa: S310 - our own URL
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen[bytes] | None = None
    pump: threading.Thread | None = field(default=None, repr=False)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class Supervisor:
    def __init__(self, *, env: dict[str, str] | None = None, out: IO[str] | None = None) -> None:
        self.env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
        self.out = out or sys.stdout
        self.children: list[Child] = []
        self._lock = threading.Lock()
        # Set from the signal handler: a plain counter, no locks (a handler that takes a
        # lock the interrupted code holds would deadlock).
        self._stop_count = 0
        self._stopped = False
        self._width = 6

    # --- output -------------------------------------------------------------------------

    def say(self, text: str, name: str = "system") -> None:
        with self._lock:
            for line in text.splitlines() or [""]:
                self.out.write(f"{name:<{self._width}} | {line}\n")
            self.out.flush()

    def _pump(self, child: Child) -> None:
        assert child.proc is not None and child.proc.stdout is not None
        for raw in iter(child.proc.stdout.readline, b""):
            self.say(raw.decode("utf-8", "replace").rstrip("\n"), child.name)

    # --- life cycle ---------------------------------------------------------------------

    def add(self, name: str, argv: list[str]) -> None:
        self.children.append(Child(name, argv))
        self._width = max(self._width, len(name))

    def _on_signal(self, signum: int, frame: Any) -> None:
        self._stop_count += 1

    @property
    def stopping(self) -> bool:
        return self._stop_count > 0

    def start(self) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        for child in self.children:
            child.proc = subprocess.Popen(  # noqa: S603 - our own commands
                child.argv,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            child.pump = threading.Thread(target=self._pump, args=(child,), daemon=True)
            child.pump.start()
            self.say(f"{child.name} started (pid {child.proc.pid})")

    def wait_until(self, ready: Callable[[], bool], *, poll_s: float = 0.25) -> bool:
        """Waits until `ready()` or a stop (Ctrl-C, a child exiting). True when ready."""
        while not self.stopping:
            if not all(c.alive for c in self.children):
                return False
            if ready():
                return True
            time.sleep(poll_s)
        return False

    def run(self) -> int:
        """Until Ctrl-C/SIGTERM (→ 0) or a child exits by itself (→ 1). Call stop() next."""
        while not self.stopping and all(c.alive for c in self.children):
            time.sleep(0.2)
        requested = self.stopping
        for child in self.children:
            if not child.alive and not requested:
                assert child.proc is not None
                self.say(f"{child.name} exited with status {child.proc.returncode}: stopping")
        return 0 if requested else 1

    def stop(self) -> None:
        """Stops every child (SIGINT to its group, SIGKILL past GRACE_S); idempotent."""
        if self._stopped:
            return
        self._stopped = True
        alive = [c for c in self.children if c.alive]
        if alive:
            self.say("stopping " + ", ".join(c.name for c in alive))
        for child in alive:
            self._signal(child, signal.SIGINT)
        deadline = time.monotonic() + GRACE_S
        while any(c.alive for c in self.children) and time.monotonic() < deadline:
            if self._stop_count > 1:
                break  # a second Ctrl-C: no more waiting
            time.sleep(0.1)
        for child in self.children:
            if child.alive:
                self.say(f"{child.name} did not stop in time: killing it")
                self._signal(child, signal.SIGKILL)
        for child in self.children:
            if child.proc is not None:
                child.proc.wait()
            if child.pump is not None:
                child.pump.join(timeout=2)
        self.say("stopped")

    @staticmethod
    def _signal(child: Child, signum: int) -> None:
        assert child.proc is not None
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(child.proc.pid, signum)  # the child leads its own process group
