from pathlib import Path

import pytest

from apps.catalog.services import model_override_set
from tests.gallery.mediafiles import make_mp4, make_png

BASE = "/compat/alwrity/api/video-studio"
TEXT_FORM = {
    "method": "text-to-video",
    "model": "local/text-to-video",
    "prompt": "A lighthouse at dusk",
    "duration": "1",
    "resolution": "480p",
}


@pytest.fixture(scope="session")
def alwrity_media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("alwrity-src")


@pytest.fixture(scope="session")
def png(alwrity_media) -> Path:
    return make_png(alwrity_media / "still.png", width=640, height=360)


@pytest.fixture(scope="session")
def mp4(alwrity_media) -> Path:
    return make_mp4(alwrity_media / "clip.mp4", seconds=2.0)


@pytest.fixture
def priced(db):
    """The local animatic at 7 credits a run, so a job really holds and charges."""
    model_override_set(model_id="local/text-to-video", price_credits=7)
    return 7
