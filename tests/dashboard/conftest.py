"""Studio fixtures: media files made in code and a per-test storage directory (opt in with
`pytest.mark.usefixtures("studio_storage")`, so the older page tests are untouched)."""

from pathlib import Path

import pytest

from tests.gallery.mediafiles import make_mp4, make_png, make_wav


@pytest.fixture(scope="session")
def studio_media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("studio-src")


@pytest.fixture(scope="session")
def png(studio_media) -> Path:
    return make_png(studio_media / "still.png", width=640, height=360)


@pytest.fixture(scope="session")
def mp4(studio_media) -> Path:
    return make_mp4(studio_media / "clip.mp4", seconds=2.0)


@pytest.fixture(scope="session")
def wav(studio_media) -> Path:
    return make_wav(studio_media / "voice.wav", seconds=1.5)


@pytest.fixture
def studio_storage(media_storage):
    """This test's own storage directory (see media_storage)."""
    return media_storage
