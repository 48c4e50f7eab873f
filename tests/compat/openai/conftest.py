"""The official openai SDK, unmodified, pointed at our /v1/ (base_url and key changed)."""

import warnings

import pytest
from openai import OpenAI

from apps.providers.sandbox.core import Sandbox
from tests.gallery.mediafiles import make_mp4, make_png


@pytest.fixture(autouse=True)
def _sdk_deprecation_is_not_our_concern():
    # openai 3.x marks the Sora methods deprecated (OpenAI's own shutdown date).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def sdk(base_url: str, key: str, **options) -> OpenAI:
    return OpenAI(base_url=base_url + "/v1", api_key=key, **options)


@pytest.fixture(scope="session")
def media_src(tmp_path_factory):
    return tmp_path_factory.mktemp("openai-src")


@pytest.fixture(scope="session")
def still_png(media_src):
    return make_png(media_src / "still.png", width=640, height=360)


@pytest.fixture(scope="session")
def clip_mp4(media_src):
    return make_mp4(media_src / "clip.mp4", seconds=2.0)


@pytest.fixture(scope="session")
def sandbox_server():
    with Sandbox(polls_needed=2, hang_s=1.5) as sb:
        sb.video_bytes()  # render the clip once
        yield sb


@pytest.fixture
def sandbox(sandbox_server, settings):
    """The provider adapters pointed at the protocol-faithful sandbox, as in tests/providers."""
    for name, value in sandbox_server.settings().items():
        setattr(settings, name, value)
    settings.OUTBOUND_ALLOWED_NETLOCS = [sandbox_server.netloc]
    settings.PROVIDER_WEBHOOK_BASE_URL = ""
    return sandbox_server
