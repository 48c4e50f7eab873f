"""The sandbox's shared machinery: one threaded HTTP server, one path prefix per provider
(`/wavespeed`, `/fal`, `/replicate`, `/runway`, `/google`, `/openai`, `/runware`), fake
tasks that advance one step per poll, a real small MP4 served from `/files/…`, a log of
every request (and the key it carried) for tests, and magic prompts that make it fail:

    [sandbox:429] [sandbox:500]   the submit answers 429 / 500
    [sandbox:timeout]             the submit hangs past the client's timeout, then the
                                  task exists anyway (an ambiguous submit)
    [sandbox:invalid]             the submit is rejected as invalid input (400/422)
    [sandbox:poll429] [sandbox:poll500]   the first poll answers 429 / 500
    [sandbox:fail]                the task fails
    [sandbox:policy]                the provider's safety filter blocks the result
    [sandbox:slow]                the task takes more polls

and `Sandbox.outage(provider)`: every submit to one provider answers 500 (or the status
given) while the others work.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator, MutableSequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from apps.providers.sandbox.base import Received, Req, Resp, Task, magic
from apps.providers.sandbox.handlers import (
    fal,
    google,
    openai,
    replicate,
    runware,
    runway,
    wavespeed,
)

PROVIDERS = ("wavespeed", "fal", "replicate", "runway", "google", "openai", "runware")
# Each provider's routes: (method, path pattern, handler), tried in order.
ROUTES: dict[str, list[tuple[str, str, Any]]] = {
    "wavespeed": wavespeed.ROUTES,
    "fal": fal.ROUTES,
    "replicate": replicate.ROUTES,
    "runway": runway.ROUTES,
    "google": google.ROUTES,
    "openai": openai.ROUTES,
    "runware": runware.ROUTES,
}


class Sandbox:
    """All seven fake providers on one port. `Sandbox().start()`; `.url(provider)` is the
    base URL to put in that provider's *_API_BASE setting."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        polls_needed: int = 3,
        hang_s: float = 3.0,
        video: Path | None = None,
        base_url: str | None = None,
        max_received: int | None = None,
        max_tasks: int | None = None,
    ) -> None:
        self.host, self.port = host, port
        # Served from inside the app (PROVIDER_SANDBOX, apps/providers/sandbox/views.py),
        # the root is the app's own URL prefix, and the request log and the tasks keep
        # only the latest `max_received` / `max_tasks` (they would grow for ever).
        self.base_url = base_url.rstrip("/") if base_url else None
        self.max_tasks = max_tasks
        self.polls_needed = polls_needed
        self.hang_s = hang_s
        self.keys: dict[str, set[str]] = {p: {f"sk-sandbox-{p}"} for p in PROVIDERS}
        self.webhook_secrets: dict[str, str] = {}
        self.tasks: dict[str, Task] = {}
        # Provider -> HTTP status every submit (POST) answers with: an outage of one
        # provider while the others work (see `outage`).
        self.outages: dict[str, int] = {}
        self.received: MutableSequence[Received] = (
            [] if max_received is None else deque(maxlen=max_received)
        )
        self.lock = threading.Lock()
        self._video = video
        self._video_lock = threading.Lock()
        self._routes = ROUTES
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle -------------------------------------------------------------------

    def start(self) -> Sandbox:
        sandbox = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _dispatch(self) -> None:
                sandbox._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, self.port), _Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root(self) -> str:
        if self.base_url:
            return self.base_url
        return f"http://{self.host}:{self.port}"

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self, provider: str) -> str:
        return f"{self.root}/{provider}"

    def settings(self) -> dict[str, Any]:
        """The Django settings that point every adapter at this sandbox."""
        return {
            "WAVESPEED_API_BASE": self.url("wavespeed"),
            "FAL_QUEUE_BASE": self.url("fal"),
            "REPLICATE_API_BASE": self.url("replicate"),
            "RUNWAY_API_BASE": self.url("runway"),
            "GEMINI_API_BASE": self.url("google"),
            "OPENAI_API_BASE": self.url("openai"),
            "RUNWARE_API_BASE": self.url("runware"),
            "WAVESPEED_API_KEY": "sk-sandbox-wavespeed",
            "FAL_KEY": "sk-sandbox-fal",
            "REPLICATE_API_TOKEN": "sk-sandbox-replicate",
            "RUNWAYML_API_SECRET": "sk-sandbox-runway",
            "GEMINI_API_KEY": "sk-sandbox-google",
            "OPENAI_API_KEY": "sk-sandbox-openai",
            "RUNWARE_API_KEY": "sk-sandbox-runware",
        }

    # --- state for tests --------------------------------------------------------------

    @contextlib.contextmanager
    def outage(self, provider: str, status: int = 500) -> Iterator[None]:
        """While inside, every submit (POST) to `provider` answers `status`; the other
        providers work. Unlike the magic prompts, it hits one provider only, which is
        what a job with fallback models on other providers needs."""
        self.outages[provider] = status
        try:
            yield
        finally:
            self.outages.pop(provider, None)

    def add_key(self, provider: str, key: str) -> None:
        self.keys[provider].add(key)

    def last(self, provider: str, method: str | None = None) -> Received:
        for item in reversed(self.received):
            if item.provider == provider and (method is None or item.method == method):
                return item
        raise LookupError(f"no {method or ''} request to {provider}")

    def seen_keys(self, provider: str) -> set[str]:
        return {r.key for r in self.received if r.provider == provider and r.key}

    def new_task(self, provider: str, prompt: str, key: str, body: Any, task_id: str = "") -> Task:
        needed = self.polls_needed * (3 if magic(prompt, "slow") else 1)
        task = Task(
            provider=provider,
            id=task_id or uuid.uuid4().hex,
            prompt=prompt,
            key=key,
            body=body,
            polls_needed=needed,
            first_poll_error=429
            if magic(prompt, "poll429")
            else 500
            if magic(prompt, "poll500")
            else None,
        )
        with self.lock:
            self.tasks[task.id] = task
            if self.max_tasks is not None:
                while len(self.tasks) > self.max_tasks:
                    del self.tasks[next(iter(self.tasks))]
        return task

    def task(self, provider: str, task_id: str) -> Task | None:
        task = self.tasks.get(task_id)
        return task if task is not None and task.provider == provider else None

    def video_bytes(self) -> bytes:
        with self._video_lock:
            if self._video is None or not self._video.exists():
                from apps import media

                path = Path(tempfile.mkdtemp(prefix="provider-sandbox-")) / "sandbox.mp4"
                media.text_to_video(
                    dst=path,
                    prompt="Reelsmith provider sandbox",
                    duration=1,
                    fps=24,
                    resolution="480p",
                )
                self._video = path
            return self._video.read_bytes()

    def file_url(self, task_id: str) -> str:
        return f"{self.root}/files/{task_id}.mp4"

    # --- dispatch ---------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("content-length") or 0)
        body = h.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in h.headers.items()}
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self._send(h, self.respond(h.command, parts.path, query, headers, body))

    def respond(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Resp:
        """One request, whoever carried it: `path` starts with the provider prefix
        (`/wavespeed/...`, `/files/...`); `headers` have lower-case names."""
        segments = path.lstrip("/").split("/", 1)
        provider, rest = segments[0], "/" + (segments[1] if len(segments) > 1 else "")
        req = Req(method, rest, query, headers, body)
        if provider == "files" and method == "GET":
            return self._file(rest)
        if provider in self._routes:
            return self._route(provider, req)
        return Resp(404, {"error": "not found"})

    def _route(self, provider: str, req: Req) -> Resp:
        for method, pattern, fn in self._routes[provider]:
            if method != req.method:
                continue
            match = re.fullmatch(pattern, req.path)
            if match:
                try:
                    parsed: Any = (
                        req.json() if "json" in req.headers.get("content-type", "") else None
                    )
                except ValueError:
                    return Resp(400, {"error": "malformed JSON"})
                key = _key_of(provider, req)
                with self.lock:
                    self.received.append(
                        Received(provider, req.method, req.path, req.headers, parsed, key)
                    )
                if key is None or key not in self.keys[provider]:
                    return _unauthorized(provider)
                if req.method == "POST" and provider in self.outages:
                    return Resp(self.outages[provider], {"error": "Service unavailable"})
                return fn(self, req, key, **match.groupdict())
        return Resp(404, {"error": f"no route {req.method} {req.path}"})

    def _file(self, rest: str) -> Resp:
        task_id = rest.strip("/").removesuffix(".mp4")
        if task_id not in self.tasks:
            return Resp(404, {"error": "no such file"})
        return Resp(200, self.video_bytes(), {"Content-Type": "video/mp4"})

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, resp: Resp) -> None:
        payload, ctype = encode(resp)
        try:
            h.send_response(resp.status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(payload)))
            for name, value in resp.headers.items():
                h.send_header(name, value)
            h.end_headers()
            if payload:
                h.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def hang(self) -> None:
        time.sleep(self.hang_s)


def encode(resp: Resp) -> tuple[bytes, str]:
    """The response's body bytes and content type (the header is taken out of `resp`)."""
    if isinstance(resp.body, bytes):
        return resp.body, resp.headers.pop("Content-Type", "application/octet-stream")
    if resp.body is None:
        return b"", "application/json"
    return json.dumps(resp.body).encode(), "application/json"


def _key_of(provider: str, req: Req) -> str | None:
    auth = req.headers.get("authorization", "")
    if provider == "google":
        return req.headers.get("x-goog-api-key") or req.query.get("key")
    if provider == "fal":
        return auth[4:] if auth.startswith("Key ") else None
    return auth[7:] if auth.startswith("Bearer ") else None


def _unauthorized(provider: str) -> Resp:
    if provider == "google":
        return Resp(
            403,
            {
                "error": {
                    "code": 403,
                    "message": "API key not valid.",
                    "status": "PERMISSION_DENIED",
                }
            },
        )
    if provider == "openai":
        return Resp(
            401,
            {
                "error": {
                    "message": "Incorrect API key provided.",
                    "type": "invalid_request_error",
                    "code": "invalid_api_key",
                }
            },
        )
    if provider == "replicate":
        return Resp(401, {"title": "Unauthenticated", "detail": "Invalid token.", "status": 401})
    if provider == "runware":
        return Resp(401, {"errors": [{"code": "invalidApiKey", "message": "Invalid API key."}]})
    if provider == "fal":
        return Resp(401, {"detail": "No user found for Key ID and Secret"})
    if provider == "runway":
        return Resp(401, {"error": "Invalid API key."})
    return Resp(401, {"code": 401, "message": "Unauthorized: invalid API key"})
