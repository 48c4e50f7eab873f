import pytest

from apps.providers.sandbox.core import Sandbox


@pytest.fixture(scope="session")
def sandbox_server():
    with Sandbox(polls_needed=3, hang_s=1.5) as sb:
        sb.video_bytes()  # render the clip once
        yield sb


@pytest.fixture
def sandbox(sandbox_server, settings):
    """Every adapter pointed at the sandbox with its platform keys; short timeouts."""
    for name, value in sandbox_server.settings().items():
        setattr(settings, name, value)
    settings.PROVIDER_HTTP_TIMEOUT_S = 0.75
    settings.PROVIDER_CONNECT_TIMEOUT_S = 0.75
    settings.OUTBOUND_ALLOWED_NETLOCS = [sandbox_server.netloc]
    settings.PROVIDER_WEBHOOK_BASE_URL = ""
    return sandbox_server
