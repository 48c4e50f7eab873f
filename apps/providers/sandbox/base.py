"""The sandbox's building blocks: a parsed request, a response, a fake task, the request log
entry, the magic-prompt test, and the part of the server that the provider handlers use."""

from __future__ import annotations

import email.parser
import email.policy
import json
from collections.abc import MutableSequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Req:
    method: str
    path: str  # after the provider prefix
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, Any]:
        """multipart/form-data fields (files as (filename, bytes, content type))."""
        ctype = self.headers.get("content-type", "")
        if "multipart/form-data" not in ctype:
            raise ValueError("not multipart")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {ctype}\r\n\r\n".encode() + self.body
        )
        out: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename:
                out[name] = (filename, payload, part.get_content_type())
            else:
                out[name] = payload.decode()
        return out


@dataclass
class Resp:
    status: int = 200
    body: Any = None  # JSON-able, or bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Task:
    provider: str
    id: str
    prompt: str
    key: str
    body: Any
    polls_needed: int
    polls: int = 0
    cancelled: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    first_poll_error: int | None = None

    def magic(self, word: str) -> bool:
        return f"[sandbox:{word}]" in (self.prompt or "")

    def advance(self) -> str:
        """One poll: 'queued' | 'running' | 'done' | 'failed' | 'policy' | 'cancelled'."""
        self.polls += 1
        if self.cancelled:
            return "cancelled"
        if self.polls < self.polls_needed:
            return "queued" if self.polls == 1 else "running"
        if self.magic("fail"):
            return "failed"
        if self.magic("policy"):
            return "policy"
        return "done"

    @property
    def progress(self) -> int:
        return min(99, int(100 * self.polls / max(1, self.polls_needed)))


@dataclass
class Received:
    provider: str
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    key: str | None


def magic(prompt: str | None, word: str) -> bool:
    return f"[sandbox:{word}]" in (prompt or "")


class SandboxHost(Protocol):
    """What a provider handler may use of the server (apps.providers.sandbox.core.Sandbox)."""

    tasks: dict[str, Task]
    received: MutableSequence[Received]

    @property
    def root(self) -> str: ...

    def url(self, provider: str) -> str: ...

    def new_task(
        self, provider: str, prompt: str, key: str, body: Any, task_id: str = ""
    ) -> Task: ...

    def task(self, provider: str, task_id: str) -> Task | None: ...

    def video_bytes(self) -> bytes: ...

    def file_url(self, task_id: str) -> str: ...

    def hang(self) -> None: ...
