"""AetherWave (/compat/aetherwave) is called as its spec's examples call it: `requests`
with an `X-AW-Key` header. In-process tests use the DRF test client with that header;
the live tests run the spec's own example code against a live server and a real worker,
with the fal/WaveSpeed sandbox standing in for the providers the spec's models run on."""

import base64
import re
import time
from pathlib import Path

import pytest
from celery import current_app
from rest_framework.test import APIClient

from apps.billing.services import credits_grant
from apps.providers.sandbox.core import Sandbox
from tests.gallery.mediafiles import make_mp4, make_png, make_wav

BASE = "/compat/aetherwave"
# The spec sits beside the checkout (../shared/spec), or beside its worktree folder.
SPEC_CANDIDATES = [
    Path(__file__).resolve().parents[n] / "shared" / "spec" / "003_7b09d2742823799a.txt"
    for n in (4, 5)
]
EXAMPLES = Path(__file__).parent / "spec_003_examples.txt"
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def spec_examples() -> list[str]:
    """Spec 003's Python examples, verbatim and in order (the quick start first)."""
    return PYTHON_BLOCK.findall(EXAMPLES.read_text())


def aw_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_AW_KEY=key)
    return client


@pytest.fixture
def aw(alice) -> APIClient:
    return aw_client(alice.key)


@pytest.fixture
def aw_charlie(charlie) -> APIClient:
    return aw_client(charlie.key)


def fund(workspace, credits: int) -> None:
    credits_grant(workspace=workspace, credits=credits, idempotency_key=f"fund:{workspace.pk}")


@pytest.fixture(scope="session")
def aw_media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("aw-media")


@pytest.fixture(scope="session")
def png(aw_media) -> Path:
    return make_png(aw_media / "still.png", width=640, height=360)


@pytest.fixture(scope="session")
def mp4(aw_media) -> Path:
    return make_mp4(aw_media / "clip.mp4", seconds=2.0)


@pytest.fixture(scope="session")
def wav(aw_media) -> Path:
    return make_wav(aw_media / "voice.wav", seconds=1.5)


def b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


@pytest.fixture(scope="session")
def sandbox_server():
    with Sandbox(polls_needed=2, hang_s=1.5) as sb:
        sb.video_bytes()  # render the clip once
        yield sb


@pytest.fixture
def aw_stack(request, sandbox_server, settings, monkeypatch):
    """live_stack with every provider pointed at the sandbox, in this process (the live
    server) and in the worker (through its environment, read when it starts)."""
    live_server = request.getfixturevalue("live_server")
    env = {
        **sandbox_server.settings(),
        "OUTBOUND_ALLOWED_NETLOCS": sandbox_server.netloc,
        "PUBLIC_BASE_URL": live_server.url,
        "JOBS_POLL_INTERVAL_S": "0.3",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
        if name != "OUTBOUND_ALLOWED_NETLOCS":
            setattr(settings, name, value)
    settings.OUTBOUND_ALLOWED_NETLOCS = [sandbox_server.netloc]
    settings.PROVIDER_WEBHOOK_BASE_URL = ""
    stack = request.getfixturevalue("live_stack")
    worker_wait_ready()
    return stack


def worker_wait_ready(seconds: float = 60) -> None:
    """Until the worker answers a ping: a job submitted before would wait for its start-up,
    and the synchronous answer ("the job ended within the wait") is what is tested."""
    deadline = time.monotonic() + seconds
    while not current_app.control.ping(timeout=0.5):
        assert time.monotonic() < deadline, "the Celery worker did not start"
