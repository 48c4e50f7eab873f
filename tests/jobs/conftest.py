from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import signing

from apps.billing.services import credits_grant
from apps.catalog.services import model_override_set
from tests.gallery.mediafiles import make_mp4, make_png, make_wav


@pytest.fixture(scope="session")
def media_src(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("jobs-src")


@pytest.fixture(scope="session")
def mp4(media_src) -> Path:
    return make_mp4(media_src / "clip.mp4", seconds=2.0)


@pytest.fixture(scope="session")
def png(media_src) -> Path:
    return make_png(media_src / "still.png", width=640, height=360)


@pytest.fixture(scope="session")
def wav(media_src) -> Path:
    return make_wav(media_src / "voice.wav", seconds=1.5)


# Signed links carry the time they were signed (django.core.signing's clock): held, a
# result's links come out the same from every read.
SIGNED_AT = 1_780_000_000.0


@pytest.fixture
def held_clock():
    with mock.patch.object(signing, "time", SimpleNamespace(time=lambda: SIGNED_AT)):
        yield


@pytest.fixture(autouse=True)
def job_storage(media_storage):
    """This test's own storage directory (see media_storage)."""
    return media_storage


@pytest.fixture
def priced(db):
    """The local animatic priced at 7 credits a run (an admin price override), so a job
    that really runs also really holds and charges credits."""
    model_override_set(model_id="local/text-to-video", price_credits=7)
    return 7


def fund(workspace, credits: int) -> None:
    credits_grant(workspace=workspace, credits=credits, idempotency_key=f"fund:{workspace.pk}")


TEXT_JOB = {
    "method": "text-to-video",
    "model": "local/text-to-video",
    "prompt": "A red fox at dawn",
    "duration": 1,
    "resolution": "480p",
    "fps": 24,
}
