"""Configuration from the environment (the spec's LLMKIT_* variables, as REELSMITH_*)."""

import httpx
from reelsmith import AsyncReelsmith, Reelsmith


def test_from_env_reads_the_key_base_url_and_video_timeout(monkeypatch):
    monkeypatch.setenv("REELSMITH_API_KEY", "rsk_env")
    monkeypatch.setenv("REELSMITH_BASE_URL", "https://studio.example.com/")
    monkeypatch.setenv("REELSMITH_VIDEO_TIMEOUT", "900")
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json={"balance": 0, "held": 0, "available": 0})

    client = Reelsmith.from_env(http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    client.balance()
    assert str(seen[0].url) == "https://studio.example.com/api/v1/billing/balance"
    assert seen[0].headers["Authorization"] == "Bearer rsk_env"
    assert seen[0].headers["User-Agent"].startswith("reelsmith-python/")
    assert client._settings.wait_timeout == 900
    assert AsyncReelsmith.from_env().base_url == "https://studio.example.com"


def test_the_defaults_without_environment(monkeypatch):
    for name in ("REELSMITH_API_KEY", "REELSMITH_BASE_URL", "REELSMITH_VIDEO_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    client = Reelsmith()
    assert client.base_url == "http://127.0.0.1:8000"
    assert "Authorization" not in client._settings.headers()
    assert client._settings.wait_timeout == 600
    assert client._settings.max_retries == 3
    explicit = Reelsmith(api_key="rsk_x", base_url="http://h:1")
    assert (explicit.base_url, explicit._settings.api_key) == ("http://h:1", "rsk_x")
